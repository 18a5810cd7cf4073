"""Solving a day's problem; turning core routes into the officer-facing DispatchPlan."""

from __future__ import annotations

from .build import BuiltProblem, Lock, build
from .core import RoutingResult, SearchConfig, solve_spec
from .errors import ProblemError
from .model import (
    DispatchPlan,
    DispatchProblem,
    DroppedTask,
    OfficerRoute,
    PlannedStop,
    PlanTotals,
    SolverInfo,
)
from .rebalance import rebalance
from .schedule import RouteSchedule, TimedStop, schedule_route
from .validate import validate

DOMAIN_SEARCH = SearchConfig(hgs_share=0.6)
"""Default search for inspection days: PyVRP HGS gets 60 % of the budget (it does not see the
balance and single-excursion rules), OR-Tools guided local search the rest."""

NO_TIME_LEFT_REASON = (
    "not enough officer time today: eligible officers are fully booked with "
    "higher-priority or better-placed tasks; carry over to the next plan"
)


def solve(
    problem: DispatchProblem,
    time_limit_s: float = 5.0,
    seed: int = 0,
    strict: bool = False,
    config: SearchConfig | None = None,
) -> DispatchPlan:
    """Build the day's plan.

    Every task is optional with a priority-scaled penalty, so a plan always comes back;
    unservable tasks are listed in ``plan.dropped`` with the reason (a task whose appointment
    window passed is ``escalated`` with a proposed new slot). With ``strict=True`` a task that
    no officer could ever serve raises :class:`ProblemError` instead. ``config`` is never
    modified.
    """
    validate(problem)
    locks = initial_locks(problem)
    b = build(problem, locks)
    if strict and b.pre_dropped:
        raise ProblemError(
            [f"task '{tid}' cannot be served: {why}" for tid, why in b.pre_dropped.items()]
        )
    cfg = (config or DOMAIN_SEARCH).with_budget(max(0.1, time_limit_s), seed)
    res = solve_spec(b.spec, cfg)
    if b.spec.balance is not None:
        res.routes = rebalance(b, res.routes)
    return make_plan(b, res, time_limit_s, seed, locked_ids={lk.task_id for lk in locks})


def initial_locks(problem: DispatchProblem) -> list[Lock]:
    """Tasks already in service / en route become their officer's first, locked stops."""
    order = {"in_service": 0, "en_route": 1}
    busy = [t for t in problem.tasks if t.status in order and t.assigned_officer_id]
    busy.sort(key=lambda t: order[t.status])
    return [Lock(officer_id=t.assigned_officer_id or "", task_id=t.id) for t in busy]


def drop_reason(b: BuiltProblem, node: int) -> str:
    """Why a task is not in the plan, from the most specific cause we can establish."""
    t = b.task_of(node)
    if t.id in b.pre_dropped:
        return b.pre_dropped[t.id]
    vs = b.spec.allowed.get(node, list(range(b.spec.num_vehicles)))
    if any(schedule_route(b, v, [node], delay_departure=False).feasible for v in vs):
        return NO_TIME_LEFT_REASON
    if t.window is not None and t.window.hard:
        return (
            "cannot be reached, inspected and brought back within any eligible officer's "
            "shift and the appointment window"
        )
    return "cannot be reached, inspected and brought back within any eligible officer's shift"


def make_plan(
    b: BuiltProblem,
    res: RoutingResult,
    time_limit_s: float,
    seed: int,
    merged_ids: set[str] | None = None,
    locked_ids: set[str] | None = None,
) -> DispatchPlan:
    """The officer-facing plan: routes re-timed ASAP, dropped tasks with reasons."""
    merged_ids = merged_ids or set()
    locked_ids = locked_ids or set()
    routes = [
        _officer_route(
            b,
            v,
            schedule_route(b, v, res.routes[v] if v < len(res.routes) else []),
            merged_ids,
            locked_ids,
        )
        for v in range(len(b.officers))
    ]
    dropped = [
        DroppedTask(
            task_id=b.task_of(n).id,
            reason=drop_reason(b, n),
            priority=b.priority[b.task_of(n).id],
            escalated=b.task_of(n).id in b.expired,
        )
        for n in res.dropped
    ]
    dropped.sort(key=lambda d: (-d.escalated, -d.priority.score))
    stops = [s for r in routes for s in r.stops]
    n_remote = sum(s.mode == "remote" for s in stops)
    plan = DispatchPlan(
        now=b.problem.now,
        routes=routes,
        dropped=dropped,
        totals=PlanTotals(
            distance_km=round(sum(r.distance_m for r in routes) / 1000.0, 3),
            travel_hours=round(sum(r.travel_seconds for r in routes) / 3600.0, 3),
            working_hours=round(sum(r.working_hours for r in routes), 3),
            tasks_planned=len(stops),
            tasks_onsite=len(stops) - n_remote,
            tasks_remote=n_remote,
            tasks_dropped=len(dropped),
            tasks_merged=sum(s.merged for s in stops),
        ),
        solver=SolverInfo(
            engine=res.engine,
            time_limit_s=time_limit_s,
            seed=seed,
            seconds=round(res.seconds, 3),
            objective=res.objective,
            status=res.status,
        ),
        problem=b.problem,
    )
    if any(d.escalated for d in plan.dropped):
        from .appointments import propose_slots  # appointments builds on finished plans

        plan = propose_slots(plan)
    return plan


def _officer_route(
    b: BuiltProblem, v: int, sched: RouteSchedule, merged_ids: set[str], locked_ids: set[str]
) -> OfficerRoute:
    o = b.officers[v]
    stops = [
        _planned_stop(b, k, ts, merged_ids, locked_ids) for k, ts in enumerate(sched.stops, start=1)
    ]
    return OfficerRoute(
        officer_id=o.id,
        vehicle_id=o.vehicle_id,
        depot_id=o.depot_id,
        start=b.at(sched.depart),
        end=b.at(sched.back),
        stops=stops,
        distance_km=round(sched.distance_m / 1000.0, 3),
        travel_hours=round(sched.travel_s / 3600.0, 3),
        working_hours=round(sched.working_s / 3600.0, 3),
        return_km=round(sched.return_m / 1000.0, 3),
        return_minutes=round(sched.return_s / 60.0, 1),
        distance_m=sched.distance_m,
        travel_seconds=sched.travel_s,
    )


def _planned_stop(
    b: BuiltProblem, k: int, ts: TimedStop, merged_ids: set[str], locked_ids: set[str]
) -> PlannedStop:
    t = b.task_of(ts.node)
    w = t.window
    late = 0.0
    if w is not None and not w.hard:
        late = max(0.0, (b.at(ts.start) - w.end).total_seconds() / 60.0)
    return PlannedStop(
        task_id=t.id,
        sequence=k,
        mode="remote" if t.remote_ok else "onsite",
        lat=t.lat,
        lon=t.lon,
        arrival=b.at(ts.arrival),
        start=b.at(ts.start),
        end=b.at(ts.end),
        window_start=w.start if w else None,
        window_end=w.end if w else None,
        window_hard=w.hard if w else None,
        late_minutes=round(late, 1),
        travel_km=round(ts.travel_m / 1000.0, 3),
        travel_minutes=round(ts.travel_s / 60.0, 1),
        priority=b.priority[t.id],
        locked=t.id in locked_ids,
        merged=t.id in merged_ids,
        exporter=t.exporter,
        address=t.address,
        goods=t.goods,
        goods_category=t.goods_category,
        declaration_no=t.declaration_no,
    )
