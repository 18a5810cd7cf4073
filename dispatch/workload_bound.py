"""A lower bound on max / min working time that holds for *every* assignment of a plan's tasks.

It tells a day that no plan can balance from a day the planner balanced badly. Desk officers
(no vehicle) can only be given the remote work they are eligible for, so the lightest of them
has at most ``R / n_desk``. Vehicle officers must do all on-site work: its service plus a lower
bound on the driving. For every group of vehicle officers that alone may serve some tasks
(skills, assignments; the group of all vehicle officers included), the busiest of the group
has at least that group's tasks' work divided by its size. Then

    max / min ≥ (busiest vehicle officer) / (lightest desk officer)

(whenever that exceeds 1; giving vehicle officers remote work only raises the left side).
Driving is bounded from below by the larger of the *two-neighbour* bound (each stop is entered
from one place and left for another; half the cheapest such pair per stop) and, for all
vehicle officers together, the *assignment* bound (each stop and each officer's office gets a
distinct successor, the cheapest such permutation: routes without the requirement to be
connected). Windows, field waiting and shifts are ignored, so the bound is optimistic: a real
plan drives more (2-hour appointment windows make officers criss-cross their area).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import linear_sum_assignment

from .build import BuiltProblem, build, service_seconds
from .model import DispatchPlan


@dataclass(frozen=True)
class WorkloadBound:
    ratio: float  # lower bound on max / min working time (≥ 1; inf: no remote work at all)
    busiest_h: float  # the busiest vehicle officer has at least this much
    lightest_h: float  # the lightest desk officer has at most this much
    reason: str


def workload_bound(plan: DispatchPlan) -> WorkloadBound:
    """The bound over every assignment of ``plan``'s planned tasks to its officers."""
    planned = {s.task_id for r in plan.routes for s in r.stops}
    problem = plan.problem.model_copy(
        update={"tasks": [t for t in plan.problem.tasks if t.id in planned]}
    )
    on_duty = {r.officer_id for r in plan.routes}
    b = build(problem, balance=False)
    desk = [v for v, o in enumerate(b.officers) if o.id in on_duty and o.vehicle_id is None]
    vehicle = [v for v, o in enumerate(b.officers) if o.id in on_duty and o.vehicle_id is not None]
    if not desk or not vehicle:
        return WorkloadBound(1.0, 0.0, 0.0, "no desk officer: nothing forces an imbalance")
    spec = b.spec
    everyone = range(spec.num_vehicles)
    remote = sum(
        service_seconds(t)
        for t in b.tasks
        if t.remote_ok and set(spec.allowed.get(b.node_of[t.id], everyone)) & set(desk)
    )
    lightest = remote / len(desk)
    tm = spec.time[spec.vehicle_class[vehicle[0]]]
    onsite = [b.node_of[t.id] for t in b.tasks if not t.remote_ok]
    busiest, why = _busiest_vehicle_officer(b, tm, onsite, vehicle)
    hours = f"remote work {remote / 3600:.2f} h for {len(desk)} desk officer(s)"
    ratio = max(1.0, busiest / lightest) if remote else (math.inf if busiest > 0 else 1.0)
    reason = f"{hours} vs ≥ {busiest / 3600:.2f} h per vehicle officer ({why})"
    return WorkloadBound(ratio, busiest / 3600, lightest / 3600, reason)


def _busiest_vehicle_officer(
    b: BuiltProblem, tm: np.ndarray, onsite: list[int], vehicle: list[int]
) -> tuple[float, str]:
    """Seconds the busiest vehicle officer must work at least, and which group forces it."""
    spec = b.spec
    groups: dict[frozenset[int], list[int]] = {frozenset(vehicle): list(onsite)}
    for node in onsite:
        allowed = frozenset(spec.allowed.get(node, vehicle)) & frozenset(vehicle)
        if allowed and allowed not in groups:
            groups[allowed] = []
    for group, nodes in groups.items():
        if len(group) < len(vehicle):
            nodes += [
                n for n in onsite if frozenset(spec.allowed.get(n, vehicle)) & set(vehicle) <= group
            ]
    best, why = 0.0, ""
    for group, nodes in groups.items():
        service = sum(int(spec.service[n]) for n in nodes)
        travel = two_neighbour_travel(tm, nodes, onsite, b.n_depots)
        if len(group) == len(vehicle):
            depots = [spec.vehicle_start[v] for v in vehicle]
            travel = max(travel, assignment_travel(tm, nodes, depots))
        per = (service + travel) / len(group)
        if per > best:
            names = ", ".join(b.officers[v].id for v in sorted(group))
            who = "all vehicle officers" if len(group) == len(vehicle) else f"only {names}"
            best = per
            why = (
                f"{len(nodes)} on-site tasks {who} may serve: service {service / 3600:.2f} h"
                f" + driving ≥ {travel / 3600:.2f} h"
            )
    return best, why


def two_neighbour_travel(tm: np.ndarray, nodes: list[int], onsite: list[int], n_depots: int
                         ) -> float:
    """Half of Σ over ``nodes`` of the cheapest (enter from a, leave to c), a ≠ c unless a is
    an office: every arc is counted at most twice, once at each end."""
    total = 0
    for i in nodes:
        places = list(range(n_depots)) + [j for j in onsite if j != i]
        ins = [(int(tm[a, i]), a) for a in places]
        outs = [(int(tm[i, c]), c) for c in places]
        pairs = [x + y for (x, a), (y, c) in itertools.product(ins, outs) if a != c]
        office = min(int(tm[d, i]) + int(tm[i, d]) for d in range(n_depots))
        total += min([office, *pairs])
    return total / 2


def assignment_travel(tm: np.ndarray, nodes: list[int], depots: list[int]) -> float:
    """The cheapest permutation giving each stop and each officer's office a successor: a
    relaxation of the routes (each is such a permutation; an idle officer is its own)."""
    if not nodes:
        return 0.0
    places = list(nodes) + list(depots)
    n, k = len(places), len(nodes)
    cost = tm[np.ix_(places, places)].astype(np.int64)
    cost[k:, k:] = 0  # office to office: an idle officer, or the relaxation's free return
    big = int(cost.max()) * n + 1
    cost[np.arange(k), np.arange(k)] = big  # a stop is not its own successor
    lsa = linear_sum_assignment.SimpleLinearSumAssignment()
    tails, heads = np.divmod(np.arange(n * n), n)
    lsa.add_arcs_with_cost(tails, heads, cost.reshape(-1))
    if lsa.solve() != lsa.OPTIMAL:
        return 0.0
    return float(lsa.optimal_cost())
