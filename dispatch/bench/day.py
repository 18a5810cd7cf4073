"""``python -m dispatch bench-day``: generated inspection days, planned at 08:00 and merged into
late in the morning, measured for what officers must be able to trust.

Each day: 2 offices (Sanming and Yong'an, ~45 km apart), 4-6 officers (one desk officer
without vehicle), 25-40 tasks of which 20-40 % remote, perishables with appointment windows,
then 3-6 new tasks merged at 11:00-11:30. Measured per day, recomputed independently of the
solver from the problem and the two plans:

* silent drops: a previously dispatched stop that is neither on its officer's list nor in
  ``displaced``; a new task neither merged nor unmerged; a task neither planned nor dropped;
* km attributed to remote tasks (``travel_km`` of remote stops, ``detour_km`` of merged ones);
* detour exactness: per route, Σ merged ``detour_seconds`` = travel after − travel before
  (kept stops), recomputed from the travel provider;
* ``max_wait_h``: the busiest officer's waiting in the field (part of their working hours);
  ``span_ratio``: max / min of leave → back (the definition before issue 11's balance work);
  ``plan_ratio``: max / min working hours of the 08:00 plan, before the merge;
* working hours (``OfficerRoute.working_hours``: driving + inspections + waiting in the field,
  see :mod:`dispatch.schedule`): max / min over the officers on duty after the merge, and the
  same among vehicle officers only; ``remote_h`` is all the remote work planned that day, the
  most a desk officer can be given;
* ``bound``: a lower bound on max / min that holds for *any* assignment of the planned tasks
  (:mod:`dispatch.workload_bound`); a day whose bound exceeds 1.5 cannot meet the target, and
  the reason is printed under the table;
* ``km`` and ``late_min``: total driving and soft-window lateness after the merge (what
  balance may cost);
* ``split``: the ratio this plan's own field work would give if it were split evenly among
  the vehicle officers and the desk officers had all the remote work (a diagnostic of how
  much is left to gain by assignment alone).
"""

from __future__ import annotations

import itertools
import math
import statistics
import sys
from datetime import datetime, timedelta
from typing import TextIO

import numpy as np

from ..build import service_seconds
from ..checker import check_plan
from ..merge import merge
from ..model import (
    Depot,
    DispatchPlan,
    DispatchProblem,
    MergeResult,
    Officer,
    OfficerRoute,
    Task,
    TimeWindow,
)
from ..plan import solve
from ..travel import Point, provider_for
from ..workload_bound import workload_bound
from .generate import CST

OFFICES = [
    Depot(id="SM-HQ", name="Sanming customs", lat=26.2634, lon=117.6389),
    Depot(id="SM-YA", name="Yong'an office", lat=25.9420, lon=117.3650),
]
SKILLS = ["food", "plants"]
GREEN = ["perishable", "live_animals", "fresh_food"]
TARGET_RATIO = 1.5
"""Issue 11's workload target: max / min working hours."""


def generate_day(seed: int, day: datetime | None = None) -> tuple[DispatchProblem, list[Task]]:
    """One day's problem (``now`` = 08:00) and the tasks that arrive late in the morning."""
    rng = np.random.default_rng(seed)
    day = day or datetime(2025, 11, 26, tzinfo=CST)
    d8 = day.replace(hour=8)
    n_officers = int(rng.integers(4, 7))
    officers = []
    for k in range(n_officers):
        desk = k == n_officers - 1
        officers.append(
            Officer(
                id=f"O{k + 1}",
                depot_id=OFFICES[k % 2].id if not desk else OFFICES[0].id,
                shift_start=d8 + timedelta(minutes=30),
                shift_end=d8 + timedelta(hours=9, minutes=30),
                skills=list(SKILLS) if k < 2 or desk else [SKILLS[k % 2]],
                vehicle_id=None if desk else f"V{k + 1}",
            )
        )
    n_tasks = int(rng.integers(25, 41))
    remote_share = float(rng.uniform(0.2, 0.4))
    tasks = [_task(rng, f"T{i + 1:02d}", d8, remote_share) for i in range(n_tasks)]
    n_new = int(rng.integers(3, 7))
    merge_at = d8 + timedelta(hours=3, minutes=int(rng.integers(0, 31)))
    new = [
        _task(rng, f"N{i + 1}", merge_at, remote_share).model_copy(update={"created_at": merge_at})
        for i in range(n_new)
    ]
    problem = DispatchProblem(now=d8, depots=OFFICES, officers=officers, tasks=tasks)
    return problem, new


