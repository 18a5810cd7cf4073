"""The dispatch problem and plan formats (pydantic v2 models, JSON in and out).

Conventions
-----------
* Every instant is an ISO 8601 datetime **with a timezone** (``2025-11-26T08:00:00+08:00``).
  Naive datetimes are rejected. Internally the solver works in whole seconds after the
  earliest of ``now`` and the officers' shift starts.
* Durations are minutes (floats), distances kilometres in the output.
* Ids are free strings, unique per kind (depots, officers, tasks).

See ``dispatch/README.md`` for the full description and ``examples/dispatch/`` for an example.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Id = Annotated[str, Field(min_length=1, max_length=128)]

GREEN_CATEGORIES: frozenset[str] = frozenset(
    {"perishable", "live_animals", "fresh_food", "fresh", "live", "chilled", "frozen_food"}
)
"""Goods categories that go through the green channel (绿色通道)."""

TaskStatus = Literal["open", "en_route", "in_service", "done"]
RiskLevel = Literal["low", "medium", "high"]
PriorityClass = Literal["green", "appointment", "normal"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Depot(_Model):
    """A customs office: where officers start and end, and where remote inspections happen."""

    id: Id
    name: str | None = Field(default=None, max_length=200)
    lat: float
    lon: float


class Officer(_Model):
    """An inspection officer with a shift, skills and (optionally) a vehicle.

    An officer without a vehicle (``vehicle_id: null``) only does remote inspections, at the
    depot (office). An officer with a vehicle does on-site and remote inspections.
    """

    id: Id
    name: str | None = Field(default=None, max_length=200)
    depot_id: Id
    shift_start: AwareDatetime
    shift_end: AwareDatetime
    skills: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list)
    vehicle_id: Id | None = None


class TimeWindow(_Model):
    """An appointment: service must *start* between ``start`` and ``end``.

    ``hard=False`` makes the end soft: starting later is allowed at a lateness cost scaled by
    the task's priority (the start stays hard: an officer waits until ``start``).
    """

    start: AwareDatetime
    end: AwareDatetime
    hard: bool = True


class Task(_Model):
    """An inspection task (on-site at ``lat``/``lon``, or remote by video when ``remote_ok``)."""

    id: Id
    lat: float
    lon: float
    service_minutes: float = Field(default=60.0, ge=0)
    remote_ok: bool = False
    remote_service_minutes: float = Field(default=30.0, ge=0)
    window: TimeWindow | None = None
    goods_category: str = Field(default="general", max_length=64)
    required_skill: str | None = Field(default=None, max_length=64)
    risk_level: RiskLevel = "low"
    created_at: AwareDatetime | None = None
    # Assignment / progress. ``assigned_officer_id`` binds the task to one officer (hard).
    # ``en_route``/``in_service`` tasks need an assigned officer and become that officer's
    # first, locked stop; ``done`` tasks are ignored by the solver.
    assigned_officer_id: Id | None = None
    status: TaskStatus = "open"
    # Display-only details, echoed in the plan.
    exporter: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=400)
    goods: str | None = Field(default=None, max_length=400)
    declaration_no: str | None = Field(default=None, max_length=64)


class HaversineTravel(_Model):
    """Great-circle distance × ``road_factor`` driven at ``speed_kmh`` (default, no network)."""

    kind: Literal["haversine"] = "haversine"
    road_factor: float = Field(default=1.3, ge=1.0, le=5.0)
    speed_kmh: float = Field(default=40.0, gt=0, le=200)


class MatrixTravel(_Model):
    """An explicit matrix from any routing engine.

    ``locations`` lists depot and task ids; row/column ``i`` of both matrices is
    ``locations[i]``. Every depot and every on-site task must be listed.
    """

    kind: Literal["matrix"] = "matrix"
    locations: list[Id]
    distances_km: list[list[float]]
    durations_minutes: list[list[float]]


class OsrmTravel(_Model):
    """An OSRM server's ``table`` service (``/table/v1/{profile}/...``)."""

    kind: Literal["osrm"] = "osrm"
    base_url: str = Field(max_length=500)
    profile: str = Field(default="driving", max_length=32)
    timeout_s: float = Field(default=10.0, gt=0)


TravelModel = Annotated[HaversineTravel | MatrixTravel | OsrmTravel, Field(discriminator="kind")]


class DispatchProblem(_Model):
    """One day's dispatch problem."""

    now: AwareDatetime
    depots: list[Depot]
    officers: list[Officer]
    tasks: list[Task]
    skills: list[str] | None = Field(
        default=None,
        description="Known skills. When given, unknown officer/task skills are errors.",
    )
    travel: TravelModel = Field(default_factory=HaversineTravel)


