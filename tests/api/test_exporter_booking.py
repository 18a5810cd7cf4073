"""Exporters see and book the inspection of their own declarations through the API."""

from datetime import timedelta

from sqlmodel import Session

from models import InspectionTask, utcnow
from tests.api.conftest import World


def _inspected(world: World, **overrides: object) -> dict:  # type: ignore[type-arg]
    declaration = world.screened(remote_inspection_ok=False, inspection_latitude=24.50,
                                 inspection_longitude=118.00, **overrides)
    assert declaration["status"] == "INSPECTION_REQUIRED"
    return declaration


def _slots(world: World, declaration_id: int) -> list[dict]:  # type: ignore[type-arg]
    response = world.exporter_a.get(f"/declarations/{declaration_id}/appointment-slots")
    assert response.status_code == 200, response.text
    return response.json()


def test_exporter_books_a_free_slot_and_sees_it_as_the_appointment(world: World) -> None:
    declaration = _inspected(world)
    slots = _slots(world, declaration["id"])
    assert len(slots) == 6 and [s["start"] for s in slots] == sorted(s["start"] for s in slots)
    booked = world.exporter_a.post(f"/declarations/{declaration['id']}/appointment",
                                   json={"start": slots[2]["start"]})
    assert booked.status_code == 200, booked.text
    seen = world.exporter_a.get(f"/declarations/{declaration['id']}/appointment").json()
    assert seen["window_start"] == slots[2]["start"] == booked.json()["window_start"]
    assert seen["mode"] == "onsite" and seen["video_room_url"] is None
    assert not seen["escalated"] and seen["proposed_slot"] is None
    events = world.exporter_a.get(f"/declarations/{declaration['id']}/events").json()
    assert any(e["action"] == "appointment_booked" for e in events)


def test_perishables_are_offered_earlier_slots_than_other_goods(world: World) -> None:
    normal = _inspected(world)
    fresh = _inspected(world, goods_category="fresh_food")
    fresh_first = _slots(world, fresh["id"])[0]
    normal_first = _slots(world, normal["id"])[0]
    # Strictly earlier during a shift (other goods wait out the engine's reserve for
    # perishables); before a shift both start with its first slot.
    assert fresh_first["start"] <= normal_first["start"]


def test_booking_a_time_that_is_not_free_answers_422_listing_free_times(world: World) -> None:
    declaration = _inspected(world)
    odd = (utcnow().replace(second=7, microsecond=0) + timedelta(hours=2)).isoformat()
    response = world.exporter_a.post(f"/declarations/{declaration['id']}/appointment",
                                     json={"start": odd})
    assert response.status_code == 422
    assert response.json()["code"] == "slot_not_free"
    assert "free slots: " in response.json()["detail"]


def test_another_exporters_declaration_answers_404(world: World) -> None:
    declaration = _inspected(world)
    url = f"/declarations/{declaration['id']}"
    assert world.exporter_b.get(f"{url}/appointment-slots").status_code == 404
    assert world.exporter_b.get(f"{url}/appointment").status_code == 404
    slot = _slots(world, declaration["id"])[0]["start"]
    assert world.exporter_b.post(f"{url}/appointment", json={"start": slot}).status_code == 404


def test_a_declaration_without_an_open_inspection_has_no_slots(world: World) -> None:
    draft = world.declaration()
    response = world.exporter_a.get(f"/declarations/{draft['id']}/appointment-slots")
    assert response.status_code == 409 and response.json()["code"] == "no_open_inspection"


def test_a_passed_window_is_escalated_with_a_new_slot_proposed(world: World) -> None:
    declaration = _inspected(world)
    task_id = world.officer.get("/inspections").json()["items"][0]["id"]
    with Session(world.engine) as session:
        task = session.get(InspectionTask, task_id)
        assert task is not None
        task.window_start = utcnow() - timedelta(hours=3)
        task.window_end = utcnow() - timedelta(hours=2)
        session.add(task)
        session.commit()
    seen = world.exporter_a.get(f"/declarations/{declaration['id']}/appointment").json()
    assert seen["escalated"] is True
    proposal = seen["proposed_slot"]
    assert proposal is not None and proposal["start"] > utcnow().isoformat()
    rebooked = world.exporter_a.post(f"/declarations/{declaration['id']}/appointment",
                                     json={"start": proposal["start"]})
    assert rebooked.status_code == 200, rebooked.text
    assert rebooked.json()["escalated"] is False


def test_a_remote_inspection_shows_its_video_room_to_the_exporter(world: World) -> None:
    world.settings.video_base_url = "https://meet.customs.lan"
    declaration = world.screened(remote_inspection_ok=True)
    seen = world.exporter_a.get(f"/declarations/{declaration['id']}/appointment").json()
    assert seen["mode"] == "remote"
    assert seen["video_room_url"].startswith("https://meet.customs.lan/clearlane-")
