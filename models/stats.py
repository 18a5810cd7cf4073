from sqlmodel import Field, SQLModel

from models.common import UtcDatetime


class DurationStats(SQLModel):
    """Release time in minutes, Time Release Study style."""

    count: int
    mean_minutes: float | None
    median_minutes: float | None
    p90_minutes: float | None


class ReleaseTimeStats(SQLModel):
    start: str  # "arrival" or "submission"
    period_from: UtcDatetime | None
    period_to: UtcDatetime | None
    overall: DurationStats
    by_channel: dict[str, DurationStats]
    shares: dict[str, float]
    transit_by_route: dict[str, DurationStats] = Field(
        default_factory=dict,
        description="export transit under e-seal: departure → arrival, by route")
