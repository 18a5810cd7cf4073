from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field
from models.enums import JobStatus


class Job(SQLModel, table=True):
    """A durable background job (the outbox): written in the same transaction as the change
    that needs it, executed by the in-process worker or by Celery, and re-run after a crash.

    `active_key` is set while the job is pending or running and cleared when it ends; its
    unique constraint makes "one live screening per declaration" a database rule.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    declaration_id: int | None = Field(default=None, foreign_key="declaration.id", index=True)
    active_key: str | None = Field(default=None, max_length=80, unique=True)
    status: JobStatus = Field(default=JobStatus.pending, max_length=12, index=True)
    attempts: int = 0
    payload: dict[str, Any] = json_field(dict)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    run_after: datetime | None = timestamp_field(nullable=True)
    enqueued_at: datetime | None = timestamp_field(nullable=True)
    lease_until: datetime | None = timestamp_field(nullable=True)
    finished_at: datetime | None = timestamp_field(nullable=True)


class JobPublic(SQLModel):
    id: int
    kind: str
    declaration_id: int | None
    status: JobStatus
    attempts: int
    last_error: str
    created_at: UtcDatetime
    updated_at: UtcDatetime


class StuckScreening(SQLModel):
    """A declaration still in SCREENING long after its photos came in."""

    declaration_id: int
    declaration_no: str
    screening_since: UtcDatetime
    minutes: float
    job: JobPublic | None
