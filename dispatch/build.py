"""From a validated :class:`DispatchProblem` to the integer :class:`RoutingSpec` the core solves.

Node numbering: depots first (``0 .. n_depots-1``), then one node per active task. Officers on
duty become vehicles, grouped into matrix classes ``(depot, has vehicle)``:

* a vehicle officer drives between on-site tasks; a remote task is done *at the office*, so
  its location for that officer is the depot, and the single-excursion rule
  (:attr:`RoutingSpec.single_excursion`) keeps remote tasks before the officer leaves or after
  they are back: a remote inspection never adds driving;
* an officer without a vehicle (desk officer) only does remote tasks; every arc is free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from .core import RoutingSpec, SpanBalance
from .model import Depot, DispatchProblem, Officer, Priority, Task
from .priority import green_delay_cost_per_second, late_cost_per_second, priority_of
from .travel import Point, provider_for
from .validate import ACTIVE

HORIZON_SLACK_S = 24 * 3600
"""The model's horizon runs this long past the last shift end or window end."""

BALANCE_COST = 2
"""Workload balance weight (objective unit: metres of driving). An officer's work (travel +
service, in minutes) beyond ``BALANCE_FLOOR`` × their fair share costs ``2 × excess²``:
at 2 h over, one more minute costs 480 m of driving; moving a 30-minute inspection from an
officer 4 h over to one 1 h over is worth ≈ 26 km of extra driving. The fair share is the
day's estimated work split in proportion to the officers' remaining shifts. Drop penalties
(≥ 1 000 km) dwarf it: no task is ever dropped for balance."""

BALANCE_FLOOR = 0.5
"""Work below half the fair share is free: short days are not penalised at all."""

WAIT_COST = 1
"""Cost (metres) per second of a vehicle officer's route span (leave → back): 3.6 km of
driving per hour out of the office, so an hour waiting in the field for an appointment window
is worth a 3.6 km longer route. Working time counts waiting in the field (see
:mod:`dispatch.schedule`), which the work dimension (travel + service) does not see. Chosen on
generated days 100–107 among 0, 1, 2 and 5 (vehicle officers' max / min median 1.42, 1.29,
1.33, 1.68)."""

MAX_TRIPS = 1
"""Field trips a vehicle officer may make in a day; between two they are back at the office,
where they may do video inspections."""

EXPIRED_WINDOW_REASON = "appointment window ended before now"


@dataclass(frozen=True)
class Lock:
    """A stop that must stay where it is: officer, order and (when given) service start."""

    officer_id: str
    task_id: str
    start: datetime | None = None


@dataclass
class BuiltProblem:
    """A problem translated for the core, with the mapping back to tasks and officers."""

    problem: DispatchProblem
    spec: RoutingSpec
    origin: datetime
    now_s: int
    officers: list[Officer]  # one per vehicle index
    tasks: list[Task]  # one per visit node (index = node - n_depots)
    n_depots: int
    node_of: dict[str, int]
    priority: dict[str, Priority]
    pre_dropped: dict[str, str] = field(default_factory=dict)  # task id -> reason
    expired: set[str] = field(default_factory=set)  # hard window already over

    def secs(self, dt: datetime) -> int:
        return int((dt - self.origin).total_seconds())

    def at(self, s: float) -> datetime:
        return self.origin + timedelta(seconds=float(s))

    def task_of(self, node: int) -> Task:
        return self.tasks[node - self.n_depots]

    def vehicle_of(self, officer_id: str) -> int | None:
        for v, o in enumerate(self.officers):
            if o.id == officer_id:
                return v
        return None


def service_seconds(t: Task) -> int:
    return round(60 * (t.remote_service_minutes if t.remote_ok else t.service_minutes))


