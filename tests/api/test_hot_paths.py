"""The hot read paths (issue 13): `GET /clearance` answers from one SELECT and authenticates
from the token plus a briefly remembered session version, yet never serves a stale status and
never lets a revoked token through in the process that revoked it."""

import time

import pytest
from sqlalchemy import text, update
from sqlmodel import Session, select

from models import Container, Declaration, User
from tests.api.conftest import DECLARATION, World, container_number


def release(world: World, declaration: dict) -> None:  # type: ignore[type-arg]
    task = next(t for t in world.officer.get("/inspections").json()["items"]
                if t["declaration_id"] == declaration["id"])
    result = world.officer.post(f"/inspections/{task['id']}/result",
                                json={"outcome": "pass", "notes": "packing correct"})
    assert result.status_code == 200, result.text


def lookup(world: World, container: str) -> dict:  # type: ignore[type-arg]
    response = world.port.get("/clearance", params={"container_no": container})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_release_shows_on_the_very_next_lookup(world: World) -> None:
    declaration = world.screened()
    container = declaration["containers"][0]["container_no"]
    before = lookup(world, container)
    assert before["may_load"] is False and before["message"] == "not yet released: hold"
    release(world, declaration)
    after = lookup(world, container)
    assert after["status"] == "RELEASED" and after["may_load"] is True
    assert after["message"] == "released: may load" and after["released_at"] is not None
    world.port.post(f"/clearance/{declaration['declaration_no']}/loaded")
    loaded = lookup(world, container)
    assert loaded["status"] == "LOADED" and loaded["message"] == "already loaded"


def test_a_change_committed_outside_the_api_shows_on_the_next_lookup(world: World) -> None:
    declaration = world.declaration()
    container = declaration["containers"][0]["container_no"]
    assert lookup(world, container)["status"] == "DRAFT"
    with Session(world.engine) as session:
        session.execute(update(Declaration).where(Declaration.id == declaration["id"])  # type: ignore[arg-type]
                        .values(status="CANCELLED"))
        session.commit()
    assert lookup(world, container)["status"] == "CANCELLED"


def test_a_lookup_lists_every_container_of_the_declaration_in_order(world: World) -> None:
    numbers = [container_number(900 + n) for n in range(3)]
    declaration = world.exporter_a.post("/declarations", json={
        **DECLARATION, "containers": [{"container_no": n} for n in numbers]}).json()
    by_number = world.port.get("/clearance",
                               params={"declaration_no": declaration["declaration_no"]}).json()
    assert by_number["container_nos"] == numbers
    assert lookup(world, numbers[1])["container_nos"] == numbers


def test_a_declaration_without_containers_is_found_by_number(world: World) -> None:
    declaration = world.exporter_a.post("/declarations",
                                        json={**DECLARATION, "containers": []}).json()
    found = world.port.get("/clearance",
                           params={"declaration_no": declaration["declaration_no"]}).json()
    assert found["container_nos"] == [] and found["status"] == "DRAFT"


def test_the_live_holder_wins_else_the_loaded_one_else_the_latest(world: World) -> None:
    number = container_number(777)
    first = world.submitted(containers=[{"container_no": number}])
    world.exporter_a.post(f"/declarations/{first['id']}/cancel", json={"reason": "wrong ship"})
    assert lookup(world, number)["declaration_no"] == first["declaration_no"]
    second = world.screened(containers=[{"container_no": number}])
    assert lookup(world, number)["declaration_no"] == second["declaration_no"]  # live
    release(world, second)
    world.port.post(f"/clearance/{second['declaration_no']}/loaded")
    third = world.submitted(containers=[{"container_no": number}])
    world.exporter_a.post(f"/declarations/{third['id']}/cancel", json={"reason": "duplicate"})
    held = lookup(world, number)  # none live: the one that loaded it, not the newer cancelled
    assert held["declaration_no"] == second["declaration_no"]
    assert held["status"] == "LOADED"
    with Session(world.engine) as session:
        rows = session.exec(select(Container).where(Container.container_no == number)).all()
    assert len(rows) == 3 and all(r.live_no is None for r in rows)


def test_logout_refuses_the_token_on_the_next_lookup(world: World) -> None:
    port = world.login("port")
    container = world.declaration()["containers"][0]["container_no"]
    assert port.get("/clearance", params={"container_no": container}).status_code == 200
    assert port.post("/auth/logout").status_code == 204
    refused = port.get("/clearance", params={"container_no": container})
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    again = world.login("port")  # a newer token than the remembered version: re-read
    assert again.get("/clearance", params={"container_no": container}).status_code == 200


def test_disabling_an_account_refuses_its_token_on_the_next_lookup(world: World) -> None:
    port = world.login("port")
    container = world.declaration()["containers"][0]["container_no"]
    assert port.get("/clearance", params={"container_no": container}).status_code == 200
    with Session(world.engine) as session:
        port_id = session.exec(select(User.id).where(User.username == "port")).one()
    assert world.admin.post(f"/users/{port_id}/disable").status_code == 200
    assert port.get("/clearance", params={"container_no": container}).status_code == 401


