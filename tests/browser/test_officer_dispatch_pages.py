"""Officer pages for inspections and dispatch, without a browser: priority order and filters,
one map per office, a navigation link per on-site stop, the merge confirmation."""

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, SQLModel

from customs.db import make_engine
from customs.demo import DEMO_PASSWORD, load
from customs.settings import Settings
from models import DispatchPlanRecord
from routes.app import create_app

DB: dict[str, str] = {}


@pytest.fixture(scope="module")
def officer(tmp_path_factory: pytest.TempPathFactory, port_morning: datetime
            ) -> Iterator[TestClient]:
    """The demo day, loaded and planned at 09:00 at the port (the demo's appointments fall on
    the day the next plan covers), whatever time the suite runs."""
    data = tmp_path_factory.mktemp("dispatch-pages") / "data"
    data.mkdir()
    settings = Settings(environment="test", data_dir=Path(data), screening_engine="none",
                        dispatch_time_limit_s=1.0, video_base_url="https://meet.customs.lan/",
                        secret_key="pages-test-secret-0123456789abcdef0123456789")
    DB["url"] = settings.resolved_database_url
    engine = make_engine(settings.resolved_database_url)
    SQLModel.metadata.create_all(engine)
    load(engine, settings)
    engine.dispose()
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        client.get("/lang/en")
        response = client.post("/login", data={"username": "officer", "password": DEMO_PASSWORD},
                               follow_redirects=False)
        assert response.status_code == 303
        yield client


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-testid="task-row".*?</tr>', html, flags=re.S)


def test_inspection_list_is_sorted_by_priority_and_shows_class_score_and_reason(
        officer: TestClient) -> None:
    html = officer.get("/officer/inspections?status=open").text
    rows = [r for r in _rows(html) if 'data-testid="escalated"' not in r]
    assert len(rows) >= 2
    scores = [int(re.search(r'<span class="small">(\d+)</span>', r).group(1))  # type: ignore[union-attr]
              for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert all('class="prio-' in r and 'class="small muted" lang="en"' in r for r in rows)


def test_inspection_list_filters_by_priority_class_and_mode(officer: TestClient) -> None:
    every = _rows(officer.get("/officer/inspections").text)
    green = _rows(officer.get("/officer/inspections?priority=green").text)
    assert green and len(green) < len(every)
    assert all('class="prio-green"' in r for r in green)
    remote = _rows(officer.get("/officer/inspections?mode=remote&priority=").text)
    assert remote and len(remote) < len(every)
    assert all("Remote (video)" in r for r in remote)


def _build(officer: TestClient) -> Response:
    """Starts the plan job, follows its progress page as the browser's polling would."""
    started = officer.post("/officer/dispatch/plans", follow_redirects=False)
    assert started.status_code == 303
    progress = started.headers["location"]
    assert re.fullmatch(r"/officer/dispatch/jobs/\d+", progress)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = officer.get(progress + "/status").json()
        assert 0 <= status["percent"] <= 100 and status["status"] != "failed"
        if status["plan_id"]:
            return officer.get(progress, follow_redirects=True)
        page = officer.get(progress, follow_redirects=False)
        assert page.status_code == 303 or 'data-testid="plan-progress"' in page.text
        time.sleep(0.2)
    raise AssertionError("the plan job did not finish in 60 s")


def test_dispatch_page_has_a_map_per_office_and_navigation_per_onsite_stop(
        officer: TestClient) -> None:
    built = _build(officer)
    assert built.status_code == 200 and "?done=built" in str(built.url)
    plan_id = re.search(r"/officer/dispatch/(\d+)", str(built.url)).group(1)  # type: ignore[union-attr]
    engine = make_engine(DB["url"])
    with Session(engine) as session:
        record = session.get(DispatchPlanRecord, int(plan_id))
        assert record is not None
        plan = record.plan
    engine.dispose()
    html = built.text
    offices = {r["depot_id"] for r in plan["routes"] if r["stops"]}
    assert html.count('data-testid="office-map"') == len(offices)
    onsite = [s for r in plan["routes"] for s in r["stops"] if s["mode"] == "onsite"]
    assert onsite
    links = re.findall(r'data-testid="navigate" href="(geo:[^"]+)"', html)
    assert len(links) == len(onsite)
    assert links[0].startswith(f"geo:{onsite[0]['lat']:.6f},{onsite[0]['lon']:.6f}")
    assert "🔒" not in html


def test_confirming_a_merge_needs_a_merge(officer: TestClient) -> None:
    built = _build(officer)
    plan_id = re.search(r"/officer/dispatch/(\d+)", str(built.url)).group(1)  # type: ignore[union-attr]
    response = officer.post(f"/officer/dispatch/{plan_id}/merge/confirm", follow_redirects=False)
    assert response.status_code == 422
    assert "no merge to confirm" in response.text


def test_remote_inspection_page_has_a_private_video_room_and_a_checklist(
        officer: TestClient) -> None:
    rows = _rows(officer.get("/officer/inspections?mode=remote").text)
    ids = [re.search(r'href="/officer/inspections/(\d+)"', r).group(1)  # type: ignore[union-attr]
           for r in rows]
    rooms = []
    for task_id in ids:
        html = officer.get(f"/officer/inspections/{task_id}").text
        room = re.search(r'data-testid="start-video" href="([^"]+)"', html)
        assert room is not None
        rooms.append(room.group(1))
    assert all(re.fullmatch(r"https://meet\.customs\.lan/clearlane-[0-9a-f]{32}", r) for r in rooms)
    assert rooms and len(set(rooms)) == len(rooms)
    onsite = _rows(officer.get("/officer/inspections?mode=onsite").text)
    onsite_id = re.search(r'href="/officer/inspections/(\d+)"', onsite[0]).group(1)  # type: ignore[union-attr]
    assert 'data-testid="start-video"' not in officer.get(f"/officer/inspections/{onsite_id}").text
