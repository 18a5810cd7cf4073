"""An exporter's inspection appointment: free slots, booking, and the booked time/video room."""

from typing import Annotated

from fastapi import APIRouter, Query

from customs import appointments
from models import AppointmentBooking, AppointmentPublic, AppointmentSlotPublic
from routes.deps import ExporterOrOfficer, RecordId, SessionDep, SettingsDep

router = APIRouter(prefix="/declarations", tags=["appointments"])
SlotCount = Annotated[int, Query(ge=1, le=24, description="how many free slots to list")]


@router.get("/{declaration_id}/appointment", response_model=AppointmentPublic)
def get_appointment(declaration_id: RecordId, session: SessionDep, settings: SettingsDep,
                    user: ExporterOrOfficer) -> AppointmentPublic:
    """The open inspection's time, mode and video room; once its window passed, escalated with
    a proposed new slot."""
    return appointments.appointment_of(session, settings, user, declaration_id)


@router.get("/{declaration_id}/appointment-slots", response_model=list[AppointmentSlotPublic])
def list_slots(declaration_id: RecordId, session: SessionDep, settings: SettingsDep,
               user: ExporterOrOfficer, count: SlotCount = 6) -> list[AppointmentSlotPublic]:
    """Free slots from the officers' shifts and the live plan, earliest first."""
    return appointments.free_slots(session, settings, user, declaration_id, count=count)


@router.post("/{declaration_id}/appointment", response_model=AppointmentPublic)
def book(declaration_id: RecordId, body: AppointmentBooking, session: SessionDep,
         settings: SettingsDep, user: ExporterOrOfficer) -> AppointmentPublic:
    """Books one free slot (422 `slot_not_free`, listing free times, for any other time)."""
    return appointments.book(session, settings, user, declaration_id, body.start)
