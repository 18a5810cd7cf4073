"""Who may see and do what."""

from tests.api.conftest import World


def test_anonymous_callers_are_refused(world: World) -> None:
    for url in ("/declarations", "/filings", "/inspections", "/clearance?declaration_no=X",
                "/stats/release-times", "/users/me"):
        response = world.anonymous.get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_forged_token_is_refused(world: World) -> None:
    response = world.client.get("/declarations", headers={"Authorization": "Bearer abc.def.ghi"})
    assert response.status_code == 401
    assert "log in again" in response.json()["detail"]


def test_wrong_password_is_refused_with_a_clear_message(world: World) -> None:
    response = world.client.post("/auth/token", data={"username": "exporter_a",
                                                      "password": "nope-nope"})
    assert response.status_code == 401
    assert response.json() == {"detail": "wrong username or password", "code": "unauthorized",
                               "detail_zh": "未登录、登录已过期，或用户名或密码错误。"}


def test_exporter_cannot_read_another_exporters_declaration(world: World) -> None:
    theirs = world.declaration(world.exporter_b)
    response = world.exporter_a.get(f"/declarations/{theirs['id']}")
    assert response.status_code == 404
    assert world.exporter_b.get(f"/declarations/{theirs['id']}").status_code == 200


def test_exporter_cannot_change_another_exporters_declaration(world: World) -> None:
    theirs = world.declaration(world.exporter_b)
    for action in ("submit", "cancel"):
        response = world.exporter_a.post(f"/declarations/{theirs['id']}/{action}")
        assert response.status_code == 404, action
    from tests.api.images import jpeg_bytes

    upload = world.exporter_a.post(f"/declarations/{theirs['id']}/photos",
                                   files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")})
    assert upload.status_code == 404
    assert world.exporter_b.get(f"/declarations/{theirs['id']}").json()["status"] == "DRAFT"


def test_exporter_lists_only_its_own_declarations(world: World) -> None:
    world.declaration(world.exporter_a)
    world.declaration(world.exporter_b)
    world.declaration(world.exporter_b)
    mine = world.exporter_a.get("/declarations").json()
    assert mine["total"] == 1
    assert all(d["enterprise_id"] == world.enterprise_a for d in mine["items"])
    assert world.officer.get("/declarations").json()["total"] == 3


def test_exporter_cannot_see_another_exporters_filing_or_its_photo(world: World) -> None:
    filing_id = world.approved_filing(world.exporter_b)
    assert world.exporter_a.get(f"/filings/{filing_id}").status_code == 404
    photo_id = world.exporter_b.get(f"/filings/{filing_id}").json()["photos"][0]["id"]
    assert world.exporter_a.get(f"/filings/{filing_id}/photos/{photo_id}").status_code == 404
    assert world.exporter_b.get(f"/filings/{filing_id}/photos/{photo_id}").status_code == 200
    assert world.exporter_a.get("/filings").json()["total"] == 0


def test_exporter_cannot_declare_with_another_exporters_filing(world: World) -> None:
    filing_id = world.approved_filing(world.exporter_b)
    response = world.exporter_a.post("/declarations", json={
        "filing_id": filing_id, "goods": [{"hs_code": "850760", "quantity": 1,
                                           "gross_weight_kg": 1}]})
    assert response.status_code == 404


def test_port_operator_cannot_create_declarations(world: World) -> None:
    response = world.port.post("/declarations", json={
        "goods": [{"hs_code": "850760", "quantity": 1, "gross_weight_kg": 1}]})
    assert response.status_code == 403
    assert "exporter" in response.json()["detail"]


def test_only_officers_approve_filings(world: World) -> None:
    filing = world.exporter_a.post("/filings", json={
        "title": "box", "un_numbers": ["UN3481"], "packing_instruction": "P967"}).json()
    assert world.exporter_a.post(f"/filings/{filing['id']}/approve").status_code == 403
    assert world.port.post(f"/filings/{filing['id']}/approve").status_code == 403


def test_only_admins_create_enterprises_and_users(world: World) -> None:
    enterprise = {"name": "New Co", "customs_code": "3502960NEW"}
    assert world.officer.post("/enterprises", json=enterprise).status_code == 403
    created = world.admin.post("/enterprises", json=enterprise)
    assert created.status_code == 201
    user = {"username": "newbie", "password": "long-enough-1", "role": "exporter",
            "enterprise_id": created.json()["id"]}
    assert world.exporter_a.post("/users", json=user).status_code == 403
    response = world.admin.post("/users", json=user)
    assert response.status_code == 201
    assert "password" not in response.text and "hashed" not in response.text
    world.login("newbie", "long-enough-1")


def test_an_exporter_account_needs_an_enterprise(world: World) -> None:
    response = world.admin.post("/users", json={"username": "orphan", "password": "long-enough-1",
                                                "role": "exporter"})
    assert response.status_code == 422
    assert response.json()["code"] == "enterprise_required"


def test_duplicate_customs_code_is_a_conflict(world: World) -> None:
    response = world.admin.post("/enterprises", json={"name": "Copy",
                                                      "customs_code": "350296000A"})
    assert response.status_code == 409
    assert "350296000A" in response.json()["detail"]


def test_inspections_and_statistics_are_for_officers(world: World) -> None:
    for api in (world.exporter_a, world.port):
        assert api.get("/inspections").status_code == 403
        assert api.get("/stats/release-times").status_code == 403
    assert world.officer.get("/inspections").status_code == 200


def test_every_error_has_the_same_shape(world: World) -> None:
    responses = [
        world.anonymous.get("/declarations"),
        world.exporter_a.get("/declarations/999999"),
        world.exporter_a.post("/declarations", json={"goods": []}),
        world.port.post("/declarations", json={}),
        world.exporter_a.get("/declarations/0"),
    ]
    for response in responses:
        assert 400 <= response.status_code < 500
        body = response.json()
        assert set(body) == {"detail", "code", "detail_zh"}, body
        assert isinstance(body["detail"], str) and body["detail"]
        assert isinstance(body["detail_zh"], str) and body["detail_zh"], "Chinese too"