@pytest.mark.slow
def test_a_revocation_by_another_process_holds_within_the_cache_ttl(world: World) -> None:
    """Another worker's logout reaches this process's memory when the entry expires."""
    world.client.app.state.session_cache.ttl_s = 0.2  # type: ignore[attr-defined]
    port = world.login("port")
    container = world.declaration()["containers"][0]["container_no"]
    assert port.get("/clearance", params={"container_no": container}).status_code == 200
    with Session(world.engine) as session:  # as another process would: not through this app
        session.execute(update(User).where(User.username == "port")  # type: ignore[arg-type]
                        .values(session_version=User.session_version + 1))
        session.commit()
    time.sleep(0.3)
    assert port.get("/clearance", params={"container_no": container}).status_code == 401


def test_the_role_in_the_token_is_checked_without_a_session(world: World) -> None:
    exporter = world.login("exporter_a")
    refused = exporter.get("/clearance", params={"declaration_no": "CL1"})
    assert refused.status_code == 403 and "port_operator" in refused.json()["detail"]
    assert world.login("officer").get("/clearance", params={
        "container_no": world.declaration()["containers"][0]["container_no"]}).status_code == 200


def test_a_listed_page_shows_the_same_goods_and_containers_as_each_record(world: World
                                                                          ) -> None:
    two = [container_number(500), container_number(501)]
    made = [world.exporter_a.post("/declarations", json={
        **DECLARATION, "containers": [{"container_no": n, "seal_no": "S1"} for n in two],
        "goods": DECLARATION["goods"] * 2}).json(), world.declaration(),
        world.declaration(world.exporter_b)]
    page = world.exporter_a.get("/declarations", params={"limit": 50}).json()
    assert page["total"] == 2 and [d["id"] for d in page["items"]] == [made[1]["id"],
                                                                      made[0]["id"]]
    for listed in page["items"]:
        assert listed == world.exporter_a.get(f"/declarations/{listed['id']}").json()
    assert len(page["items"][1]["goods"]) == 2
    assert [c["container_no"] for c in page["items"][1]["containers"]] == two
    assert world.officer.get("/declarations").json()["total"] == 3


def test_the_created_answer_is_what_reading_the_declaration_back_gives(world: World) -> None:
    body = {**DECLARATION, "goods": DECLARATION["goods"] * 2,
            "containers": [{"container_no": container_number(600).lower(), "seal_no": "S9"},
                           {"container_no": container_number(601)}]}
    created = world.exporter_a.post("/declarations", json=body)
    assert created.status_code == 201, created.text
    read_back = world.exporter_a.get(f"/declarations/{created.json()['id']}").json()
    assert created.json() == read_back
    assert read_back["containers"][0] == {"container_no": container_number(600),
                                          "seal_no": "S9"}


def test_a_page_by_status_lists_and_counts_only_that_status(world: World) -> None:
    first, second = world.declaration(), world.declaration()
    world.declaration(world.exporter_b)
    assert world.exporter_a.post(f"/declarations/{first['id']}/submit").status_code == 200
    drafts = world.exporter_a.get("/declarations", params={"status": "DRAFT"}).json()
    assert drafts["total"] == 1 and [d["id"] for d in drafts["items"]] == [second["id"]]
    assert drafts["items"][0]["status"] == "DRAFT"
    assert world.officer.get("/declarations", params={"status": "DRAFT"}).json()["total"] == 2


def test_a_page_past_the_end_is_empty_but_still_counts(world: World) -> None:
    world.declaration()
    world.declaration()
    page = world.exporter_a.get("/declarations", params={"offset": 5, "limit": 3}).json()
    assert page == {"items": [], "total": 2, "offset": 5, "limit": 3}


def test_an_account_disabled_elsewhere_files_nothing_even_while_remembered(world: World
                                                                            ) -> None:
    """The write checks the account row itself: no window for a disabled exporter."""
    exporter = world.login("exporter_a")
    world.declaration(exporter)  # its session version is now remembered by this process
    with Session(world.engine) as session:  # as another process would: not through this app
        session.execute(update(User).where(User.username == "exporter_a")  # type: ignore[arg-type]
                        .values(is_active=False))
        session.commit()
    refused = exporter.post("/declarations", json={
        **DECLARATION, "containers": [{"container_no": container_number(700)}]})
    assert refused.status_code == 401, refused.text
    with Session(world.engine) as session:
        assert session.exec(select(Container).where(
            Container.container_no == container_number(700))).first() is None


def test_the_declaration_number_is_the_filing_day_and_the_id_zero_padded(world: World) -> None:
    bare = {**DECLARATION, "containers": []}
    first = world.exporter_a.post("/declarations", json=bare).json()
    with Session(world.engine) as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres:  # ids past eight digits (the number is drawn in SQL there)
            session.exec(text("SELECT setval(pg_get_serial_sequence('declaration', 'id'), "
                              "123456788)"))
            session.commit()
    second = world.exporter_a.post("/declarations", json=bare).json()
    for created in (first, second):
        number = created["declaration_no"]  # CL, the filing day (YYYYMMDD), the id
        assert number[:4] == "CL20" and number[4:10].isdigit()
        assert number[10:] == f"{created['id']:08d}"
        found = world.port.get("/clearance", params={"declaration_no": created["declaration_no"]})
        assert found.status_code == 200 and found.json()["status"] == "DRAFT"
    if postgres:
        assert second["id"] == 123456789 and second["declaration_no"].endswith("123456789")