def _task(rng: np.random.Generator, tid: str, t0: datetime, remote_share: float) -> Task:
    office = OFFICES[int(rng.integers(0, 2))]
    ang, r = rng.uniform(0, 2 * np.pi), 20.0 * np.sqrt(rng.uniform(0, 1))
    lat = office.lat + r * np.sin(ang) / 111.0
    lon = office.lon + r * np.cos(ang) / (111.0 * np.cos(np.radians(office.lat)))
    green = rng.random() < 0.2
    window = None
    if green or rng.random() < 0.2:
        start = t0 + timedelta(minutes=30 * int(rng.integers(1, 12)))
        window = TimeWindow(start=start, end=start + timedelta(hours=2), hard=bool(green))
    return Task(
        id=tid,
        lat=round(float(lat), 6),
        lon=round(float(lon), 6),
        service_minutes=float(rng.choice([20, 30, 45])),
        remote_ok=bool(rng.random() < remote_share),
        remote_service_minutes=float(rng.choice([15, 20, 30])),
        window=window,
        goods_category=str(rng.choice(GREEN)) if green else "general",
        required_skill=str(rng.choice(SKILLS)) if rng.random() < 0.4 else None,
        risk_level=str(rng.choice(["low", "medium", "high"])),  # type: ignore[arg-type]
        created_at=t0 - timedelta(hours=float(rng.uniform(0, 20))),
    )


def measure_day(seed: int, plan_s: float, merge_s: float) -> dict:
    problem, new = generate_day(seed)
    plan = solve(problem, time_limit_s=plan_s, seed=seed)
    now = max(t.created_at for t in new if t.created_at is not None)
    result = merge(plan, new, now, time_limit_s=merge_s, seed=seed)
    hours = [r.working_hours for r in result.plan.routes]
    spans = [
        (r.end - r.start).total_seconds() / 3600 if r.stops else 0.0 for r in result.plan.routes
    ]
    busiest = max(result.plan.routes, key=lambda r: r.working_hours)
    driving = [r.working_hours for r in result.plan.routes if r.vehicle_id is not None]
    planned = {s.task_id for r in result.plan.routes for s in r.stops}
    tasks = [t for t in result.plan.problem.tasks if t.id in planned]
    remote_h = sum(service_seconds(t) for t in tasks if t.remote_ok) / 3600
    exact, worst = detours_exact(result, plan)
    bound = workload_bound(result.plan)
    return {
        "seed": seed,
        "officers": len(problem.officers),
        "tasks": len(problem.tasks),
        "new": len(new),
        "violations": len(check_plan(problem, plan))
        + len(check_plan(result.plan.problem, result.plan)),
        "silent_drops": silent_drops(plan, new, result),
        "remote_km": remote_km(plan)
        + remote_km(result.plan)
        + sum(m.detour_km for m in result.merged if m.mode == "remote"),
        "detours_exact": exact,
        "detour_error_s": worst,
        "merged": len(result.merged),
        "unmerged": len(result.unmerged),
        "with_alternatives": sum(bool(u.alternatives) for u in result.unmerged),
        "displaced": len(result.displaced),
        "dropped": len(result.plan.dropped),
        "km": result.plan.totals.distance_km,
        "late_min": sum(s.late_minutes for r in result.plan.routes for s in r.stops),
        "max_h": max(hours),
        "min_h": min(hours),
        "remote_h": remote_h,
        "vehicle_ratio": _ratio(driving),
        "plan_ratio": _ratio([r.working_hours for r in plan.routes]),
        "ratio": _ratio(hours),
        "span_ratio": _ratio(spans),
        "max_wait_h": max(
            0.0,
            busiest.working_hours
            - busiest.travel_hours
            - sum((x.end - x.start).total_seconds() for x in busiest.stops) / 3600,
        ),
        "bound": bound.ratio,
        "bound_why": bound.reason,
        "split": even_split_ratio(result.plan),
    }


def _ratio(hours: list[float]) -> float:
    return max(hours) / min(hours) if hours and min(hours) > 0 else math.inf


def even_split_ratio(plan: DispatchPlan) -> float:
    """max / min if this plan's field work (working hours of vehicle officers minus their
    remote inspections) were split evenly among them and desk officers had all remote work."""
    desk = [r for r in plan.routes if r.vehicle_id is None]
    vehicle = [r for r in plan.routes if r.vehicle_id is not None]
    if not desk or not vehicle:
        return 1.0
    remote = (
        sum(
            (s.end - s.start).total_seconds()
            for r in plan.routes
            for s in r.stops
            if s.mode == "remote"
        )
        / 3600
    )
    field = sum(r.working_hours for r in vehicle) - sum(
        (s.end - s.start).total_seconds() / 3600
        for r in vehicle
        for s in r.stops
        if s.mode == "remote"
    )
    if remote == 0:
        return math.inf
    return max(1.0, (field / len(vehicle)) / (remote / len(desk)))


def silent_drops(before: DispatchPlan, new: list[Task], result: MergeResult) -> int:
    after = result.plan
    on = {(r.officer_id, s.task_id) for r in after.routes for s in r.stops}
    displaced = {d.task_id for d in result.displaced}
    count = sum(
        (r.officer_id, s.task_id) not in on and s.task_id not in displaced
        for r in before.routes
        for s in r.stops
    )
    answered = {m.task_id for m in result.merged} | {u.task_id for u in result.unmerged}
    count += sum(t.id not in answered for t in new)
    planned = {s.task_id for r in after.routes for s in r.stops}
    dropped = {d.task_id for d in after.dropped}
    count += sum(t.id not in planned | dropped for t in after.problem.tasks)
    return count