def build(
    problem: DispatchProblem, locks: list[Lock] | None = None, *, balance: bool = True
) -> BuiltProblem:
    """Translate ``problem`` (already validated) with ``locks`` fixed in place."""
    locks = locks or []
    locked_ids = {lk.task_id for lk in locks}
    origin = min([problem.now, *(o.shift_start for o in problem.officers)]).replace(
        second=0, microsecond=0
    )

    def secs(dt: datetime) -> int:
        return int((dt - origin).total_seconds())

    now_s = secs(problem.now)
    depots = list(problem.depots)
    depot_idx = {d.id: i for i, d in enumerate(depots)}
    tasks = [t for t in problem.tasks if t.status in ACTIVE or t.id in locked_ids]
    locked_officers = {lk.officer_id for lk in locks}
    officers = [o for o in problem.officers if secs(o.shift_end) > now_s or o.id in locked_officers]
    n_dep = len(depots)
    node_of = {t.id: n_dep + i for i, t in enumerate(tasks)}
    horizon = _horizon(problem, tasks, secs, now_s)
    nodes = _TaskNodes.empty(n_dep + len(tasks), horizon)
    nodes.inactive |= set(range(n_dep)) - {depot_idx[o.depot_id] for o in officers}
    officer_v = {o.id: v for v, o in enumerate(officers)}
    for t in tasks:
        locked_on = [officer_v[lk.officer_id] for lk in locks if lk.task_id == t.id]
        nodes.add(t, node_of[t.id], problem, officers, locked_on, secs, now_s)

    v_window, v_end_max = _shift_windows(officers, secs, now_s)
    spec_locked, fixed_start = _lock_chains(locks, officer_v, node_of, secs)
    _open_departures_for_locks(spec_locked, fixed_start, nodes.service, v_window, v_end_max)
    remote_nodes = {node_of[t.id] for t in tasks if t.remote_ok}
    dist_c, time_c, class_of = _matrices(problem, depots, depot_idx, tasks, officers, len(nodes))
    v_start = [depot_idx[o.depot_id] for o in officers]
    spec = RoutingSpec(
        num_nodes=len(nodes),
        dist=dist_c,
        time=time_c,
        service=nodes.service,
        tw_start=nodes.tw_start,
        tw_end=nodes.tw_end,
        vehicle_start=v_start,
        vehicle_end=list(v_start),
        vehicle_class=class_of,
        vehicle_start_window=v_window,
        vehicle_end_max=v_end_max,
        horizon=int(horizon),
        penalty=nodes.penalty,
        allowed=nodes.allowed,
        soft_upper=nodes.soft_upper,
        locked=spec_locked,
        fixed_start=fixed_start,
        inactive=nodes.inactive,
        depot_nodes=set(range(n_dep)),
        office_nodes=set(range(n_dep)) | remote_nodes,
        single_excursion=[o.vehicle_id is not None for o in officers] if remote_nodes else [],
        max_trips=MAX_TRIPS,
        coords=_planar([(d.lat, d.lon) for d in depots] + [(t.lat, t.lon) for t in tasks]),
    )
    if balance and officers:
        spec.balance = _fair_shares(spec, [o.vehicle_id is not None for o in officers])
    return BuiltProblem(
        problem=problem,
        spec=spec,
        origin=origin,
        now_s=now_s,
        officers=officers,
        tasks=tasks,
        n_depots=n_dep,
        node_of=node_of,
        priority=nodes.priority,
        pre_dropped=nodes.pre_dropped,
        expired=nodes.expired,
    )


@dataclass
class _TaskNodes:
    """Per-node arrays and maps of the spec, filled one task at a time."""

    service: np.ndarray
    tw_start: np.ndarray
    tw_end: np.ndarray
    penalty: np.ndarray
    horizon: int
    allowed: dict[int, list[int]] = field(default_factory=dict)
    soft_upper: dict[int, tuple[int, int]] = field(default_factory=dict)
    inactive: set[int] = field(default_factory=set)
    priority: dict[str, Priority] = field(default_factory=dict)
    pre_dropped: dict[str, str] = field(default_factory=dict)
    expired: set[str] = field(default_factory=set)

    @classmethod
    def empty(cls, n: int, horizon: int) -> _TaskNodes:
        return cls(
            service=np.zeros(n, dtype=np.int64),
            tw_start=np.zeros(n, dtype=np.int64),
            tw_end=np.full(n, horizon, dtype=np.int64),
            penalty=np.full(n, -1, dtype=np.int64),
            horizon=horizon,
        )

    def __len__(self) -> int:
        return len(self.service)

    def add(
        self,
        t: Task,
        node: int,
        problem: DispatchProblem,
        officers: list[Officer],
        locked_on: list[int],
        secs: Callable[[datetime], int],
        now_s: int,
    ) -> None:
        p = priority_of(t, problem.now)
        self.priority[t.id] = p
        self.service[node] = service_seconds(t)
        self.penalty[node] = p.penalty
        lo, hi, soft = _service_window(t, p, bool(locked_on), secs, now_s, self.horizon)
        self.tw_start[node], self.tw_end[node] = lo, hi
        if soft is not None:
            self.soft_upper[node] = soft
        vs, why = (locked_on, "") if locked_on else eligible_vehicles(t, officers, problem)
        if not vs:
            self._leave_out(t, node, why)
        elif hi < lo:
            self._leave_out(t, node, EXPIRED_WINDOW_REASON)
            self.expired.add(t.id)
        elif len(vs) < len(officers):
            self.allowed[node] = [int(v) for v in vs]

    def _leave_out(self, t: Task, node: int, reason: str) -> None:
        """Not in the model (kept unvisited, no penalty); reported as dropped with ``reason``."""
        self.pre_dropped[t.id] = reason
        self.penalty[node] = 0
        self.inactive.add(node)
        self.tw_start[node], self.tw_end[node] = 0, self.horizon
        self.soft_upper.pop(node, None)


