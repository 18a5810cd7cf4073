"""The exporter's declaration page: the inspection's time, mode and video room, booking from
free slots, and the proposed new time once a booked window passed."""

import re
from datetime import timedelta

from sqlmodel import Session

from models import InspectionTask, utcnow
from tests.api.conftest import PASSWORD, World


def _login_page(world: World, username: str) -> None:
    world.client.get("/lang/en")
    response = world.client.post("/login", data={"username": username, "password": PASSWORD},
                                 follow_redirects=False)
    assert response.status_code == 303, response.text


def _page(world: World, declaration_id: int) -> str:
    response = world.client.get(f"/exporter/declarations/{declaration_id}")
    assert response.status_code == 200, response.text
    return response.text


def test_exporter_books_a_free_time_from_the_declaration_page(world: World) -> None:
    declaration = world.screened(remote_inspection_ok=False, inspection_latitude=24.50,
                                 inspection_longitude=118.00)
    _login_page(world, "exporter_a")
    html = _page(world, declaration["id"])
    assert 'data-testid="appointment"' in html and "not booked yet" in html
    times = re.findall(r'name="start" value="([^"]+)"', html)
    assert len(times) == 6
    booked = world.client.post(f"/exporter/declarations/{declaration['id']}/appointment",
                               data={"start": times[1]}, follow_redirects=True)
    assert booked.status_code == 200 and "Inspection appointment booked." in booked.text
    stored = world.exporter_a.get(f"/declarations/{declaration['id']}/appointment").json()
    assert stored["window_start"].replace("Z", "+00:00") == times[1]
    shown = re.search(r'data-testid="appointment-time">([^<]+)<', booked.text)
    assert shown is not None and re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d–\d\d:\d\d", shown.group(1))


def test_a_time_that_is_not_free_is_refused_with_the_free_ones(world: World) -> None:
    declaration = world.screened(remote_inspection_ok=False)
    _login_page(world, "exporter_a")
    odd = (utcnow() + timedelta(hours=3)).replace(second=7, microsecond=0).isoformat()
    response = world.client.post(f"/exporter/declarations/{declaration['id']}/appointment",
                                 data={"start": odd})
    assert response.status_code == 422 and "free slots:" in response.text
    garbled = world.client.post(f"/exporter/declarations/{declaration['id']}/appointment",
                                data={"start": "tomorrow"})
    assert garbled.status_code == 422 and "choose one of the free slots" in garbled.text


def test_a_passed_window_shows_the_proposed_new_time(world: World) -> None:
    declaration = world.screened(remote_inspection_ok=False)
    task_id = world.officer.get("/inspections").json()["items"][0]["id"]
    with Session(world.engine) as session:
        task = session.get(InspectionTask, task_id)
        assert task is not None
        task.window_start, task.window_end = (utcnow() - timedelta(hours=3),
                                              utcnow() - timedelta(hours=2))
        session.add(task)
        session.commit()
    _login_page(world, "exporter_a")
    html = _page(world, declaration["id"])
    assert 'data-testid="escalated"' in html and "Proposed new time:" in html
    assert 'data-testid="accept-proposal"' in html


def test_a_remote_inspection_page_links_the_video_room(world: World) -> None:
    world.settings.video_base_url = "https://meet.customs.lan"
    declaration = world.screened(remote_inspection_ok=True)
    _login_page(world, "exporter_a")
    room = re.search(r'data-testid="video-room" href="([^"]+)"', _page(world, declaration["id"]))
    assert room is not None
    assert re.fullmatch(r"https://meet\.customs\.lan/clearlane-[0-9a-f]{32}", room.group(1))


def test_another_exporters_declaration_page_and_booking_are_404(world: World) -> None:
    declaration = world.screened(remote_inspection_ok=False)
    _login_page(world, "exporter_b")
    assert world.client.get(f"/exporter/declarations/{declaration['id']}").status_code == 404
    response = world.client.post(f"/exporter/declarations/{declaration['id']}/appointment",
                                 data={"start": utcnow().isoformat()})
    assert response.status_code == 404