def remote_km(plan: DispatchPlan) -> float:
    return sum(s.travel_km for r in plan.routes for s in r.stops if s.mode == "remote")


def detours_exact(result: MergeResult, before: DispatchPlan) -> tuple[bool, int]:
    """Per route: Σ detour_seconds == travel(after) − travel(before minus displaced stops),
    both recomputed here from the travel provider."""
    problem = result.plan.problem
    travel = _travel_seconds(problem)
    gone = {d.task_id for d in result.displaced}
    old = {r.officer_id: r for r in before.routes}
    worst = 0
    for r in result.plan.routes:
        prev = old.get(r.officer_id)
        prev_ids = [s.task_id for s in prev.stops if s.task_id not in gone] if prev else []
        claimed = sum(m.detour_seconds for m in result.merged if m.officer_id == r.officer_id)
        actual = travel(r, [s.task_id for s in r.stops]) - travel(r, prev_ids)
        worst = max(worst, abs(claimed - actual))
    return worst == 0, worst


def _travel_seconds(problem: DispatchProblem):
    tasks = {t.id: t for t in problem.tasks}
    points = [Point(d.id, d.lat, d.lon) for d in problem.depots]
    points += [Point(t.id, t.lat, t.lon) for t in problem.tasks if not t.remote_ok]
    where = {p.key: i for i, p in enumerate(points)}
    _dist, dur = provider_for(problem.travel).matrices(points)

    def travel(route: OfficerRoute, ids: list[str]) -> int:
        if route.vehicle_id is None or not ids:
            return 0
        path = [route.depot_id]
        path += [route.depot_id if tasks[i].remote_ok else i for i in ids]
        path.append(route.depot_id)
        return sum(int(dur[where[a], where[b]]) for a, b in itertools.pairwise(path))

    return travel


def run_bench_day(
    days: int = 20,
    seed: int = 0,
    plan_s: float = 3.0,
    merge_s: float = 1.0,
    out: TextIO = sys.stdout,
) -> list[dict]:
    cols = (
        "seed",
        "officers",
        "tasks",
        "new",
        "merged",
        "unmerged",
        "with_alternatives",
        "displaced",
        "silent_drops",
        "remote_km",
        "detours_exact",
        "violations",
        "km",
        "late_min",
        "max_h",
        "min_h",
        "remote_h",
        "max_wait_h",
        "span_ratio",
        "vehicle_ratio",
        "split",
        "bound",
        "plan_ratio",
        "ratio",
    )
    print(" ".join(f"{c[:9]:>9}" for c in cols), file=out, flush=True)
    rows = []
    for k in range(days):
        r = measure_day(seed + k, plan_s, merge_s)
        rows.append(r)
        cells = [f"{r[c]:>9.2f}" if isinstance(r[c], float) else f"{r[c]!s:>9}" for c in cols]
        print(" ".join(cells), file=out, flush=True)
    print("", file=out)
    for r in rows:
        if r["bound"] > TARGET_RATIO:
            print(f"day {r['seed']}: bound {r['bound']:.2f}: {r['bound_why']}", file=out)
    print(summary(rows), file=out, flush=True)
    return rows


def _median(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f}" if xs else "-"


def summary(rows: list[dict]) -> str:
    ratios = [r["ratio"] for r in rows]
    balanceable = [r for r in rows if r["bound"] <= TARGET_RATIO]
    return (
        f"days {len(rows)}: silent drops {sum(r['silent_drops'] for r in rows)}, "
        f"remote km {sum(r['remote_km'] for r in rows):.3f}, "
        f"detours exact {sum(r['detours_exact'] for r in rows)}/{len(rows)} "
        f"(worst error {max(r['detour_error_s'] for r in rows)} s), "
        f"checker violations {sum(r['violations'] for r in rows)}, "
        f"km {sum(r['km'] for r in rows):.0f}, late min {sum(r['late_min'] for r in rows):.0f}, "
        f"max/min working hours median {statistics.median(ratios):.2f} "
        f"worst {max(ratios):.2f}; feasible days <= {TARGET_RATIO}: "
        f"{sum(r['ratio'] <= TARGET_RATIO for r in balanceable)} of {len(balanceable)} "
        f"(median {_median([r['ratio'] for r in balanceable])}); "
        f"infeasible days (bound > {TARGET_RATIO}, no assignment can meet it): "
        f"{len(rows) - len(balanceable)}; all days <= {TARGET_RATIO}: "
        f"{sum(x <= TARGET_RATIO for x in ratios)}/{len(rows)}; "
        f"before the merge median {statistics.median(r['plan_ratio'] for r in rows):.2f}; "
        f"leave -> back (the previous definition) median "
        f"{statistics.median(r['span_ratio'] for r in rows):.2f}; "
        f"among vehicle officers median "
        f"{statistics.median(r['vehicle_ratio'] for r in rows):.2f} worst "
        f"{max(r['vehicle_ratio'] for r in rows):.2f}"
    )