def _service_window(
    t: Task,
    p: Priority,
    locked: bool,
    secs: Callable[[datetime], int],
    now_s: int,
    horizon: int,
) -> tuple[int, int, tuple[int, int] | None]:
    """Earliest and latest service start, and the soft bound (bound, cost per second).

    Not before now (locked stops keep their times); a hard window bounds both ends, a soft
    one prices lateness; a green-channel task without one pays for every second of delay.
    """
    if locked:
        return 0, horizon, None
    lo, hi, soft = now_s, horizon, None
    if t.window is not None:
        lo = max(lo, secs(t.window.start))
        if t.window.hard:
            hi = secs(t.window.end)
        else:
            soft = (secs(t.window.end), late_cost_per_second(p))
    if soft is None and p.priority_class == "green":
        soft = (now_s, green_delay_cost_per_second(p))
    return lo, hi, soft


def _shift_windows(
    officers: list[Officer], secs: Callable[[datetime], int], now_s: int
) -> tuple[list[tuple[int, int]], list[int]]:
    """Departure window (not before now) and latest return of each officer."""
    windows: list[tuple[int, int]] = []
    end_max: list[int] = []
    for o in officers:
        lo = max(secs(o.shift_start), now_s)
        windows.append((lo, max(lo, secs(o.shift_end))))
        end_max.append(max(lo, secs(o.shift_end)))
    return windows, end_max


def _lock_chains(
    locks: list[Lock],
    officer_v: dict[str, int],
    node_of: dict[str, int],
    secs: Callable[[datetime], int],
) -> tuple[dict[int, list[int]], dict[int, int]]:
    chains: dict[int, list[int]] = {}
    fixed_start: dict[int, int] = {}
    for lk in locks:
        chains.setdefault(officer_v[lk.officer_id], []).append(node_of[lk.task_id])
        if lk.start is not None:
            fixed_start[node_of[lk.task_id]] = secs(lk.start)
    return chains, fixed_start


def _open_departures_for_locks(
    chains: dict[int, list[int]],
    fixed_start: dict[int, int],
    service: np.ndarray,
    windows: list[tuple[int, int]],
    end_max: list[int],
) -> None:
    """An officer who left the office in the past may have left at any time that reaches
    the first locked stop (the solver keeps it minimal), and is back after the last one."""
    for v, nodes in chains.items():
        if nodes[0] in fixed_start:
            windows[v] = (0, windows[v][1])
            end_max[v] = max(end_max[v], fixed_start[nodes[-1]] + int(service[nodes[-1]]))


def _horizon(
    problem: DispatchProblem, tasks: list[Task], secs: Callable[[datetime], int], now_s: int
) -> int:
    last = max([o.shift_end for o in problem.officers] or [problem.now])
    for t in tasks:
        if t.window is not None:
            last = max(last, t.window.end)
    return max(secs(last), now_s) + HORIZON_SLACK_S


