"""Merge latency benchmark: a live plan of N tasks, then M new tasks arrive mid-morning."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from ..checker import check_plan
from ..merge import merge
from ..plan import solve
from .generate import generate_new_tasks, generate_problem


def run_bench_merge(
    tasks: int = 100,
    new: int = 5,
    officers: int = 14,
    seed: int = 0,
    time_limit_s: float = 1.0,
    repeats: int = 3,
) -> dict:
    problem = generate_problem(n_tasks=tasks, n_officers=officers, seed=seed, radius_km=30)
    # A long enough day that most tasks fit: the point is the merge, not the plan.
    t0 = time.perf_counter()
    plan = solve(problem, time_limit_s=5.0, seed=seed)
    plan_s = time.perf_counter() - t0
    now = problem.now + timedelta(hours=3)
    new_tasks = generate_new_tasks(problem, new, seed)
    firsts: list[float] = []
    totals: list[float] = []
    result = None
    for _ in range(repeats):
        result = merge(plan, new_tasks, now, time_limit_s=time_limit_s, seed=seed)
        firsts.append(result.first_answer_seconds)
        totals.append(result.seconds)
    assert result is not None
    violations = check_plan(result.plan.problem, result.plan)
    return {
        "live_plan_tasks": plan.totals.tasks_planned,
        "live_plan_dropped": plan.totals.tasks_dropped,
        "plan_seconds": round(plan_s, 2),
        "new_tasks": new,
        "merged": len(result.merged),
        "unmerged": [u.model_dump(mode="json", by_alias=True) for u in result.unmerged],
        "locked_stops": len(result.locked_task_ids),
        "first_answer_seconds_median": round(statistics.median(firsts), 4),
        "first_answer_seconds_max": round(max(firsts), 4),
        "total_seconds_median": round(statistics.median(totals), 4),
        "improvement_budget_s": time_limit_s,
        "feasible": not violations,
        "violations": violations[:10],
        "detours_minutes": {m.task_id: m.detour_minutes for m in result.merged},
    }
