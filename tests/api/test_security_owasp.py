"""Security regressions, one per finding of the review in issue 10, grouped by the OWASP API
Security Top 10 (2023) category they belong to. Every test runs on SQLite and PostgreSQL."""

import asyncio
import hashlib
import io
import json
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pydantic import ValidationError
from sqlmodel import Session, select

from customs import security
from customs.__main__ import main as customs_cli
from customs.certificate_pdf import extract_envelope
from customs.settings import Settings
from models import LoginThrottle, SecurityEvent, User, utcnow
from routes.app import create_app
from tests.api.conftest import FILING, PASSWORD, Api, World, create_schema, make_settings
from tests.api.images import jpeg_bytes

CERTIFICATE_NO = re.compile(r"^CLC[A-Z2-7]{16}$")
PUBLIC_VERIFY_FIELDS = {"certificate_no", "found", "valid", "signature_valid", "revoked",
                        "revoked_at", "issuer", "issued_at", "exporter", "document_sha256",
                        "key_id", "reasons", "payload"}


@pytest.fixture
def make_world(database_url: str, tmp_path: Path) -> Iterator[Callable[..., World]]:
    """A world whose settings differ from the default ones (stricter limits, production…)."""
    clients: list[TestClient] = []

    def build(**overrides: Any) -> World:
        settings = make_settings(database_url, tmp_path / f"data{len(clients)}", **overrides)
        create_schema(settings)
        client = TestClient(create_app(settings))
        client.__enter__()
        clients.append(client)
        return World(client, settings)

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def released_certificate(world: World) -> dict[str, Any]:
    """A released declaration's certificate links, its PDF and the QR code's token."""
    declaration = world.screened()
    task = world.officer.get("/inspections").json()["items"][0]
    world.officer.post(f"/inspections/{task['id']}/result", json={"outcome": "pass"})
    links = world.exporter_a.get(f"/declarations/{declaration['id']}/certificate").json()
    pdf = world.exporter_a.get(links["pdf_url"]).content
    token = extract_envelope(pdf)["verify_url"].split("?t=")[1]
    container = declaration["containers"][0]["container_no"]
    return {**links, "pdf": pdf, "token": token, "declaration": declaration,
            "container": container}


