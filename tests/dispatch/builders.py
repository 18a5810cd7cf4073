"""The small world the dispatch tests plan in: one office in Sanming, a November morning,
officers with a vehicle unless told otherwise, and tasks placed relative to the office."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from dispatch import Depot, DispatchProblem, Officer, Task

CST = timezone(timedelta(hours=8))
DAY = datetime(2025, 11, 26, 8, 0, tzinfo=CST)
HQ = Depot(id="HQ", lat=26.2634, lon=117.6389)


def officer(oid: str, hours: float = 9, *, vehicle: bool = True,
            skills: list[str] | None = None, start: datetime = DAY) -> Officer:
    return Officer(id=oid, depot_id="HQ", shift_start=start,
                   shift_end=start + timedelta(hours=hours), skills=skills or [],
                   vehicle_id=f"V-{oid}" if vehicle else None)


def task(tid: str, dlat: float = 0.0, dlon: float = 0.0, **kw: Any) -> Task:
    return Task(id=tid, lat=HQ.lat + dlat, lon=HQ.lon + dlon, **kw)


def problem(officers: list[Officer], tasks: list[Task], **kw: Any) -> DispatchProblem:
    return DispatchProblem(now=DAY, depots=[HQ], officers=officers, tasks=tasks, **kw)
