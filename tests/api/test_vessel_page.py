"""The port operator's vessel loading page: the list in Chinese, bulk loading by scan, CSV."""

from fastapi.testclient import TestClient

from customs.security import create_access_token
from tests.api.conftest import World
from tests.api.port_helpers import released

VESSEL = {"vessel": "COSCO XIAMEN", "voyage": "041E"}


def _port_browser(world: World) -> TestClient:
    token = world.port.headers["Authorization"].removeprefix("Bearer ")
    client = world.client
    client.cookies.set("clearlane_token", token)
    return client


def test_the_vessel_page_lists_containers_in_chinese_and_loads_a_scanned_one(
        world: World) -> None:
    ok = released(world)
    held = world.screened()
    browser = _port_browser(world)
    page = browser.get("/port/vessel", params=VESSEL)
    assert page.status_code == 200
    assert "船舶直装清单" in page.text and "海关查检尚未完成" in page.text
    assert 'data-load-status="released"' in page.text and 'data-load-status="hold"' in page.text
    number = ok["containers"][0]["container_no"]
    loaded = browser.post("/port/vessel/load", data={**VESSEL, "scanned": f"{number}\n"
                          f"{held['containers'][0]['container_no']}"})
    assert loaded.status_code == 200
    assert "已装船 1 个，拒绝 1 个" in loaded.text
    assert f'data-container="{number}" data-load-status="loaded"' in loaded.text
    csv_file = browser.get("/port/vessel.csv", params=VESSEL)
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert number in csv_file.text


def test_the_vessel_page_is_for_port_operators_only(world: World) -> None:
    token = create_access_token(1, world.settings.secret_key, 5)  # the first user: exporter_a
    world.client.cookies.set("clearlane_token", token)
    page = world.client.get("/port/vessel", params=VESSEL, follow_redirects=False)
    assert page.status_code in (303, 403)