def user_id(world: World, username: str) -> int:
    with Session(world.engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        assert user.id is not None
        return user.id


def login(world: World, username: str, password: str = PASSWORD) -> Any:
    return world.client.post("/auth/token", data={"username": username, "password": password})


# ============================================================================================
# API1:2023 Broken Object Level Authorization
# ============================================================================================

def test_api1_certificate_numbers_carry_80_random_bits_and_no_declaration_id(world: World
                                                                           ) -> None:
    first, second = released_certificate(world), released_certificate(world)
    for certificate in (first, second):
        assert CERTIFICATE_NO.match(certificate["certificate_no"]), certificate
        declaration_no = certificate["declaration"]["declaration_no"]
        assert declaration_no[2:] not in certificate["certificate_no"]
    assert first["certificate_no"][3:] != second["certificate_no"][3:]


def test_api1_a_neighbouring_number_verifies_nothing(world: World) -> None:
    number = released_certificate(world)["certificate_no"]
    last = number[-1]
    neighbour = number[:-1] + ("A" if last != "A" else "B")
    answer = world.anonymous.get(f"/certificates/{neighbour}/verify").json()
    assert answer["found"] is False and answer["valid"] is False
    assert answer["exporter"] is None and answer["payload"] is None


def test_api1_certificate_pdf_goes_only_to_the_owner_exporter_and_officers(world: World
                                                                          ) -> None:
    certificate = released_certificate(world)
    url = certificate["pdf_url"]
    assert world.exporter_a.get(url).status_code == 200
    assert world.officer.get(url).status_code == 200
    assert world.exporter_b.get(url).status_code == 404
    for other in (world.port, world.admin):
        response = other.get(url)
        assert response.status_code == 403
        assert "exporter who owns them and to officers" in response.json()["detail"]


# ============================================================================================
# API2:2023 Broken Authentication
# ============================================================================================

def test_api2_failed_logins_back_off_per_account_and_then_refuse_the_right_password(
        make_world: Callable[..., World]) -> None:
    world = make_world(login_free_failures=3, login_backoff_base_s=30)
    statuses = [login(world, "exporter_a", "wrong-password").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    locked = login(world, "exporter_a")  # the right password, but locked
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_attempts"
    assert 1 <= int(locked.headers["retry-after"]) <= 30
    assert login(world, "exporter_b").status_code == 200  # other accounts are unaffected


def test_api2_back_off_grows_with_each_failure_after_the_lock(
        make_world: Callable[..., World]) -> None:
    world = make_world(login_free_failures=2, login_backoff_base_s=10)

    def expire_lock() -> None:
        with Session(world.engine) as session:
            row = session.get(LoginThrottle, "user:exporter_a")
            assert row is not None
            row.locked_until = utcnow() - timedelta(seconds=1)
            session.add(row)
            session.commit()

    waits = []
    login(world, "exporter_a", "wrong-1")
    for attempt in range(3):
        login(world, "exporter_a", f"wrong-{attempt + 2}")
        waits.append(int(login(world, "exporter_a").headers["retry-after"]))
        expire_lock()
    assert waits[0] <= 10 < waits[1] <= 20 < waits[2] <= 40


def test_api2_one_client_guessing_many_accounts_is_throttled(
        make_world: Callable[..., World]) -> None:
    world = make_world(login_client_free_failures=3, login_backoff_base_s=30)
    for name in ("nobody-1", "nobody-2", "nobody-3"):
        assert login(world, name, "guess-guess").status_code == 401
    assert login(world, "exporter_a").status_code == 429


def test_api2_parallel_guesses_are_all_counted(world: World) -> None:
    def guess(attempt: int) -> int:
        return login(world, "racer", f"wrong-pass-{attempt}").status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(guess, range(8)))
    assert set(codes) <= {401, 429}
    with Session(world.engine) as session:
        row = session.get(LoginThrottle, "user:racer")
        assert row is not None and row.failures == 8  # no lost update, no duplicate insert


def test_api2_unknown_usernames_cost_the_same_password_check_as_real_ones(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real_verify = security.verify_password

    def spy(password: str, hashed: str) -> bool:
        checked.append(hashed)
        return real_verify(password, hashed)

    monkeypatch.setattr(security, "verify_password", spy)
    assert login(world, "no-such-user", "whatever-1").status_code == 401
    assert login(world, "exporter_a", "whatever-1").status_code == 401
    assert checked[0] == security.DUMMY_HASH  # an Argon2 verification all the same
    assert checked[1] != security.DUMMY_HASH and len(checked) == 2


def test_api2_failed_logins_go_to_the_account_trail(world: World) -> None:
    login(world, "exporter_a", "wrong-password")
    login(world, "ghost", "wrong-password")
    with Session(world.engine) as session:
        events = session.exec(select(SecurityEvent).where(
            SecurityEvent.action == "login_failed")).all()
    by_name = {e.username: e for e in events}
    assert by_name["exporter_a"].user_id == user_id(world, "exporter_a")
    assert by_name["exporter_a"].detail == "wrong password"
    assert by_name["ghost"].user_id is None and by_name["ghost"].client == "testclient"


def test_api2_logout_revokes_the_token(world: World) -> None:
    api = world.login("exporter_a")
    assert api.get("/users/me").status_code == 200
    assert api.post("/auth/logout").status_code == 204
    refused = api.get("/users/me")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert world.login("exporter_a").get("/users/me").status_code == 200


def test_api2_page_logout_revokes_the_cookie_token_too(world: World) -> None:
    from routes.pages.core import TOKEN_COOKIE

    page = world.client.post("/login", data={"username": "officer", "password": PASSWORD},
                             follow_redirects=False)
    assert page.status_code == 303
    token = page.cookies[TOKEN_COOKIE]
    assert Api(world.client, token).get("/users/me").status_code == 200
    world.client.cookies.set(TOKEN_COOKIE, token)
    assert world.client.post("/logout", follow_redirects=False).status_code == 303
    world.client.cookies.clear()
    assert Api(world.client, token).get("/users/me").status_code == 401


def test_api2_the_login_page_is_throttled_like_the_api(make_world: Callable[..., World]
                                                       ) -> None:
    world = make_world(login_free_failures=2, login_backoff_base_s=30)
    for _ in range(2):
        world.client.post("/login", data={"username": "port", "password": "wrong-one"})
    page = world.client.post("/login", data={"username": "port", "password": PASSWORD},
                             follow_redirects=False)
    assert page.status_code == 429 and int(page.headers["retry-after"]) >= 1


def test_api2_password_change_revokes_tokens_and_needs_the_current_password(world: World
                                                                           ) -> None:
    api = world.login("exporter_a")
    wrong = api.post("/users/me/password", json={"current_password": "nope-nope",
                                                 "new_password": "a-new-password-1"})
    assert wrong.status_code == 401
    changed = api.post("/users/me/password", json={"current_password": PASSWORD,
                                                   "new_password": "a-new-password-1"})
    assert changed.status_code == 204
    assert api.get("/users/me").status_code == 401
    assert login(world, "exporter_a").status_code == 401
    assert login(world, "exporter_a", "a-new-password-1").status_code == 200


def test_api2_a_token_without_exp_is_refused(world: World) -> None:
    claims = {"sub": str(user_id(world, "officer")), "iat": utcnow(), "sv": 0}
    token = jwt.encode(claims, world.settings.secret_key, algorithm="HS256")
    response = Api(world.client, token).get("/users/me")
    assert response.status_code == 401 and "log in again" in response.json()["detail"]


def test_api2_default_token_lifetime_is_bounded_and_tokens_expire(world: World) -> None:
    expired = security.create_access_token(user_id(world, "officer"),
                                           world.settings.secret_key, -1)
    assert Api(world.client, expired).get("/users/me").status_code == 401
    claims = jwt.decode(world.login("officer").headers["Authorization"].split()[1],
                        options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == world.settings.token_minutes * 60


# ============================================================================================
# API3:2023 Broken Object Property Level Authorization
# ============================================================================================

def test_api3_public_verify_shows_only_the_minimal_summary(world: World) -> None:
    certificate = released_certificate(world)
    answer = world.anonymous.get(f"/certificates/{certificate['certificate_no']}/verify").json()
    assert set(answer) == PUBLIC_VERIFY_FIELDS
    assert answer["valid"] and answer["payload"] is None
    assert answer["exporter"] == "Battery Co A" and answer["issuer"]
    assert answer["document_sha256"] == hashlib.sha256(certificate["pdf"]).hexdigest()
    assert answer["issued_at"]
    text = json.dumps(answer)
    for secret in ("350296000A", "COSCO XIAMEN", certificate["container"], "8507600090",
                   certificate["declaration"]["declaration_no"]):
        assert secret not in text


def test_api3_the_qr_token_unlocks_the_full_contents_and_a_wrong_one_does_not(world: World
                                                                             ) -> None:
    certificate = released_certificate(world)
    url = f"/certificates/{certificate['certificate_no']}/verify"
    full = world.anonymous.get(url, params={"token": certificate["token"]}).json()
    assert full["payload"]["vessel"] == "COSCO XIAMEN"
    assert full["payload"]["containers"] == [certificate["container"]]
    wrong = world.anonymous.get(url, params={"token": certificate["token"][:-2] + "xx"}).json()
    assert wrong["payload"] is None and wrong["valid"] is True


def test_api3_the_verify_page_hides_contents_without_the_token(world: World) -> None:
    certificate = released_certificate(world)
    page = world.anonymous.get(f"/verify/{certificate['certificate_no']}")
    assert page.status_code == 200 and "Battery Co A" in page.text
    assert "COSCO XIAMEN" not in page.text and certificate["container"] not in page.text
    qr_target = extract_envelope(certificate["pdf"])["verify_url"]
    full = world.anonymous.get(qr_target.removeprefix(world.settings.public_base_url))
    assert "COSCO XIAMEN" in full.text and certificate["container"] in full.text


def test_api3_a_revoked_certificate_says_so_with_its_date_and_nothing_more(world: World
                                                                         ) -> None:
    certificate = released_certificate(world)
    declaration_id = certificate["declaration"]["id"]
    world.officer.post(f"/declarations/{declaration_id}/revoke",
                       json={"reason": "post-clearance audit"})
    answer = world.anonymous.get(f"/certificates/{certificate['certificate_no']}/verify").json()
    assert answer["valid"] is False and answer["revoked"] is True
    assert answer["revoked_at"] is not None and answer["payload"] is None


def test_api3_uploaded_photos_are_stored_without_exif_or_gps(world: World) -> None:
    image = Image.new("RGB", (640, 480), (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc"  # camera make
    exif[0x8825] = {1: "N", 2: (24.0, 29.0, 13.0), 3: "E", 4: (118.0, 5.0, 7.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    declaration = world.submitted()
    upload = world.exporter_a.post(f"/declarations/{declaration['id']}/photos",
                                   files={"file": ("gps.jpg", buffer.getvalue(), "image/jpeg")})
    assert upload.status_code == 202, upload.text
    served = world.officer.get(f"/declarations/{declaration['id']}/photos/{upload.json()['id']}")
    assert b"SpyCam" not in served.content
    stored = Image.open(io.BytesIO(served.content))
    assert stored.size == (640, 480) and len(stored.getexif()) == 0


# ============================================================================================
# API4:2023 Unrestricted Resource Consumption
# ============================================================================================

def asgi_post(world: World, path: str, chunks: list[bytes], headers: dict[str, str]
              ) -> tuple[int, int]:
    """Posts a streamed body straight to the ASGI app: (status, body chunks the app pulled)."""
    pulled = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1],
                    "more_body": pulled < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "client": ("127.0.0.1", 5000),
             "server": ("testserver", 80),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(world.client.app(scope, receive, send))  # type: ignore[arg-type]
    return status, pulled


MEGABYTE_CHUNKS = [b"x" * 1024 * 1024] * 40  # a 40 MB body, streamed without a length


def test_api4_anonymous_bodies_are_refused_before_a_byte_is_read(world: World) -> None:
    for path, content_type in (("/declarations", "application/json"),
                               ("/declarations/1/photos", "multipart/form-data; boundary=b")):
        status, pulled = asgi_post(world, path, MEGABYTE_CHUNKS, {"content-type": content_type})
        assert (status, pulled) == (401, 0), path


def test_api4_anonymous_page_posts_go_to_the_login_page_unread(world: World) -> None:
    status, pulled = asgi_post(world, "/exporter/declarations/1/photos", MEGABYTE_CHUNKS,
                               {"content-type": "multipart/form-data; boundary=b"})
    assert (status, pulled) == (303, 0)


def test_api4_a_forged_token_does_not_get_its_body_read_either(world: World) -> None:
    status, pulled = asgi_post(world, "/declarations", MEGABYTE_CHUNKS,
                               {"content-type": "application/json",
                                "authorization": "Bearer abc.def.ghi"})
    assert (status, pulled) == (401, 0)


def test_api4_json_bodies_stop_at_about_a_megabyte_while_streaming(world: World) -> None:
    status, pulled = asgi_post(world, "/declarations", MEGABYTE_CHUNKS,
                               {"content-type": "application/json", **world.exporter_a.headers})
    assert status == 413 and pulled == 2  # the second megabyte crosses the 1 MiB cap


def test_api4_a_declared_length_over_the_cap_is_refused_at_once(world: World) -> None:
    too_long = str(world.settings.max_upload_bytes + 10 * 1024 * 1024)
    status, pulled = asgi_post(world, "/declarations/1/photos", MEGABYTE_CHUNKS,
                               {"content-type": "multipart/form-data; boundary=b",
                                "content-length": too_long, **world.exporter_a.headers})
    assert (status, pulled) == (413, 0)


def test_api4_uploads_may_use_the_upload_cap_not_the_json_cap(world: World) -> None:
    declaration = world.submitted()
    noise = Image.frombytes("RGB", (1200, 900), random.Random(3).randbytes(1200 * 900 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=95)
    photo = buffer.getvalue()
    assert len(photo) > world.settings.max_json_bytes
    response = world.exporter_a.post(f"/declarations/{declaration['id']}/photos",
                                     files={"file": ("big.jpg", photo, "image/jpeg")})
    assert response.status_code == 202, response.text


def test_api4_list_fields_are_capped(world: World) -> None:
    user = {"username": "officer9", "password": "long-enough-1", "role": "officer"}
    too_many = world.admin.post("/users", json={**user, "skills": ["general"] * 21})
    assert too_many.status_code == 422 and "skills" in too_many.json()["detail"]
    too_long = world.admin.post("/users", json={**user, "skills": ["x" * 41]})
    assert too_long.status_code == 422
    assert world.admin.post("/users", json={**user, "skills": ["general"]}).status_code == 201
    filing = world.exporter_a.post("/filings", json={**FILING, "un_numbers": ["UN3480" * 1000]})
    assert filing.status_code == 422 and "un_numbers.0" in filing.json()["detail"]


def test_api4_dispatch_time_limit_is_at_most_30_seconds(world: World) -> None:
    response = world.officer.post("/dispatch/plans", json={"time_limit_s": 120})
    assert response.status_code == 422 and "time_limit_s" in response.json()["detail"]
    with pytest.raises(ValidationError):
        Settings(dispatch_time_limit_s=60)


# ============================================================================================
# API5:2023 Broken Function Level Authorization
# ============================================================================================

def test_api5_admins_disable_and_enable_users_and_tokens_stop_at_once(world: World) -> None:
    api = world.login("exporter_a")
    target = user_id(world, "exporter_a")
    disabled = world.admin.post(f"/users/{target}/disable")
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    assert api.get("/users/me").status_code == 401
    assert login(world, "exporter_a").json()["detail"] == "this account is disabled"
    assert world.admin.post(f"/users/{target}/enable").status_code == 200
    assert login(world, "exporter_a").status_code == 200


def test_api5_admins_delete_users_and_the_username_becomes_free(world: World) -> None:
    target = user_id(world, "exporter_b")
    api = world.login("exporter_b")
    assert world.admin.client.delete(f"/users/{target}",
                                     headers=world.admin.headers).status_code == 204
    assert api.get("/users/me").status_code == 401
    assert login(world, "exporter_b").status_code == 401
    assert world.admin.get(f"/users/{target}").status_code == 404
    again = world.admin.post("/users", json={"username": "exporter_b", "password": "long-pass-1",
                                             "role": "exporter",
                                             "enterprise_id": world.enterprise_b})
    assert again.status_code == 201


def test_api5_only_admins_manage_users_and_not_their_own_account(world: World) -> None:
    target = user_id(world, "exporter_a")
    for other in (world.officer, world.exporter_a, world.port):
        assert other.post(f"/users/{target}/disable").status_code == 403
    admin_id = user_id(world, "admin")
    own = world.admin.post(f"/users/{admin_id}/disable")
    assert own.status_code == 409 and own.json()["code"] == "own_account"


# ============================================================================================
# API6:2023 Unrestricted Access to Sensitive Business Flows
# ============================================================================================

def test_api6_approval_binds_to_the_photos_the_officer_reviewed(world: World) -> None:
    filing = world.exporter_a.post("/filings", json=FILING).json()
    front = world.exporter_a.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                                  files={"file": ("f.jpg", jpeg_bytes(seed=7), "image/jpeg")})
    reviewed = [p["id"] for p in world.officer.get(f"/filings/{filing['id']}").json()["photos"]]
    assert reviewed == [front.json()["id"]]
    world.exporter_a.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                          files={"file": ("g.jpg", jpeg_bytes(seed=8), "image/jpeg")})
    stale = world.officer.post(f"/filings/{filing['id']}/approve",
                               json={"photo_ids": reviewed})
    assert stale.status_code == 409 and stale.json()["code"] == "filing_changed"
    assert "review the filing again" in stale.json()["detail"]
    assert world.officer.get(f"/filings/{filing['id']}").json()["status"] == "pending"
    current = [p["id"] for p in world.officer.get(f"/filings/{filing['id']}").json()["photos"]]
    approved = world.officer.post(f"/filings/{filing['id']}/approve",
                                  json={"photo_ids": current, "accept_missing_labels": True})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_api6_approval_without_the_reviewed_photo_ids_is_refused(world: World) -> None:
    filing = world.exporter_a.post("/filings", json=FILING).json()
    world.exporter_a.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                          files={"file": ("f.jpg", jpeg_bytes(seed=7), "image/jpeg")})
    response = world.officer.post(f"/filings/{filing['id']}/approve", json={"note": "ok"})
    assert response.status_code == 422 and "photo_ids" in response.json()["detail"]


# ============================================================================================
# API8:2023 Security Misconfiguration (input hygiene, headers, docs)
# ============================================================================================

NUL_PROBES = [
    ("post", "/auth/token", {"data": {"username": "a\x00", "password": "x"}}, "username"),
    ("get", "/certificates/CLC%00/verify", {}, "path"),
    ("get", "/verify/CLC%00X", {}, "path"),
    ("get", "/clearance?declaration_no=CL%00", {"as": "port"}, "declaration_no"),
    ("get", "/officer/declarations?q=%00", {}, "q"),
    ("get", "/assets/x%00", {}, "path"),
    ("post", "/declarations", {"json_vessel": "COSCO\u0000"}, "vessel"),
    ("post", "/declarations", {"json_vessel": "COSCO\ud800"}, "vessel"),
    ("post", "/declarations", {"json_goods_description": "Li\x07ion"}, "goods.0.description"),
]


@pytest.mark.parametrize(("method", "url", "options", "field"), NUL_PROBES,
                         ids=[f"{m} {u} {f}" for m, u, _, f in NUL_PROBES])
def test_api8_control_characters_give_422_naming_the_field(
        world: World, method: str, url: str, options: dict[str, Any], field: str) -> None:
    from tests.api.conftest import DECLARATION

    api = getattr(world, options.get("as", "exporter_a"))
    kwargs: dict[str, Any] = {}
    if "data" in options:
        kwargs["data"] = options["data"]
    if "json_vessel" in options:
        kwargs["content"] = json.dumps({**DECLARATION, "vessel": options["json_vessel"]})
    if "json_goods_description" in options:
        goods = [{**DECLARATION["goods"][0], "description": options["json_goods_description"]}]
        kwargs["content"] = json.dumps({**DECLARATION, "goods": goods})
    if "content" in kwargs:
        kwargs["headers"] = {**api.headers, "content-type": "application/json"}
        response = world.client.request(method.upper(), url, **kwargs)
    else:
        response = getattr(api, method)(url, **kwargs)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"{field}:"), response.json()
    assert response.json()["code"] == "unsafe_text"


def test_api8_ordinary_line_breaks_and_tabs_are_still_accepted(world: World) -> None:
    declaration = world.declaration(vessel="COSCO\tXIAMEN")
    assert declaration["vessel"] == "COSCO\tXIAMEN"


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00Z", "0001-01-01T00:00:00+14:00"])
def test_api8_out_of_range_datetimes_give_422(world: World, moment: str) -> None:
    world.screened()
    task = world.officer.get("/inspections").json()["items"][0]
    window = world.officer.post(f"/inspections/{task['id']}/appointment",
                                json={"window_start": moment, "window_end": moment})
    assert window.status_code == 422 and "window_start" in window.json()["detail"]
    stats = world.officer.get("/stats/release-times", params={"period_from": moment})
    assert stats.status_code == 422 and "period_from" in stats.json()["detail"]


def test_api8_image_responses_send_nosniff_and_the_exact_type(world: World) -> None:
    polyglot = jpeg_bytes(seed=4) + b"<html><script>alert(document.cookie)</script></html>"
    declaration = world.submitted()
    upload = world.exporter_a.post(f"/declarations/{declaration['id']}/photos",
                                   files={"file": ("x.html", polyglot, "text/html")})
    assert upload.status_code == 202, upload.text
    served = world.exporter_a.get(f"/declarations/{declaration['id']}/photos/"
                                  f"{upload.json()['id']}")
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert b"<script>" not in served.content  # re-encoded: the HTML half is gone


def test_api8_json_answers_send_nosniff_and_no_hsts_unless_configured(world: World) -> None:
    response = world.officer.get("/users/me")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers


def test_api8_hsts_is_sent_when_configured(make_world: Callable[..., World]) -> None:
    world = make_world(hsts_seconds=31_536_000)
    response = world.anonymous.get("/login")
    assert response.headers["strict-transport-security"] == ("max-age=31536000; "
                                                             "includeSubDomains")


def test_api8_docs_are_off_in_production_unless_asked_for(tmp_path: Path,
                                                          database_url: str) -> None:
    secret = "production-secret-0123456789abcdef0123456789"
    for api_docs, expected in ((None, 404), (True, 200)):
        settings = Settings(environment="production", data_dir=tmp_path, secret_key=secret,
                            database_url=database_url, screening_engine="none",
                            api_docs=api_docs)
        client = TestClient(create_app(settings))
        assert client.get("/openapi.json").status_code == expected
        assert client.get("/docs").status_code == expected


# ============================================================================================
# API9:2023 Improper Inventory Management (what is published, and how it is checked)
# ============================================================================================

def test_api9_the_signing_key_is_published_with_its_key_id(world: World) -> None:
    certificate = released_certificate(world)
    keys = world.anonymous.get("/.well-known/clearlane-keys.json")
    assert keys.status_code == 200
    published = keys.json()["keys"]
    verify = world.anonymous.get(f"/certificates/{certificate['certificate_no']}/verify").json()
    assert verify["key_id"] in {k["kid"] for k in published}
    assert all(k["kty"] == "OKP" and k["crv"] == "Ed25519" for k in published)


def test_api9_a_certificate_pdf_verifies_offline_and_a_tampered_one_does_not(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    certificate = released_certificate(world)
    keys = tmp_path / "clearlane-keys.json"
    keys.write_text(world.anonymous.get("/.well-known/clearlane-keys.json").text)
    genuine = tmp_path / "genuine.pdf"
    genuine.write_bytes(certificate["pdf"])
    assert customs_cli(["verify-pdf", str(genuine), "--keys", str(keys)]) == 0
    assert "GENUINE" in capsys.readouterr().out
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(certificate["pdf"].replace(certificate["container"].encode(),
                                                    b"MSKU1234565"))
    assert customs_cli(["verify-pdf", str(tampered), "--keys", str(keys)]) == 1
    assert "NOT GENUINE" in capsys.readouterr().out


def test_api9_verify_pdf_runs_as_python_m_customs(world: World, tmp_path: Path) -> None:
    certificate = released_certificate(world)
    keys = tmp_path / "keys.json"
    keys.write_text(world.anonymous.get("/.well-known/clearlane-keys.json").text)
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(certificate["pdf"])
    done = subprocess.run([sys.executable, "-m", "customs", "verify-pdf", str(pdf),
                           "--keys", str(keys)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert certificate["certificate_no"] in done.stdout
