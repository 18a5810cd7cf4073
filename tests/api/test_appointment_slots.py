"""Exporters book inspection appointments from free slots computed by the dispatch engine."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from customs import dispatching
from customs.errors import Invalid
from models import InspectionTask, as_utc, utcnow
from tests.api.conftest import World


def _task(world: World, **overrides: object) -> int:
    declaration = world.screened(remote_inspection_ok=False, inspection_latitude=24.50,
                                 inspection_longitude=118.00, **overrides)
    assert declaration["status"] == "INSPECTION_REQUIRED"
    return max(t["id"] for t in world.officer.get("/inspections").json()["items"])


def test_free_slots_offer_perishables_earlier_and_booking_sets_the_window(world: World) -> None:
    normal_id = _task(world)
    fresh_id = _task(world, goods_category="fresh_food")
    with Session(world.engine) as session:
        normal = session.get(InspectionTask, normal_id)
        fresh = session.get(InspectionTask, fresh_id)
        assert normal is not None and fresh is not None
        normal_slots = dispatching.appointment_slots(session, world.settings, normal)
        fresh_slots = dispatching.appointment_slots(session, world.settings, fresh)
        assert normal_slots and fresh_slots
        assert fresh_slots[0].start <= normal_slots[0].start
        assert normal_slots[0].start >= utcnow() + timedelta(minutes=59)
        chosen = dispatching.book_slot(session, world.settings, normal, normal_slots[1].start)
        assert chosen.start == normal_slots[1].start
        session.commit()
        session.refresh(normal)
        assert normal.window_start is not None
        assert as_utc(normal.window_start) == chosen.start


def test_booking_a_time_that_is_not_free_says_which_are(world: World) -> None:
    task_id = _task(world)
    with Session(world.engine) as session:
        task = session.get(InspectionTask, task_id)
        assert task is not None
        odd = utcnow().replace(second=7, microsecond=0) + timedelta(hours=2)
        with pytest.raises(Invalid, match="not a free slot; free slots: "):
            dispatching.book_slot(session, world.settings, task, odd)
