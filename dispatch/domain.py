"""The customs dispatch problem on top of the routing core: validation, model, plan, merge."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from pydantic import ValidationError

from .core import OrToolsModel, RoutingResult, RoutingSpec, SearchConfig, solve_spec
from .errors import ProblemError
from .model import (
    DispatchPlan,
    DispatchProblem,
    DroppedTask,
    EtaChange,
    MatrixTravel,
    MergedTask,
    MergeResult,
    OfficerRoute,
    PlannedStop,
    PlanTotals,
    Priority,
    SolverInfo,
    Task,
    UnmergedTask,
)
from .priority import green_delay_cost_per_second, late_cost_per_second, priority_of
from .travel import MatrixProvider, Point, provider_for

ACTIVE = ("open", "en_route", "in_service")


# ------------------------------------------------------------------- validation


def parse_problem(data: object) -> DispatchProblem:
    """Validate JSON-like data into a :class:`DispatchProblem` (ProblemError on failure)."""
    try:
        problem = DispatchProblem.model_validate(data)
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()))
            msgs.append(f"{loc}: {err.get('msg')}")
        raise ProblemError(msgs) from exc
    validate(problem)
    return problem


def validate(problem: DispatchProblem, extra_tasks: list[Task] | None = None) -> None:
    """Semantic checks; raises :class:`ProblemError` listing every problem found."""
    errors: list[str] = []

    def dupes(kind: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                errors.append(f"duplicate {kind} id '{i}'")
            seen.add(i)

    tasks = list(problem.tasks) + list(extra_tasks or [])
    dupes("depot", [d.id for d in problem.depots])
    dupes("officer", [o.id for o in problem.officers])
    dupes("task", [t.id for t in tasks])
    dupes(
        "vehicle",
        [o.vehicle_id for o in problem.officers if o.vehicle_id is not None],
    )
    depot_ids = {d.id for d in problem.depots}
    officer_ids = {o.id for o in problem.officers}
    known = set(problem.skills) if problem.skills is not None else None

    for d in problem.depots:
        if not (-90 <= d.lat <= 90 and -180 <= d.lon <= 180):
            errors.append(f"depot '{d.id}': coordinates ({d.lat}, {d.lon}) out of range")
    for o in problem.officers:
        if o.depot_id not in depot_ids:
            errors.append(f"officer '{o.id}': unknown depot '{o.depot_id}'")
        if o.shift_end < o.shift_start:
            errors.append(
                f"officer '{o.id}': shift ends ({o.shift_end.isoformat()}) before it starts "
                f"({o.shift_start.isoformat()})"
            )
        if known is not None:
            for s in o.skills:
                if s not in known:
                    errors.append(f"officer '{o.id}': unknown skill '{s}'")
    for t in tasks:
        if not (-90 <= t.lat <= 90 and -180 <= t.lon <= 180):
            errors.append(f"task '{t.id}': coordinates ({t.lat}, {t.lon}) out of range")
        if t.window is not None and t.window.end < t.window.start:
            errors.append(
                f"task '{t.id}': appointment window ends ({t.window.end.isoformat()}) before "
                f"it starts ({t.window.start.isoformat()})"
            )
        if known is not None and t.required_skill is not None and t.required_skill not in known:
            errors.append(f"task '{t.id}': unknown skill '{t.required_skill}'")
        if t.assigned_officer_id is not None and t.assigned_officer_id not in officer_ids:
            errors.append(f"task '{t.id}': assigned to unknown officer '{t.assigned_officer_id}'")
        if t.status in ("en_route", "in_service") and t.assigned_officer_id is None:
            errors.append(f"task '{t.id}': status '{t.status}' needs assigned_officer_id")
    if isinstance(problem.travel, MatrixTravel):
        try:
            prov = MatrixProvider(problem.travel)
        except ProblemError as exc:
            errors.extend(exc.messages)
        else:
            need = [d.id for d in problem.depots] + [
                t.id for t in tasks if not t.remote_ok and t.status in ACTIVE
            ]
            errors.extend(
                f"travel matrix has no row for location '{k}'" for k in prov.missing(need)
            )
    if errors:
        raise ProblemError(errors)


# ------------------------------------------------------------------ build model


@dataclass
class Lock:
    """A stop that must stay where it is: officer, order, fixed service start."""

    officer_id: str
    task_id: str
    start: datetime | None = None


@dataclass
class Built:
    problem: DispatchProblem
    spec: RoutingSpec
    origin: datetime
    now_s: int
    officers: list  # Officer per vehicle index
    tasks: list[Task]  # task per visit node (index = node - n_depots)
    n_depots: int
    node_of: dict[str, int]
    priority: dict[str, Priority]
    pre_dropped: dict[str, str]  # task id -> reason (not in the model)
    point_index: list[list[int]]  # per class: node -> point
    class_of_officer: list[int]
    dist_m: np.ndarray
    dur_s: np.ndarray
    locks: list[Lock] = field(default_factory=list)

    def secs(self, dt: datetime) -> int:
        return int((dt - self.origin).total_seconds())

    def at(self, s: float) -> datetime:
        return self.origin + timedelta(seconds=float(s))

    def task_of(self, node: int) -> Task:
        return self.tasks[node - self.n_depots]


def _service_s(t: Task) -> int:
    return round(60 * (t.remote_service_minutes if t.remote_ok else t.service_minutes))


def build(problem: DispatchProblem, locks: list[Lock] | None = None) -> Built:
    locks = locks or []
    now = problem.now
    starts = [o.shift_start for o in problem.officers]
    origin = min([now, *starts]).replace(second=0, microsecond=0)
    depots = list(problem.depots)
    depot_idx = {d.id: i for i, d in enumerate(depots)}
    locked_ids = {lk.task_id for lk in locks}
    tasks = [t for t in problem.tasks if t.status in ACTIVE or t.id in locked_ids]

    # Travel matrices: one provider call over depots + on-site task points.
    points = [Point(d.id, d.lat, d.lon) for d in depots]
    point_of_task: dict[str, int] = {}
    for t in tasks:
        if not t.remote_ok:
            point_of_task[t.id] = len(points)
            points.append(Point(t.id, t.lat, t.lon))
    dist_m, dur_s = provider_for(problem.travel).matrices(points)

    def secs(dt: datetime) -> int:
        return int((dt - origin).total_seconds())

    now_s = secs(now)
    horizon_dt = max([o.shift_end for o in problem.officers] or [now])
    for t in tasks:
        if t.window is not None:
            horizon_dt = max(horizon_dt, t.window.end)
    horizon = max(secs(horizon_dt), now_s) + 24 * 3600

    # Officers on duty (shift not over) become vehicles.
    officers = [
        o
        for o in problem.officers
        if secs(o.shift_end) > now_s or any(lk.officer_id == o.id for lk in locks)
    ]
    n_dep = len(depots)
    n = n_dep + len(tasks)
    node_of = {t.id: n_dep + i for i, t in enumerate(tasks)}

    # Matrix classes: (depot, has vehicle).
    class_keys: list[tuple[str, bool]] = []
    class_of_officer: list[int] = []
    for o in officers:
        key = (o.depot_id, o.vehicle_id is not None)
        if key not in class_keys:
            class_keys.append(key)
        class_of_officer.append(class_keys.index(key))
    dist_c: list[np.ndarray] = []
    time_c: list[np.ndarray] = []
    point_index: list[list[int]] = []
    for depot_id, has_vehicle in class_keys:
        dp = depot_idx[depot_id]
        pidx = list(range(n_dep)) + [point_of_task.get(t.id, dp) for t in tasks]
        point_index.append(pidx)
        if has_vehicle:
            ix = np.array(pidx, dtype=np.int64)
            dist_c.append(dist_m[np.ix_(ix, ix)])
            time_c.append(dur_s[np.ix_(ix, ix)])
        else:
            dist_c.append(np.zeros((n, n), dtype=np.int64))
            time_c.append(np.zeros((n, n), dtype=np.int64))
    if not class_keys:
        dist_c.append(np.zeros((n, n), dtype=np.int64))
        time_c.append(np.zeros((n, n), dtype=np.int64))

    service = np.zeros(n, dtype=np.int64)
    tw_start = np.zeros(n, dtype=np.int64)
    tw_end = np.full(n, horizon, dtype=np.int64)
    penalty = np.full(n, -1, dtype=np.int64)
    allowed: dict[int, list[int]] = {}
    soft_upper: dict[int, tuple[int, int]] = {}
    prio: dict[str, Priority] = {}
    pre_dropped: dict[str, str] = {}
    used_depots = {depot_idx[o.depot_id] for o in officers}
    inactive: set[int] = {i for i in range(n_dep) if i not in used_depots}
    officer_v = {o.id: v for v, o in enumerate(officers)}
    lock_start = {lk.task_id: lk.start for lk in locks}

    for t in tasks:
        node = node_of[t.id]
        p = priority_of(t, now)
        prio[t.id] = p
        service[node] = _service_s(t)
        penalty[node] = p.penalty
        is_locked = t.id in locked_ids
        lo = 0 if is_locked else now_s
        hi = horizon
        if t.window is not None and not is_locked:
            lo = max(lo, secs(t.window.start))
            if t.window.hard:
                hi = secs(t.window.end)
            else:
                soft_upper[node] = (secs(t.window.end), late_cost_per_second(p))
        if node not in soft_upper and p.priority_class == "green" and not is_locked:
            soft_upper[node] = (now_s, green_delay_cost_per_second(p))
        tw_start[node], tw_end[node] = lo, hi
        vs, why = _eligible(t, officers, problem)
        if is_locked:
            vs = [officer_v[lk.officer_id] for lk in locks if lk.task_id == t.id]
        elif not vs:
            pre_dropped[t.id] = why
        elif hi < lo:
            pre_dropped[t.id] = "appointment window ended before now"
        if t.id in pre_dropped:
            # Out of the model: kept unvisited.
            penalty[node] = 0
            inactive.add(node)
            tw_start[node], tw_end[node] = 0, horizon
            soft_upper.pop(node, None)
        elif len(vs) < len(officers):
            allowed[node] = [int(v) for v in vs]

    # Vehicles.
    v_start: list[int] = []
    v_window: list[tuple[int, int]] = []
    v_end_max: list[int] = []
    for o in officers:
        v_start.append(depot_idx[o.depot_id])
        lo = max(secs(o.shift_start), now_s)
        v_window.append((lo, max(lo, secs(o.shift_end))))
        v_end_max.append(max(lo, secs(o.shift_end)))

    spec_locked: dict[int, list[int]] = {}
    fixed_start: dict[int, int] = {}
    vehicle_fixed: dict[int, int] = {}
    for lk in locks:
        v = officer_v[lk.officer_id]
        spec_locked.setdefault(v, []).append(node_of[lk.task_id])
        if lk.start is not None:
            fixed_start[node_of[lk.task_id]] = secs(lk.start)
    for v, nodes in spec_locked.items():
        first = nodes[0]
        if first in fixed_start:
            # The officer left the depot in the past: any start that reaches the first
            # locked stop on time (the solver keeps the start minimal).
            v_window[v] = (0, v_window[v][1])
            v_end_max[v] = max(v_end_max[v], fixed_start[nodes[-1]] + int(service[nodes[-1]]))
    del lock_start, vehicle_fixed

    spec = RoutingSpec(
        num_nodes=n,
        dist=dist_c,
        time=time_c,
        service=service,
        tw_start=tw_start,
        tw_end=tw_end,
        vehicle_start=v_start,
        vehicle_end=list(v_start),
        vehicle_class=class_of_officer,
        vehicle_start_window=v_window,
        vehicle_end_max=v_end_max,
        horizon=int(horizon),
        penalty=penalty,
        allowed=allowed,
        soft_upper=soft_upper,
        locked=spec_locked,
        fixed_start=fixed_start,
        inactive=inactive,
        depot_nodes=set(range(n_dep)),
        coords=_planar([(d.lat, d.lon) for d in depots] + [(t.lat, t.lon) for t in tasks]),
    )
    return Built(
        problem=problem,
        spec=spec,
        origin=origin,
        now_s=now_s,
        officers=officers,
        tasks=tasks,
        n_depots=n_dep,
        node_of=node_of,
        priority=prio,
        pre_dropped=pre_dropped,
        point_index=point_index,
        class_of_officer=class_of_officer,
        dist_m=dist_m,
        dur_s=dur_s,
        locks=list(locks),
    )


def _planar(latlon: list[tuple[float, float]]) -> np.ndarray:
    """Equirectangular km coordinates (only a hint for the HGS seeder's neighbourhoods)."""
    a = np.asarray(latlon, dtype=float).reshape(-1, 2)
    lat0 = float(a[:, 0].mean()) if len(a) else 0.0
    return np.column_stack([a[:, 1] * 111.32 * np.cos(np.radians(lat0)), a[:, 0] * 110.57])


def _eligible(t: Task, officers: list, problem: DispatchProblem) -> tuple[list[int], str]:
    """Vehicles (officer indices) that may serve ``t``, or the reason none can."""
    all_skilled = [
        o for o in problem.officers if t.required_skill is None or t.required_skill in o.skills
    ]
    if t.required_skill is not None and not all_skilled:
        return [], f"no officer has the required skill '{t.required_skill}'"
    vs = []
    for v, o in enumerate(officers):
        if t.required_skill is not None and t.required_skill not in o.skills:
            continue
        if not t.remote_ok and o.vehicle_id is None:
            continue
        if t.assigned_officer_id is not None and o.id != t.assigned_officer_id:
            continue
        vs.append(v)
    if vs:
        return vs, ""
    if t.assigned_officer_id is not None:
        return [], f"assigned officer '{t.assigned_officer_id}' is not on duty or not eligible"
    skilled_on_duty = [
        o for o in officers if t.required_skill is None or t.required_skill in o.skills
    ]
    if t.required_skill is not None and not skilled_on_duty:
        return [], f"no officer on duty has the required skill '{t.required_skill}'"
    if not t.remote_ok:
        extra = f" with skill '{t.required_skill}'" if t.required_skill else ""
        return [], f"on-site inspection needs a vehicle and no officer on duty{extra} has one"
    return [], "no officer on duty"


# ------------------------------------------------------------------- schedule


@dataclass
class Timed:
    node: int
    arrival: int
    start: int
    end: int
    travel_m: int
    travel_s: int


def schedule(
    b: Built, v: int, route: list[int], delay_departure: bool = True
) -> tuple[int, list[Timed], int, int, int, bool]:
    """ASAP schedule: (depart, stops, back, distance_m, travel_s, feasible)."""
    s = b.spec
    c = s.vehicle_class[v]
    d, tm = s.dist[c], s.time[c]
    lo, _hi = s.vehicle_start_window[v]
    depot = s.vehicle_start[v]
    fixed = s.fixed_start
    depart = lo
    if route and route[0] in fixed:
        depart = max(0, fixed[route[0]] - int(tm[depot, route[0]]))
    elif route and delay_departure:
        first = route[0]
        arrive = lo + int(tm[depot, first])
        wait = int(s.tw_start[first]) - arrive
        if wait > 0:
            depart = min(lo + wait, s.vehicle_start_window[v][1])
    t = depart
    prev = depot
    out: list[Timed] = []
    feasible = True
    dist_total = 0
    travel_total = 0
    for node in route:
        arr = t + int(tm[prev, node])
        st = max(arr, int(s.tw_start[node]))
        if node in fixed:
            st = max(arr, fixed[node])
        if st > int(s.tw_end[node]):
            feasible = False
        en = st + int(s.service[node])
        out.append(Timed(node, arr, st, en, int(d[prev, node]), int(tm[prev, node])))
        dist_total += int(d[prev, node])
        travel_total += int(tm[prev, node])
        t = en
        prev = node
    back = t + int(tm[prev, depot]) if route else depart
    dist_total += int(d[prev, depot]) if route else 0
    travel_total += int(tm[prev, depot]) if route else 0
    if back > s.vehicle_end_max[v]:
        feasible = False
    return depart, out, back, dist_total, travel_total, feasible


# ---------------------------------------------------------------------- plan


def drop_reason(b: Built, node: int) -> str:
    t = b.task_of(node)
    if t.id in b.pre_dropped:
        return b.pre_dropped[t.id]
    s = b.spec
    vs = s.allowed.get(node, list(range(s.num_vehicles)))
    for v in vs:
        _, _, _, _, _, ok = schedule(b, v, [node], delay_departure=False)
        if ok:
            return (
                "not enough officer time today: eligible officers are fully booked with "
                "higher-priority or better-placed tasks; carry over to the next plan"
            )
    what = "the appointment window" if t.window is not None and t.window.hard else "the shift"
    return "cannot be reached, inspected and brought back within any eligible officer's shift" + (
        " and " + what if what != "the shift" else ""
    )


def make_plan(
    b: Built,
    res: RoutingResult,
    time_limit_s: float,
    seed: int,
    merged_ids: set[str] | None = None,
    locked_ids: set[str] | None = None,
) -> DispatchPlan:
    merged_ids = merged_ids or set()
    locked_ids = locked_ids or set()
    routes: list[OfficerRoute] = []
    tot_d = tot_travel = tot_work = 0.0
    n_on = n_rem = 0
    for v, o in enumerate(b.officers):
        route = res.routes[v] if v < len(res.routes) else []
        depart, timed, back, dist, travel, _ok = schedule(b, v, route)
        stops: list[PlannedStop] = []
        for k, tm in enumerate(timed, start=1):
            t = b.task_of(tm.node)
            w = t.window
            late = 0.0
            if w is not None and not w.hard:
                late = max(0.0, (b.at(tm.start) - w.end).total_seconds() / 60.0)
            stops.append(
                PlannedStop(
                    task_id=t.id,
                    sequence=k,
                    mode="remote" if t.remote_ok else "onsite",
                    lat=t.lat,
                    lon=t.lon,
                    arrival=b.at(tm.arrival),
                    start=b.at(tm.start),
                    end=b.at(tm.end),
                    window_start=w.start if w else None,
                    window_end=w.end if w else None,
                    window_hard=w.hard if w else None,
                    late_minutes=round(late, 1),
                    travel_km=round(tm.travel_m / 1000.0, 3),
                    travel_minutes=round(tm.travel_s / 60.0, 1),
                    priority=b.priority[t.id],
                    locked=t.id in locked_ids,
                    merged=t.id in merged_ids,
                    exporter=t.exporter,
                    address=t.address,
                    goods=t.goods,
                    goods_category=t.goods_category,
                    declaration_no=t.declaration_no,
                )
            )
            n_rem += t.remote_ok
            n_on += not t.remote_ok
        work = (back - depart) / 3600.0 if timed else 0.0
        routes.append(
            OfficerRoute(
                officer_id=o.id,
                vehicle_id=o.vehicle_id,
                depot_id=o.depot_id,
                start=b.at(depart),
                end=b.at(back),
                stops=stops,
                distance_km=round(dist / 1000.0, 3),
                travel_hours=round(travel / 3600.0, 3),
                working_hours=round(work, 3),
            )
        )
        tot_d += dist / 1000.0
        tot_travel += travel / 3600.0
        tot_work += work
    dropped = [
        DroppedTask(
            task_id=b.task_of(n).id, reason=drop_reason(b, n), priority=b.priority[b.task_of(n).id]
        )
        for n in res.dropped
    ]
    dropped.sort(key=lambda d: -d.priority.score)
    prior_merged = sum(1 for r in routes for s in r.stops if s.merged)
    return DispatchPlan(
        now=b.problem.now,
        routes=routes,
        dropped=dropped,
        totals=PlanTotals(
            distance_km=round(tot_d, 3),
            travel_hours=round(tot_travel, 3),
            working_hours=round(tot_work, 3),
            tasks_planned=n_on + n_rem,
            tasks_onsite=n_on,
            tasks_remote=n_rem,
            tasks_dropped=len(dropped),
            tasks_merged=prior_merged,
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


def _initial_locks(problem: DispatchProblem) -> list[Lock]:
    """Tasks already in service / en route become their officer's first, locked stops."""
    order = {"in_service": 0, "en_route": 1}
    busy = [t for t in problem.tasks if t.status in order and t.assigned_officer_id]
    busy.sort(key=lambda t: order[t.status])
    return [Lock(officer_id=t.assigned_officer_id or "", task_id=t.id) for t in busy]


def solve(
    problem: DispatchProblem,
    time_limit_s: float = 5.0,
    seed: int = 0,
    strict: bool = False,
    config: SearchConfig | None = None,
) -> DispatchPlan:
    """Build the day's plan.

    Every task is optional with a priority-scaled penalty, so a plan always comes back;
    unservable tasks are listed in ``plan.dropped`` with the reason. With ``strict=True`` a
    task that no officer could ever serve raises :class:`ProblemError` instead.
    """
    validate(problem)
    locks = _initial_locks(problem)
    b = build(problem, locks)
    if strict and b.pre_dropped:
        raise ProblemError(
            [f"task '{tid}' cannot be served: {why}" for tid, why in b.pre_dropped.items()]
        )
    cfg = config or SearchConfig()
    cfg.time_limit_s = max(0.1, time_limit_s)
    cfg.seed = seed
    res = solve_spec(b.spec, cfg)
    return make_plan(b, res, time_limit_s, seed, locked_ids={lk.task_id for lk in locks})


# ---------------------------------------------------------------------- merge


def _locked_prefixes(plan: DispatchPlan, now: datetime) -> list[Lock]:
    locks: list[Lock] = []
    for route in plan.routes:
        if not route.stops or route.start > now:
            continue
        prev_end = route.start
        for stop in route.stops:
            # The officer has left for (or reached, or finished) this stop.
            prev_departure = route.start if stop.sequence == 1 else prev_end
            if prev_departure <= now:
                locks.append(Lock(route.officer_id, stop.task_id, stop.start))
            prev_end = stop.end
    return locks


def _greedy_insert(b: Built, routes: list[list[int]], node: int) -> tuple[int, int] | None:
    """Cheapest feasible insertion (smallest extra travel time) of ``node``: (vehicle, pos)."""
    s = b.spec
    vs = s.allowed.get(node, list(range(s.num_vehicles)))
    best: tuple[int, int, int] | None = None
    for v in vs:
        if v < 0:
            continue
        route = routes[v]
        first_free = len(s.locked.get(v, []))
        tm = s.time[s.vehicle_class[v]]
        depot = s.vehicle_start[v]
        for pos in range(first_free, len(route) + 1):
            a = route[pos - 1] if pos > 0 else depot
            c = route[pos] if pos < len(route) else depot
            detour = int(tm[a, node]) + int(tm[node, c]) - int(tm[a, c])
            if best is not None and detour >= best[0]:
                continue
            cand = [*route[:pos], node, *route[pos:]]
            if schedule(b, v, cand, delay_departure=False)[5]:
                best = (detour, v, pos)
    return None if best is None else (best[1], best[2])


def merge(
    plan: DispatchPlan,
    new_tasks: list[Task],
    now: datetime,
    *,
    problem: DispatchProblem | None = None,
    time_limit_s: float = 1.0,
    seed: int = 0,
) -> MergeResult:
    """Merge ``new_tasks`` into a live ``plan`` at time ``now`` (追加派单).

    Stops the officer has already finished, is serving, or is driving to at ``now`` are
    locked (same officer, same order, same times). Each new task is first inserted where its
    detour (extra travel minutes) is smallest among feasible positions — that is the *first
    answer* — then OR-Tools improves the whole plan from that assignment for
    ``time_limit_s`` seconds (0 = first answer only). ``problem`` defaults to the snapshot
    stored in the plan; previously dropped tasks get another chance.
    """
    t0 = time.perf_counter()
    base = problem or plan.problem
    if now.tzinfo is None:
        raise ProblemError(["now: a timezone is required"])
    existing = {t.id for t in base.tasks}
    clash = [t.id for t in new_tasks if t.id in existing]
    if clash:
        raise ProblemError([f"task '{i}' is already in the plan" for i in clash])
    merged_problem = base.model_copy(update={"now": now, "tasks": [*base.tasks, *new_tasks]})
    validate(merged_problem)
    locks = _locked_prefixes(plan, now)
    b = build(merged_problem, locks)
    s = b.spec
    officer_v = {o.id: v for v, o in enumerate(b.officers)}

    # Starting routes: the previous plan (every stop that is still in the model).
    routes: list[list[int]] = [[] for _ in range(s.num_vehicles)]
    for r in plan.routes:
        v = officer_v.get(r.officer_id)
        if v is None:
            continue
        routes[v] = [b.node_of[st.task_id] for st in r.stops if st.task_id in b.node_of]
    # Keep only still-feasible unlocked stops (the clock moved on).
    for v in range(s.num_vehicles):
        nl = len(s.locked.get(v, []))
        kept = routes[v][:nl]
        for node in routes[v][nl:]:
            if schedule(b, v, [*kept, node], delay_departure=False)[5]:
                kept.append(node)
        routes[v] = kept
    new_ids = [t.id for t in new_tasks if t.id in b.node_of]
    order = sorted(new_ids, key=lambda i: -b.priority[i].score)
    for tid in order:
        if tid in b.pre_dropped:
            continue
        ins = _greedy_insert(b, routes, b.node_of[tid])
        if ins is not None:
            v, pos = ins
            routes[v].insert(pos, b.node_of[tid])
    first_answer = time.perf_counter() - t0

    served = {n for r in routes for n in r}
    greedy = RoutingResult(
        routes=[list(r) for r in routes],
        dropped=[n for n in s.visit_nodes() if n not in served],
        objective=-1,
        status="FIRST_ANSWER",
        seconds=first_answer,
        engine="greedy-insertion",
    )
    res = greedy
    if time_limit_s > 0:
        model = OrToolsModel(s)
        cfg = SearchConfig(time_limit_s=time_limit_s, seed=seed, use_hgs_seed=False)
        better = model.solve(cfg, time_limit_s, initial_routes=greedy.routes)
        if better is not None:
            res = better
    res.seconds = time.perf_counter() - t0

    prev_merged = {st.task_id for r in plan.routes for st in r.stops if st.merged}
    merged_now = {b.task_of(n).id for r in res.routes for n in r} & set(new_ids)
    new_plan = make_plan(
        b,
        res,
        time_limit_s,
        seed,
        merged_ids=prev_merged | merged_now,
        locked_ids={lk.task_id for lk in locks},
    )
    old_start = {st.task_id: st.start for r in plan.routes for st in r.stops}
    merged: list[MergedTask] = []
    for route in new_plan.routes:
        v = officer_v[route.officer_id]
        c = s.vehicle_class[v]
        tm, dm = s.time[c], s.dist[c]
        depot = s.vehicle_start[v]
        nodes = [b.node_of[st.task_id] for st in route.stops]
        for k, st in enumerate(route.stops):
            if st.task_id not in merged_now:
                continue
            a = nodes[k - 1] if k > 0 else depot
            z = nodes[k + 1] if k + 1 < len(nodes) else depot
            x = nodes[k]
            detour_s = int(tm[a, x]) + int(tm[x, z]) - int(tm[a, z])
            detour_m = int(dm[a, x]) + int(dm[x, z]) - int(dm[a, z])
            affected = [
                EtaChange(task_id=o.task_id, old_start=old_start.get(o.task_id), new_start=o.start)
                for o in route.stops[k + 1 :]
                if o.task_id not in merged_now and old_start.get(o.task_id) != o.start
            ]
            merged.append(
                MergedTask(
                    task_id=st.task_id,
                    officer_id=route.officer_id,
                    vehicle_id=route.vehicle_id,
                    position=st.sequence,
                    mode=st.mode,
                    start=st.start,
                    detour_minutes=round(detour_s / 60.0, 1),
                    detour_km=round(detour_m / 1000.0, 3),
                    affected=affected,
                    priority=st.priority,
                )
            )
    unmerged = [
        UnmergedTask(task_id=d.task_id, reason=d.reason, priority=d.priority)
        for d in new_plan.dropped
        if d.task_id in set(new_ids)
    ]
    return MergeResult(
        plan=new_plan,
        merged=merged,
        unmerged=unmerged,
        locked_task_ids=[lk.task_id for lk in locks],
        first_answer_seconds=round(first_answer, 4),
        seconds=round(time.perf_counter() - t0, 4),
    )
