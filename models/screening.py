from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field
from models.enums import Channel, CreditLevel, VisionDecision


class Screening(SQLModel, table=True):
    """One screening run and the channel decision it led to, with everything that explains it."""

    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="declaration.id", index=True)
    photo_ids: list[int] = json_field()
    photo_sha256s: list[str] = json_field()  # exactly the photos this decision rests on
    vision_decision: VisionDecision | None = Field(default=None, max_length=20)
    reasons: list[dict[str, Any]] = json_field()
    scores: dict[str, Any] = json_field(dict)
    evidence: list[str] = json_field()  # sha256 of evidence images
    channel: Channel | None = Field(default=None, max_length=10)
    credit_level: CreditLevel = Field(max_length=20)
    sampling_rate: float = 0.0
    sampling_draw: float | None = None
    sampled: bool = False
    rule_hits: list[str] = json_field()
    model_version: str = Field(default="", max_length=40)  # the vision engine that judged
    calibration_version: str = Field(default="", max_length=60)  # its thresholds
    created_at: datetime = timestamp_field()


class Reason(SQLModel):
    code: str
    message: str
    photo_ids: list[int] = []  # the photos it comes from; empty: about the whole declaration


class ScreeningPublic(SQLModel):
    id: int
    declaration_id: int
    photo_ids: list[int]
    photo_sha256s: list[str]
    vision_decision: VisionDecision | None
    reasons: list[Reason]
    scores: dict[str, Any]
    evidence_urls: list[str]
    channel: Channel | None
    credit_level: CreditLevel
    sampling_rate: float
    sampling_draw: float | None
    sampled: bool
    rule_hits: list[str]
    model_version: str = ""
    calibration_version: str = ""
    created_at: UtcDatetime
