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
* working hours: max / min over the officers on duty after the merge (leave → back, waiting
  for appointments included), and the same for busy time (travel + service); ``remote_h``
  is all the remote work of the day, the most a desk officer can be given.
"""

from __future__ import annotations

import itertools
import statistics
import sys
from datetime import datetime, timedelta
from typing import TextIO

import numpy as np

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
from .generate import CST

OFFICES = [
    Depot(id="SM-HQ", name="Sanming customs", lat=26.2634, lon=117.6389),
    Depot(id="SM-YA", name="Yong'an office", lat=25.9420, lon=117.3650),
]
SKILLS = ["food", "plants"]
GREEN = ["perishable", "live_animals", "fresh_food"]


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
    busy = [
        r.travel_hours + sum((x.end - x.start).total_seconds() for x in r.stops) / 3600
        for r in result.plan.routes
    ]
    driving = [r.working_hours for r in result.plan.routes if r.vehicle_id is not None]
    tasks = result.plan.problem.tasks
    remote_h = sum(t.remote_service_minutes for t in tasks if t.remote_ok) / 60
    exact, worst = detours_exact(result, plan)
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
        "max_h": max(hours),
        "min_h": min(hours),
        "busy_ratio": max(busy) / min(busy) if min(busy) > 0 else float("inf"),
        "vehicle_ratio": max(driving) / min(driving) if min(driving) > 0 else float("inf"),
        "remote_h": remote_h,
    }


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
        "max_h",
        "min_h",
        "remote_h",
        "busy_ratio",
        "vehicle_ratio",
    )
    print(" ".join(f"{c[:9]:>9}" for c in (*cols, "max/min")), file=out, flush=True)
    rows = []
    for k in range(days):
        r = measure_day(seed + k, plan_s, merge_s)
        rows.append(r)
        cells = [f"{r[c]:>9.2f}" if isinstance(r[c], float) else f"{r[c]!s:>9}" for c in cols]
        ratio = r["max_h"] / r["min_h"] if r["min_h"] > 0 else float("inf")
        print(" ".join(cells) + f" {ratio:>9.2f}", file=out, flush=True)
    ratios = [r["max_h"] / r["min_h"] if r["min_h"] > 0 else float("inf") for r in rows]
    print("", file=out)
    print(
        f"days {len(rows)}: silent drops {sum(r['silent_drops'] for r in rows)}, "
        f"remote km {sum(r['remote_km'] for r in rows):.3f}, "
        f"detours exact {sum(r['detours_exact'] for r in rows)}/{len(rows)} "
        f"(worst error {max(r['detour_error_s'] for r in rows)} s), "
        f"checker violations {sum(r['violations'] for r in rows)}, "
        f"max/min working hours median {statistics.median(ratios):.2f} "
        f"worst {max(ratios):.2f}, days with ratio <= 1.5: "
        f"{sum(x <= 1.5 for x in ratios)}/{len(rows)}; among vehicle officers median "
        f"{statistics.median(r['vehicle_ratio'] for r in rows):.2f} worst "
        f"{max(r['vehicle_ratio'] for r in rows):.2f}; busy time (travel + service) median "
        f"{statistics.median(r['busy_ratio'] for r in rows):.2f}",
        file=out,
        flush=True,
    )
    return rows
