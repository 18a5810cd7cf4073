"""As-soon-as-possible timing of one officer's route, with travel attributed to each stop.

Driving is attributed to the stop it leads to, except the drive back to the office: it is the
route's ``return`` leg, whether the officer then ends the day or does remote inspections at the
office. A remote inspection is therefore never charged any driving.

**Working time** is the time the plan occupies the officer: driving, inspecting (on site or by
video) and waiting in the field between two field stops (at a site or on the road, where the
officer can do nothing else). Time at the office between video inspections or before leaving is
not working time of the plan: the officer is at their desk, free for other duties, and leaves
late enough not to wait at the first site of the trip. A desk officer's working time is
therefore the sum of their video inspections.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from .build import BuiltProblem


@dataclass(frozen=True)
class TimedStop:
    node: int
    arrival: int
    start: int
    end: int
    travel_m: int  # driving that leads to this stop (0 for office work)
    travel_s: int


@dataclass(frozen=True)
class RouteSchedule:
    depart: int  # leaves the office (or starts office work)
    stops: list[TimedStop]
    back: int  # done for the day: back at the office after the last stop
    return_m: int  # drive(s) back to the office
    return_s: int
    feasible: bool
    field_wait_s: int = 0  # waiting between two field stops (counted as working time)

    @property
    def distance_m(self) -> int:
        return self.return_m + sum(s.travel_m for s in self.stops)

    @property
    def travel_s(self) -> int:
        return self.return_s + sum(s.travel_s for s in self.stops)

    @property
    def working_s(self) -> int:
        """Driving + inspections + waiting in the field (see the module docstring)."""
        return self.travel_s + sum(x.end - x.start for x in self.stops) + self.field_wait_s


def schedule_route(
    b: BuiltProblem, v: int, route: list[int], delay_departure: bool = True
) -> RouteSchedule:
    """Time ``route`` for vehicle ``v``; ``feasible`` is False if a window or the shift breaks.

    With ``delay_departure`` the officer leaves late enough not to wait at the first stop
    (the plan's times); without it, at the earliest (feasibility checks).
    """
    s = b.spec
    tm, dm = s.time[s.vehicle_class[v]], s.dist[s.vehicle_class[v]]
    depot = s.vehicle_start[v]
    depart = _departure(b, v, route, delay_departure)
    t, prev = depart, depot
    stops: list[TimedStop] = []
    feasible = True
    return_m = return_s = field_wait = 0
    for node in route:
        leg_m, leg_s = int(dm[prev, node]), int(tm[prev, node])
        arrival = t + leg_s
        start = max(arrival, int(s.tw_start[node]), s.fixed_start.get(node, arrival))
        feasible &= start <= int(s.tw_end[node])
        end = start + int(s.service[node])
        if node not in s.office_nodes and prev not in s.office_nodes:
            field_wait += start - arrival
        if node in s.office_nodes:
            return_m, return_s = return_m + leg_m, return_s + leg_s
            leg_m = leg_s = 0
        stops.append(TimedStop(node, arrival, start, end, leg_m, leg_s))
        t, prev = end, node
    if route:
        return_m += int(dm[prev, depot])
        return_s += int(tm[prev, depot])
        t += int(tm[prev, depot])
    feasible &= t <= s.vehicle_end_max[v]
    return RouteSchedule(depart, stops, t, return_m, return_s, bool(feasible), field_wait)


def _departure(b: BuiltProblem, v: int, route: list[int], delay: bool) -> int:
    s = b.spec
    lo, hi = s.vehicle_start_window[v]
    if not route:
        return lo
    first = route[0]
    leg = int(s.time[s.vehicle_class[v]][s.vehicle_start[v], first])
    if first in s.fixed_start:
        return max(0, s.fixed_start[first] - leg)
    if delay:
        wait = int(s.tw_start[first]) - (lo + leg)
        if wait > 0:
            return min(lo + wait, hi)
    return lo


def route_travel_s(b: BuiltProblem, v: int, route: list[int]) -> int:
    """Total travel time of ``route`` (independent of timing)."""
    s = b.spec
    tm = s.time[s.vehicle_class[v]]
    path = [s.vehicle_start[v], *route, s.vehicle_end[v]]
    return sum(int(tm[a, c]) for a, c in itertools.pairwise(path))


def route_distance_m(b: BuiltProblem, v: int, route: list[int]) -> int:
    s = b.spec
    dm = s.dist[s.vehicle_class[v]]
    path = [s.vehicle_start[v], *route, s.vehicle_end[v]]
    return sum(int(dm[a, c]) for a, c in itertools.pairwise(path))
