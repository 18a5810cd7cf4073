from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field

# a calibration version's name: letters, digits, '.', '_' and '-'
CALIBRATION_VERSION_PATTERN = r"^[A-Za-z0-9._-]+$"


class CalibrationVersion(SQLModel, table=True):
    """A set of vision thresholds an admin applied; the newest active one is in force."""

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=60, unique=True)
    params: dict[str, Any] = json_field(dict)
    report: dict[str, Any] = json_field(dict)  # the proposal it came from (bounds, gains)
    active: bool = True
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = timestamp_field()


class ScreeningOutcome(SQLModel, table=True):
    """What an inspection found about one screening's reasons: the labelled field data
    calibration proposals are computed from."""

    id: int | None = Field(default=None, primary_key=True)
    screening_id: int = Field(foreign_key="screening.id", index=True)
    inspection_task_id: int = Field(foreign_key="inspectiontask.id", index=True)
    labels: dict[str, str] = json_field(dict)  # reason code → confirmed | false_alarm
    bad: bool  # the inspection found a real problem
    created_at: datetime = timestamp_field()


class CalibrationVersionPublic(SQLModel):
    id: int
    version: str
    params: dict[str, Any]
    report: dict[str, Any]
    active: bool
    created_at: UtcDatetime


class CalibrationApply(SQLModel):
    """Apply a proposal computed now from the labelled outcomes, under this version name."""

    version: str = Field(min_length=1, max_length=60, regex=CALIBRATION_VERSION_PATTERN)
    max_false_releases: int = Field(default=0, ge=0)
