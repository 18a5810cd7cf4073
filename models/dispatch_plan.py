from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.common import json_field, timestamp_field


class DispatchPlanRecord(SQLModel, table=True):
    """A stored dispatch plan: the problem it solved and the plan, both as JSON."""

    __tablename__ = "dispatch_plan"

    id: int | None = Field(default=None, primary_key=True)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    problem: dict[str, Any] = json_field(dict)
    plan: dict[str, Any] = json_field(dict)
    merges: list[dict[str, Any]] = json_field()
