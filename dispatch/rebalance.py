"""Final balancing of working time, measured exactly as the plan reports it.

The OR-Tools objective balances *work* (travel + service) per officer; it cannot see waiting in
the field, which is working time (see :mod:`dispatch.schedule`). After the search, single tasks
are moved off the busiest officer or onto the lightest one while that lowers

    distance (m) + ``SPREAD_COST`` × (longest − shortest working time, s)

and never makes a green-channel task or a soft window later (their priority costs may not
grow), never breaks a hard window, shift, skill or the single-excursion rule, and never moves a
locked or kept (dispatched) stop.
"""

from __future__ import annotations

from dataclasses import dataclass

from .build import BuiltProblem
from .insertion import allowed_vehicles, keeps_single_excursion
from .schedule import RouteSchedule, route_distance_m, schedule_route

SPREAD_COST = 10
"""Metres of driving per second of spread between the longest and the shortest working time:
an hour less spread is worth up to 36 km of extra driving. Chosen on generated days 100–119
among 3, 10 and 15 (max / min median 1.91, 1.90, 2.03; 15 measured with an earlier
relocation)."""

MAX_MOVES = 60


@dataclass(frozen=True)
class _Route:
    nodes: list[int]
    sched: RouteSchedule
    dist_m: int

    @property
    def work_s(self) -> int:
        return self.sched.working_s


def rebalance(b: BuiltProblem, routes: list[list[int]], keep: frozenset[int] = frozenset()
              ) -> list[list[int]]:
    """``routes`` with single tasks moved while the objective above falls; locked stops and
    the ``keep`` nodes (a merge's dispatched stops) stay where they are."""
    fixed = set(keep).union(*b.spec.locked.values())
    state = [_route(b, v, r) for v, r in enumerate(routes)]
    if len(state) < 2:
        return routes
    for _ in range(MAX_MOVES):
        move = _best_move(b, state, fixed)
        if move is None:
            break
        for v, r in move.items():
            state[v] = r
    return [r.nodes for r in state]


def _route(b: BuiltProblem, v: int, nodes: list[int]) -> _Route:
    return _Route(nodes, schedule_route(b, v, nodes), route_distance_m(b, v, nodes))


def _objective(state: list[_Route]) -> int:
    work = [r.work_s for r in state]
    return sum(r.dist_m for r in state) + SPREAD_COST * (max(work) - min(work))


def _best_move(b: BuiltProblem, state: list[_Route], fixed: set[int]) -> dict[int, _Route] | None:
    work = [r.work_s for r in state]
    busiest = max(range(len(state)), key=work.__getitem__)
    lightest = min(range(len(state)), key=work.__getitem__)
    base = _objective(state)
    best: tuple[int, dict[int, _Route]] | None = None
    for u, r in enumerate(state):
        for node in r.nodes:
            if node in fixed:
                continue
            allowed = allowed_vehicles(b, node)
            for v in allowed if u == busiest else [lightest]:
                if v == u or v not in allowed:
                    continue
                move = _relocate(b, state, u, v, node)
                if move is None:
                    continue
                trial = [move.get(k, x) for k, x in enumerate(state)]
                gain = base - _objective(trial)
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, move)
    return best[1] if best else None


def _relocate(
    b: BuiltProblem, state: list[_Route], u: int, v: int, node: int
) -> dict[int, _Route] | None:
    """``node`` moved from ``u`` to the position on ``v`` with the least driving, then the
    shortest working time, among those that keep every rule and make no priority stop later."""
    donor = _route(b, u, [n for n in state[u].nodes if n != node])
    if not donor.sched.feasible:
        return None
    allowed = _priority_cost(b, state[u]) + _priority_cost(b, state[v]) - _priority_cost(b, donor)
    best: _Route | None = None
    nodes = state[v].nodes
    for pos in range(len(b.spec.locked.get(v, [])), len(nodes) + 1):
        cand = [*nodes[:pos], node, *nodes[pos:]]
        if not keeps_single_excursion(b, v, cand):
            continue
        taker = _route(b, v, cand)
        if not taker.sched.feasible or _priority_cost(b, taker) > allowed:
            continue
        if best is None or (taker.dist_m, taker.work_s) < (best.dist_m, best.work_s):
            best = taker
    return None if best is None else {u: donor, v: best}


def _priority_cost(b: BuiltProblem, r: _Route) -> int:
    """Green-channel delay and soft-window lateness of the route, as the objective prices them."""
    soft = b.spec.soft_upper
    return sum(
        soft[s.node][1] * max(0, s.start - soft[s.node][0]) for s in r.sched.stops if s.node in soft
    )
