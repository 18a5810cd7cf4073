"""The exporter's side of an inspection: its time, mode and video room, the free slots to book
from, and a new slot proposed once a booked window has passed.

Exporters reach a task only through their own declaration (another enterprise's declaration
answers 'not found', see `customs.scoping`). A task whose window passed without an inspection
is escalated: officers see it at the top of their list (`dispatching.window_passed`) and the
exporter is offered the earliest free slot instead. It is never dropped silently.
"""

from datetime import datetime

from sqlmodel import Session

import dispatch
from customs import audit, declarations, dispatching, inspections, transaction
from customs.errors import Conflict
from customs.settings import Settings
from models import (
    AppointmentPublic,
    AppointmentSlotPublic,
    InspectionMode,
    InspectionStatus,
    InspectionTask,
    User,
    as_utc,
    utcnow,
)

BOOKABLE = (InspectionStatus.open, InspectionStatus.scheduled)


def open_task(session: Session, declaration_id: int) -> InspectionTask | None:
    """The declaration's inspection still to be done (the newest), if any."""
    tasks = [t for t in inspections.tasks_for(session, declaration_id) if t.status in BOOKABLE]
    return tasks[-1] if tasks else None


def _bookable_task(session: Session, user: User, declaration_id: int) -> InspectionTask:
    declaration = declarations.get_declaration(session, user, declaration_id)
    task = open_task(session, declaration.id)
    if task is None:
        raise Conflict(f"declaration {declaration.declaration_no} has no inspection waiting "
                       "for an appointment (it is "
                       f"{declaration.status.value}); slots exist only while an inspection is "
                       "open", code="no_open_inspection")
    return task


def slot_public(slot: dispatch.AppointmentSlot) -> AppointmentSlotPublic:
    return AppointmentSlotPublic(start=slot.start, end=slot.end,
                                 mode=InspectionMode(slot.mode), next_shift=slot.next_shift)


def escalated(task: InspectionTask, now: datetime | None = None) -> bool:
    """The booked window is over and the inspection has not been done."""
    return (task.status in BOOKABLE and task.window_end is not None
            and as_utc(task.window_end) < (now or utcnow()))


def view(session: Session, settings: Settings, task: InspectionTask) -> AppointmentPublic:
    """The appointment as the exporter sees it; an escalated one comes with a proposed slot."""
    assert task.id is not None
    late = escalated(task)
    proposal = None
    if late:
        slots = dispatching.appointment_slots(session, settings, task, count=1)
        proposal = slot_public(slots[0]) if slots else None
    return AppointmentPublic(
        task_id=task.id, mode=task.mode, status=task.status, window_start=task.window_start,
        window_end=task.window_end, video_room_url=inspections.video_room_url(settings, task),
        escalated=late, proposed_slot=proposal)


def appointment_of(session: Session, settings: Settings, user: User, declaration_id: int
                   ) -> AppointmentPublic:
    return view(session, settings, _bookable_task(session, user, declaration_id))


def free_slots(session: Session, settings: Settings, user: User, declaration_id: int, *,
               count: int = 6) -> list[AppointmentSlotPublic]:
    """Free start times for the declaration's inspection, earliest first (perishables are
    offered the earliest ones; other goods start after the reserve the engine keeps)."""
    task = _bookable_task(session, user, declaration_id)
    return [slot_public(s) for s in
            dispatching.appointment_slots(session, settings, task, count=count)]


def book(session: Session, settings: Settings, user: User, declaration_id: int,
         start: datetime) -> AppointmentPublic:
    """Books the free slot starting at `start` (422 `slot_not_free`, listing free times, if it
    is not one). The task keeps its place in the live plan until the next merge re-plans it."""
    task = _bookable_task(session, user, declaration_id)
    chosen = dispatching.book_slot(session, settings, task, start)
    audit.record(session, task.declaration_id, user, "appointment_booked",
                 reason=f"inspection booked for {chosen.start.isoformat()} "
                        f"({chosen.mode}{', next shift' if chosen.next_shift else ''})")
    transaction.commit(session)
    return view(session, settings, task)