# --------------------------------------------------------------------------- plan


class Priority(_Model):
    """A task's priority: class, numeric score, drop penalty and the human-readable why."""

    priority_class: PriorityClass = Field(alias="class")
    score: int
    penalty: int
    reason: str


class PlannedStop(_Model):
    task_id: str
    sequence: int
    mode: Literal["onsite", "remote"]
    lat: float
    lon: float
    arrival: datetime
    start: datetime
    end: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None
    window_hard: bool | None = None
    late_minutes: float = 0.0
    travel_km: float = 0.0
    travel_minutes: float = 0.0
    priority: Priority
    locked: bool = False
    merged: bool = False
    exporter: str | None = None
    address: str | None = None
    goods: str | None = None
    goods_category: str | None = None
    declaration_no: str | None = None


class OfficerRoute(_Model):
    officer_id: str
    vehicle_id: str | None
    depot_id: str
    start: datetime
    end: datetime
    stops: list[PlannedStop]
    distance_km: float
    travel_hours: float
    working_hours: float
    return_km: float = Field(
        default=0.0, description="drive back to the office (never charged to a remote stop)"
    )
    return_minutes: float = 0.0
    distance_m: int = Field(default=0, description="exact total, metres")
    travel_seconds: int = Field(default=0, description="exact total, seconds")


class AppointmentSlot(_Model):
    """A free slot: the task can start between ``start`` and ``end`` with this officer."""

    start: datetime
    end: datetime
    officer_id: str
    mode: Literal["onsite", "remote"]
    next_shift: bool = False


class DroppedTask(_Model):
    task_id: str
    reason: str
    priority: Priority
    escalated: bool = Field(
        default=False,
        description="needs an officer's attention now (e.g. its appointment window passed)",
    )
    proposed_slot: AppointmentSlot | None = Field(
        default=None, description="the earliest free slot to offer the exporter instead"
    )


class PlanTotals(_Model):
    distance_km: float
    travel_hours: float
    working_hours: float
    tasks_planned: int
    tasks_onsite: int
    tasks_remote: int
    tasks_dropped: int
    tasks_merged: int = 0


class SolverInfo(_Model):
    engine: str
    time_limit_s: float
    seed: int
    seconds: float
    objective: int
    status: str


class DispatchPlan(_Model):
    """The solver's answer. ``problem`` is the snapshot it was built from (merge uses it)."""

    now: datetime
    routes: list[OfficerRoute]
    dropped: list[DroppedTask]
    totals: PlanTotals
    solver: SolverInfo
    problem: DispatchProblem

    def stop_of(self, task_id: str) -> tuple[OfficerRoute, PlannedStop] | None:
        for route in self.routes:
            for stop in route.stops:
                if stop.task_id == task_id:
                    return route, stop
        return None


class EtaChange(_Model):
    task_id: str
    old_start: datetime | None
    new_start: datetime


class MergedTask(_Model):
    task_id: str
    officer_id: str
    vehicle_id: str | None
    position: int = Field(description="1-based sequence number in the officer's list")
    mode: Literal["onsite", "remote"]
    start: datetime
    detour_minutes: float
    detour_km: float
    detour_seconds: int = Field(
        description="exact: the route's travel after the merge minus before, in seconds "
        "(several tasks merged into one route share it in insertion order)"
    )
    detour_m: int
    affected: list[EtaChange]
    priority: Priority
    retried: bool = Field(default=False, description="was dropped by the previous plan")
    displaced_from: str | None = Field(
        default=None, description="officer whose list it had to leave (see displaced)"
    )


class Alternative(_Model):
    """A way to serve a task that did not fit; needs an officer's acceptance."""

    kind: Literal["other_officer", "remote", "next_shift"]
    officer_id: str
    start: datetime
    mode: Literal["onsite", "remote"]
    displaces: list[str] = Field(
        default_factory=list, description="stops that would leave that officer's list"
    )
    note: str


class UnmergedTask(_Model):
    task_id: str
    reason: str
    priority: Priority
    alternatives: list[Alternative] = Field(default_factory=list)
    escalated: bool = False
    proposed_slot: AppointmentSlot | None = None


class DisplacedTask(_Model):
    """A stop that was on a dispatched list and no longer is."""

    task_id: str
    officer_id: str
    previous_sequence: int
    reason: str
    priority: Priority


class MergeResult(_Model):
    plan: DispatchPlan
    merged: list[MergedTask]
    unmerged: list[UnmergedTask]
    displaced: list[DisplacedTask] = Field(
        default_factory=list,
        description="previously dispatched stops that left their list; confirm with the officer",
    )
    locked_task_ids: list[str]
    first_answer_seconds: float
    seconds: float
