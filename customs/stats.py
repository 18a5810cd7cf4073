"""Release-time figures in the manner of the WCO Time Release Study.

The clock starts at the goods' arrival where the declaration gives it (advance declarations), else
at submission, and stops at release. Figures are split by how the release came about.
"""

import statistics
from datetime import datetime

from sqlmodel import Session, col, select

from customs.transit import transit_minutes_by_route
from models import (
    Declaration,
    DurationStats,
    InspectionMode,
    InspectionOutcome,
    InspectionTask,
    ReleaseTimeStats,
    as_utc,
)

CHANNELS = ("green", "remote_inspection", "onsite_inspection")


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    position = (len(sorted_values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def summarise(minutes: list[float]) -> DurationStats:
    if not minutes:
        return DurationStats(count=0, mean_minutes=None, median_minutes=None, p90_minutes=None)
    ordered = sorted(minutes)
    return DurationStats(count=len(ordered), mean_minutes=round(statistics.fmean(ordered), 2),
                         median_minutes=round(statistics.median(ordered), 2),
                         p90_minutes=round(_percentile(ordered, 0.9), 2))


def release_times(session: Session, period_from: datetime | None, period_to: datetime | None
                  ) -> ReleaseTimeStats:
    query = select(Declaration).where(col(Declaration.released_at).is_not(None))
    if period_from:
        query = query.where(col(Declaration.released_at) >= period_from)
    if period_to:
        query = query.where(col(Declaration.released_at) < period_to)
    declarations = list(session.exec(query))
    passed = select(InspectionTask).where(InspectionTask.outcome == InspectionOutcome.passed)
    inspected_by = {t.declaration_id: t.mode for t in session.exec(passed)}
    groups: dict[str, list[float]] = {name: [] for name in CHANNELS}
    for declaration in declarations:
        start = declaration.arrival_at or declaration.submitted_at
        if start is None or declaration.released_at is None:
            continue
        minutes = (as_utc(declaration.released_at) - as_utc(start)).total_seconds() / 60
        mode = inspected_by.get(declaration.id)
        channel = ("green" if mode is None else
                   "remote_inspection" if mode == InspectionMode.remote else "onsite_inspection")
        groups[channel].append(max(minutes, 0.0))
    total = sum(len(v) for v in groups.values())
    return ReleaseTimeStats(
        start="arrival if declared, else submission",
        period_from=period_from, period_to=period_to,
        overall=summarise([m for v in groups.values() for m in v]),
        by_channel={name: summarise(values) for name, values in groups.items()},
        shares={name: round(len(values) / total, 4) if total else 0.0
                for name, values in groups.items()},
        transit_by_route={route: summarise(values) for route, values in
                          transit_minutes_by_route(session, period_from, period_to).items()},
    )
