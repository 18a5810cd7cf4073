"""Merging newly arrived tasks into a live plan (追加派单), with guarantees officers can trust.

1. **Dispatched lists stay.** Every stop of the previous plan stays with the same officer, in
   the same relative order; new tasks are only inserted between them. Stops being driven to,
   served or finished at ``now`` are locked (same times too).
2. **Nothing disappears silently.** A stop that can no longer be kept (the clock moved past its
   window or the officer's shift) is listed in ``displaced`` with the reason and where it went
   (another officer, or the dropped list).
3. **Tasks that do not fit come back with alternatives**: another officer if lower-priority
   stops were moved (``displaces`` names them), a remote video inspection, the next shift.
4. **Exact detours.** For each route, the detours of the tasks merged into it (in insertion
   order) add up exactly to the route's travel after the merge minus before.
"""

from __future__ import annotations

import time
from datetime import datetime

from .build import BuiltProblem, Lock, build
from .core import OrToolsModel, RoutingResult, SearchConfig
from .errors import ProblemError
from .insertion import best_insertion, feasible_prefix
from .merge_report import Alternatives, displaced_report, lost_reason, merged_report
from .model import DispatchPlan, DispatchProblem, MergeResult, Task, UnmergedTask
from .plan import make_plan
from .rebalance import rebalance
from .validate import validate


def merge(
    plan: DispatchPlan,
    new_tasks: list[Task],
    now: datetime,
    *,
    problem: DispatchProblem | None = None,
    time_limit_s: float = 1.0,
    seed: int = 0,
) -> MergeResult:
    """Merge ``new_tasks`` into ``plan`` at ``now``; see the module docstring for guarantees.

    Each task (previously displaced or dropped ones first, then by priority) is inserted where
    its detour is smallest — the *first answer* — then OR-Tools may move the *inserted* tasks
    for ``time_limit_s`` seconds (0 = first answer only); kept stops never change officer or
    order. ``problem`` defaults to the snapshot stored in the plan.
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
    locks = locked_prefixes(plan, now)
    b = build(merged_problem, locks)

    kept, lost, lost_reasons = keep_dispatched(plan, b)
    b.spec.kept_order = {v: list(r) for v, r in enumerate(kept) if r}

    new_ids = {t.id for t in new_tasks}
    kept_nodes = {n for r in kept for n in r}
    order = sorted(
        (n for n in b.node_of.values() if n not in kept_nodes and n not in b.spec.inactive),
        key=lambda n: (n not in lost, -b.priority[b.task_of(n).id].score, n),
    )
    routes = [list(r) for r in kept]
    for node in order:
        ins = best_insertion(b, routes, node)
        if ins is not None:
            routes[ins.vehicle].insert(ins.position, node)
    first_answer = time.perf_counter() - t0

    res = _improve(b, routes, time_limit_s, seed, first_answer)
    if time_limit_s > 0:
        res.routes = rebalance(b, res.routes, frozenset(kept_nodes))
    inserted = {n for r in res.routes for n in r} - kept_nodes
    prev_merged = {st.task_id for r in plan.routes for st in r.stops if st.merged}
    new_plan = make_plan(
        b,
        res,
        time_limit_s,
        seed,
        merged_ids=prev_merged | {b.task_of(n).id for n in inserted},
        locked_ids={lk.task_id for lk in locks},
    )
    previously_dropped = {d.task_id for d in plan.dropped}
    was_on = {st.task_id: r.officer_id for r in plan.routes for st in r.stops}
    merged = merged_report(
        b,
        plan,
        new_plan,
        kept,
        res.routes,
        inserted,
        rank={n: k for k, n in enumerate(order)},
        retried=previously_dropped,
        moved_from={t: was_on[t] for t in lost_reasons if t in was_on},
    )
    alternatives = Alternatives(b, new_plan, res.routes)
    unmerged = [
        UnmergedTask(
            task_id=d.task_id,
            reason=d.reason,
            priority=d.priority,
            escalated=d.escalated,
            proposed_slot=d.proposed_slot,
            alternatives=[] if d.escalated else alternatives.for_node(b.node_of[d.task_id]),
        )
        for d in new_plan.dropped
        if d.task_id in new_ids
    ]
    return MergeResult(
        plan=new_plan,
        merged=merged,
        unmerged=unmerged,
        displaced=displaced_report(b, plan, new_plan, lost_reasons),
        locked_task_ids=[lk.task_id for lk in locks],
        first_answer_seconds=round(first_answer, 4),
        seconds=round(time.perf_counter() - t0, 4),
    )


def keep_dispatched(
    plan: DispatchPlan, b: BuiltProblem
) -> tuple[list[list[int]], list[int], dict[str, str]]:
    """The previous routes as far as they still fit (per vehicle, in order), the stops that
    no longer do, and why (task id -> reason)."""
    kept: list[list[int]] = []
    lost: list[int] = []
    reasons: dict[str, str] = {}
    for v, route in enumerate(previous_routes(plan, b)):
        k, gone = feasible_prefix(b, v, [n for n in route if n not in b.spec.inactive])
        kept.append(k)
        for node in gone:
            before = [n for n in route[: route.index(node)] if n in set(k)]
            reasons[b.task_of(node).id] = lost_reason(b, v, before, node)
        lost.extend(gone)
    reasons.update(_off_duty(plan, b))
    lost += [b.node_of[t] for t in reasons if t in b.node_of and b.node_of[t] not in lost]
    return kept, lost, reasons


def _off_duty(plan: DispatchPlan, b: BuiltProblem) -> dict[str, str]:
    """Stops of officers whose shift is over (they are no vehicle of the new model)."""
    out: dict[str, str] = {}
    for r in plan.routes:
        if b.vehicle_of(r.officer_id) is None:
            for st in r.stops:
                out[st.task_id] = f"{r.officer_id}'s shift is over"
    return out


def _improve(
    b: BuiltProblem, routes: list[list[int]], time_limit_s: float, seed: int, first: float
) -> RoutingResult:
    s = b.spec
    greedy = RoutingResult(
        routes=[list(r) for r in routes],
        dropped=[n for n in s.visit_nodes() if n not in {x for r in routes for x in r}],
        objective=-1,
        status="FIRST_ANSWER",
        seconds=first,
        engine="greedy-insertion",
    )
    if time_limit_s <= 0:
        return greedy
    cfg = SearchConfig(time_limit_s=time_limit_s, seed=seed, use_hgs_seed=False)
    better = OrToolsModel(s).solve(cfg, time_limit_s, initial_routes=greedy.routes)
    return better if better is not None else greedy


def locked_prefixes(plan: DispatchPlan, now: datetime) -> list[Lock]:
    """Stops the officer has left for, reached or finished at ``now``: they stay as they are."""
    locks: list[Lock] = []
    for route in plan.routes:
        if not route.stops or route.start > now:
            continue
        prev_end = route.start
        for stop in route.stops:
            departed = route.start if stop.sequence == 1 else prev_end
            if departed <= now:
                locks.append(Lock(route.officer_id, stop.task_id, stop.start))
            prev_end = stop.end
    return locks


def previous_routes(plan: DispatchPlan, b: BuiltProblem) -> list[list[int]]:
    """The previous plan's routes as model nodes (stops whose task is done are left out)."""
    routes: list[list[int]] = [[] for _ in range(b.spec.num_vehicles)]
    for r in plan.routes:
        v = b.vehicle_of(r.officer_id)
        if v is not None:
            routes[v] = [b.node_of[st.task_id] for st in r.stops if st.task_id in b.node_of]
    return routes
