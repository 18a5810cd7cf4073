"""Cheapest feasible insertion into live routes (merges, alternatives, appointment slots)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .build import BuiltProblem
from .schedule import route_distance_m, route_travel_s, schedule_route


@dataclass(frozen=True)
class Insertion:
    vehicle: int
    position: int
    detour_s: int  # extra travel time of the route
    start: int  # service start of the inserted node
    cost: int = 0  # objective increase (extra distance + workload balance); across routes


def best_insertion(
    b: BuiltProblem, routes: list[list[int]], node: int, vehicles: list[int] | None = None
) -> Insertion | None:
    """Cheapest feasible insertion of ``node`` after each route's locked prefix: on each
    route the smallest detour; across routes the smallest objective increase (extra
    distance plus the workload-balance cost, as the solver counts them)."""
    best: Insertion | None = None
    for v in vehicles if vehicles is not None else allowed_vehicles(b, node):
        found = best_on_route(b, v, routes[v], node)
        if found is None:
            continue
        after = [*routes[v][: found.position], node, *routes[v][found.position :]]
        cost = route_distance_m(b, v, after) - route_distance_m(b, v, routes[v])
        cost += balance_cost(b, v, after) - balance_cost(b, v, routes[v])
        found = replace(found, cost=cost)
        if best is None or found.cost < best.cost:
            best = found
    return best


def balance_cost(b: BuiltProblem, v: int, route: list[int]) -> int:
    """The workload-balance term for one route (see ``SpanBalance``), on the route's working
    time as the plan reports it: waiting in the field for an appointment counts, so a task
    whose window opens hours after an officer's last stop goes to whom that costs least."""
    bal = b.spec.balance
    if bal is None or not route:
        return 0
    work_s = schedule_route(b, v, route).working_s
    excess = max(0, -(-work_s // bal.unit) - bal.bounds[v])
    return bal.cost * excess * excess


def best_on_route(b: BuiltProblem, v: int, route: list[int], node: int) -> Insertion | None:
    s = b.spec
    before = route_travel_s(b, v, route)
    best: Insertion | None = None
    for pos in range(len(s.locked.get(v, [])), len(route) + 1):
        cand = [*route[:pos], node, *route[pos:]]
        if not keeps_single_excursion(b, v, cand):
            continue
        detour = route_travel_s(b, v, cand) - before
        if best is not None and detour >= best.detour_s:
            continue
        sched = schedule_route(b, v, cand, delay_departure=False)
        if sched.feasible:
            best = Insertion(v, pos, detour, sched.stops[pos].start)
    return best


def allowed_vehicles(b: BuiltProblem, node: int) -> list[int]:
    if node in b.spec.inactive:
        return []
    return list(b.spec.allowed.get(node, range(b.spec.num_vehicles)))


def feasible_prefix(b: BuiltProblem, v: int, route: list[int]) -> tuple[list[int], list[int]]:
    """Split ``route`` into the stops that still fit, in order, and those that no longer do.

    The locked prefix always stays; every later stop stays if the route so far plus that stop
    is still feasible (the clock may have moved on since the route was planned).
    """
    n_locked = len(b.spec.locked.get(v, []))
    kept = list(route[:n_locked])
    lost: list[int] = []
    for node in route[n_locked:]:
        if schedule_route(b, v, [*kept, node], delay_departure=False).feasible:
            kept.append(node)
        else:
            lost.append(node)
    return kept, lost


def keeps_single_excursion(b: BuiltProblem, v: int, route: list[int]) -> bool:
    """Office work only while the officer is at the office: before leaving, between two of at
    most ``max_trips`` field trips, or after coming back (restricted routes)."""
    s = b.spec
    if not s.single_excursion or not s.single_excursion[v]:
        return True
    switches = 0
    at_office = True
    for node in route:
        here = node in s.office_nodes
        switches += here != at_office
        at_office = here
    return switches + (not at_office) <= 2 * s.max_trips