def _matrices(
    problem: DispatchProblem,
    depots: list[Depot],
    depot_idx: dict[str, int],
    tasks: list[Task],
    officers: list[Officer],
    n: int,
) -> tuple[list[np.ndarray], list[np.ndarray], list[int]]:
    """Per matrix class ``(depot, has vehicle)``: distance (m) and time (s) between nodes.

    One provider call over depots + on-site task points. A remote task sits at the class's
    depot; a class without vehicle has all-zero matrices (the officer never drives).
    """
    points = [Point(d.id, d.lat, d.lon) for d in depots]
    point_of_task: dict[str, int] = {}
    for t in tasks:
        if not t.remote_ok:
            point_of_task[t.id] = len(points)
            points.append(Point(t.id, t.lat, t.lon))
    dist_m, dur_s = provider_for(problem.travel).matrices(points)

    class_keys: list[tuple[str, bool]] = []
    class_of: list[int] = []
    for o in officers:
        key = (o.depot_id, o.vehicle_id is not None)
        if key not in class_keys:
            class_keys.append(key)
        class_of.append(class_keys.index(key))
    dist_c: list[np.ndarray] = []
    time_c: list[np.ndarray] = []
    for depot_id, has_vehicle in class_keys or [("", False)]:
        if not has_vehicle:
            dist_c.append(np.zeros((n, n), dtype=np.int64))
            time_c.append(np.zeros((n, n), dtype=np.int64))
            continue
        here = depot_idx[depot_id]
        ix = np.array(
            list(range(len(depots))) + [point_of_task.get(t.id, here) for t in tasks],
            dtype=np.int64,
        )
        dist_c.append(dist_m[np.ix_(ix, ix)])
        time_c.append(dur_s[np.ix_(ix, ix)])
    return dist_c, time_c, class_of


def _fair_shares(spec: RoutingSpec, drives: list[bool]) -> SpanBalance:
    """Each officer's fair share of the day's work, proportional to their remaining shift.

    Work = service of every task in the model + for on-site tasks the travel time from the
    nearest other on-site task or office (a standard lower-bound estimate of driving).
    """
    visits = [i for i in spec.visit_nodes() if i not in spec.inactive and i not in spec.depot_nodes]
    work = float(sum(int(spec.service[i]) for i in visits))
    driving = [c for c, v in zip(spec.vehicle_class, spec.single_excursion, strict=False) if v]
    if driving:
        tm = spec.time[driving[0]]
        onsite = [i for i in visits if i not in spec.office_nodes]
        sources = sorted(spec.depot_nodes) + onsite
        for i in onsite:
            others = [int(tm[j, i]) for j in sources if j != i]
            work += min(others) if others else 0
    shifts = [
        max(0, hi_end - lo)
        for (lo, _hi), hi_end in zip(spec.vehicle_start_window, spec.vehicle_end_max, strict=True)
    ]
    total = sum(shifts) or 1
    minutes = [round(BALANCE_FLOOR * work * s / total / 60) for s in shifts]
    return SpanBalance(
        bounds=minutes,
        cost=BALANCE_COST,
        unit=60,
        span_cost=[WAIT_COST if d else 0 for d in drives],
    )


def _planar(latlon: list[tuple[float, float]]) -> np.ndarray:
    """Equirectangular km coordinates (only a hint for the HGS seeder's neighbourhoods)."""
    a = np.asarray(latlon, dtype=float).reshape(-1, 2)
    lat0 = float(a[:, 0].mean()) if len(a) else 0.0
    return np.column_stack([a[:, 1] * 111.32 * np.cos(np.radians(lat0)), a[:, 0] * 110.57])


def eligible_vehicles(
    t: Task, officers: list[Officer], problem: DispatchProblem
) -> tuple[list[int], str]:
    """Vehicles (indices into ``officers``) that may serve ``t``, or the reason none can."""
    vs = [v for v, o in enumerate(officers) if _may_serve(o, t)]
    if vs:
        return vs, ""
    return [], _why_nobody(t, officers, problem)


def _may_serve(o: Officer, t: Task) -> bool:
    if t.required_skill is not None and t.required_skill not in o.skills:
        return False
    if not t.remote_ok and o.vehicle_id is None:
        return False
    return t.assigned_officer_id is None or o.id == t.assigned_officer_id


def _why_nobody(t: Task, officers: list[Officer], problem: DispatchProblem) -> str:
    skill = t.required_skill
    if skill is not None and not any(skill in o.skills for o in problem.officers):
        return f"no officer has the required skill '{skill}'"
    if t.assigned_officer_id is not None:
        return f"assigned officer '{t.assigned_officer_id}' is not on duty or not eligible"
    if skill is not None and not any(skill in o.skills for o in officers):
        return f"no officer on duty has the required skill '{skill}'"
    if not t.remote_ok:
        extra = f" with skill '{skill}'" if skill else ""
        return f"on-site inspection needs a vehicle and no officer on duty{extra} has one"
    return "no officer on duty"
