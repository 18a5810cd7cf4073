"""Fast checks of the web pages without a browser: who may open what, the login cookie, the
language catalogue. (The browser flows are in test_browser_flows.py.)"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from customs.db import make_engine
from customs.demo import DEMO_PASSWORD, load
from customs.settings import Settings
from routes.app import create_app
from routes.pages.i18n import DEFAULT_LANGUAGE, extract_messages, missing

PAGES = {
    "exporter": ["/exporter", "/exporter/filings", "/exporter/filings/1",
                 "/exporter/declarations", "/exporter/declarations/new",
                 "/exporter/declarations/1"],
    "officer": ["/officer", "/officer/dispatch", "/officer/filings", "/officer/filings/1",
                "/officer/inspections", "/officer/inspections/1", "/officer/declarations",
                "/officer/declarations/1", "/officer/stats"],
    "port": ["/port"],
}
HOME = {"exporter": "/exporter", "exporter2": "/exporter", "officer": "/officer",
        "port": "/port"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("pages") / "data"
    data.mkdir()
    settings = Settings(environment="test", data_dir=Path(data), screening_engine="none",
                        secret_key="pages-test-secret-0123456789abcdef0123456789")
    engine = make_engine(settings.resolved_database_url)
    SQLModel.metadata.create_all(engine)
    load(engine, settings)
    engine.dispose()
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


def login(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == HOME[username]


@pytest.mark.parametrize("role", ["exporter", "officer", "port"])
def test_each_role_opens_its_own_pages_and_no_one_elses(client: TestClient, role: str) -> None:
    login(client, role)
    for owner, urls in PAGES.items():
        for url in urls:
            response = client.get(url, follow_redirects=False)
            expected = 200 if owner == role else 403
            assert response.status_code == expected, (role, url, response.text[:200])
            assert response.headers["content-type"].startswith("text/html")


def test_anonymous_visitors_are_sent_to_log_in(client: TestClient) -> None:
    client.cookies.clear()
    for url in [u for urls in PAGES.values() for u in urls]:
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    assert client.get("/verify").status_code == 200  # public


def test_the_login_cookie_is_httponly_strict_and_logout_clears_it(client: TestClient) -> None:
    client.cookies.clear()
    response = client.post("/login", data={"username": "officer", "password": DEMO_PASSWORD},
                           follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert "clearlane_token=" in cookie and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    token = response.cookies["clearlane_token"]
    me = client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "officer"  # the same JWT the API takes
    out = client.post("/logout", follow_redirects=False)
    assert out.status_code == 303 and 'clearlane_token=""' in out.headers["set-cookie"]


def test_a_wrong_password_is_refused_and_next_cannot_leave_the_site(client: TestClient) -> None:
    client.cookies.clear()
    refused = client.post("/login", data={"username": "officer", "password": "nope-nope"})
    assert refused.status_code == 401 and "用户名或密码错误" in refused.text
    response = client.post("/login", data={"username": "officer", "password": DEMO_PASSWORD,
                                           "next": "//evil.example/phish"},
                           follow_redirects=False)
    assert response.headers["location"] == "/officer"


def test_an_exporter_cannot_see_another_enterprises_declaration(client: TestClient) -> None:
    login(client, "exporter2")
    response = client.get("/exporter/declarations/1")
    assert response.status_code == 404
    assert client.get("/files/declarations/1/photos/1").status_code == 404


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    login(client, "port")
    response = client.post("/port/loaded", data={"declaration_no": "CL1"},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


def test_pages_send_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/login")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "http" not in policy  # nothing from elsewhere: no CDN, fonts or tiles
    for asset in ("/assets/app.css", "/assets/app.js", "/assets/favicon.svg"):
        body = client.get(asset).text.replace("http://www.w3.org/2000/svg", "")
        assert "http://" not in body and "https://" not in body
    assert client.get("/assets/../core.py").status_code == 404


def test_chinese_is_the_default_and_english_is_one_click_away(client: TestClient) -> None:
    client.cookies.clear()
    assert "登录" in client.get("/login").text
    client.get("/lang/en?next=/login")
    assert "Log in to ClearLane" in client.get("/login").text
    client.get("/lang/zh-CN")
    assert "登录" in client.get("/login").text


def test_every_user_visible_string_has_a_chinese_translation() -> None:
    assert len(extract_messages()) > 200
    assert missing(DEFAULT_LANGUAGE) == []
