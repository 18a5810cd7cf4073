from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field
from models.enums import GoodsCategory, InspectionMode, InspectionOutcome, InspectionStatus


class InspectionTask(SQLModel, table=True):
    """Work for an officer: on site at the exporter's premises, or by live video."""

    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="declaration.id", index=True)
    mode: InspectionMode = Field(max_length=10)
    status: InspectionStatus = Field(default=InspectionStatus.open, max_length=12, index=True)
    goods_category: GoodsCategory = Field(max_length=20)
    address: str = Field(default="", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    window_start: datetime | None = timestamp_field(nullable=True)
    window_end: datetime | None = timestamp_field(nullable=True)
    service_minutes: int = 45
    required_skill: str | None = Field(default=None, max_length=40)
    risk_level: int = Field(default=1, description="1 low .. 3 high")
    reasons: list[str] = json_field()
    evidence_sha256s: list[str] = json_field()  # result photos (content-addressed store)
    officer_id: int | None = Field(default=None, foreign_key="user.id")
    outcome: InspectionOutcome | None = Field(default=None, max_length=10)
    notes: str = Field(default="", max_length=4000)
    created_at: datetime = timestamp_field()
    completed_at: datetime | None = timestamp_field(nullable=True)


class InspectionTaskPublic(SQLModel):
    id: int
    declaration_id: int
    declaration_no: str
    enterprise_id: int
    mode: InspectionMode
    status: InspectionStatus
    goods_category: GoodsCategory
    address: str
    latitude: float | None
    longitude: float | None
    window_start: UtcDatetime | None
    window_end: UtcDatetime | None
    service_minutes: int
    required_skill: str | None
    risk_level: int
    reasons: list[str]
    evidence_sha256s: list[str] = Field(default_factory=list,
                                        description="photos the officer took as evidence")
    officer_id: int | None
    outcome: InspectionOutcome | None
    notes: str
    created_at: UtcDatetime
    completed_at: UtcDatetime | None
    priority_class: str = Field(description="green (perishable/live), appointment or normal")
    priority_score: int
    priority_reason: str


class InspectionResult(SQLModel):
    outcome: InspectionOutcome
    notes: str = Field(default="", max_length=4000)


class AppointmentUpdate(SQLModel):
    window_start: UtcDatetime
    window_end: UtcDatetime


class AppointmentSlotPublic(SQLModel):
    """A free time an inspection can start (and the mode it would be done in)."""

    start: UtcDatetime
    end: UtcDatetime
    mode: InspectionMode
    next_shift: bool = Field(default=False, description="in the next shift, not today's")


class AppointmentBooking(SQLModel):
    start: UtcDatetime = Field(description="the start of one of the free slots")


class AppointmentPublic(SQLModel):
    """What the exporter sees of the inspection of their declaration."""

    task_id: int
    mode: InspectionMode
    status: InspectionStatus
    window_start: UtcDatetime | None
    window_end: UtcDatetime | None
    video_room_url: str | None = Field(description="remote inspections: the video room")
    escalated: bool = Field(description="the booked window passed without an inspection")
    proposed_slot: AppointmentSlotPublic | None = Field(
        description="escalated: the earliest free slot, offered to book instead")
