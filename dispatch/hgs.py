"""Initial solutions from PyVRP's hybrid genetic search (HGS).

OR-Tools stays the engine that owns the model (locks, skills, soft windows, merges): this
module only proposes routes for a :class:`~dispatch.core.RoutingSpec`. OR-Tools then reads
them with ``ReadAssignmentFromRoutes`` (which rejects anything infeasible under its own,
complete model) and continues the search from there.

What PyVRP sees: the same nodes and matrices, hard windows (soft windows are relaxed to their
hard bound: OR-Tools prices lateness), shifts, capacity, optional nodes with their drop
penalty as prize. Allowed-vehicle restrictions (skills, vehicle-less officers) become
routing profiles in which forbidden arcs are prohibitively long.
"""

from __future__ import annotations

import numpy as np

from .core import RoutingSpec

FORBIDDEN = 10**9


def hgs_routes(spec: RoutingSpec, time_limit_s: float, seed: int) -> list[list[int]] | None:
    """Best routes PyVRP finds in ``time_limit_s`` (one per spec vehicle), or ``None``.

    Seeding is an optimisation only: any failure here means "no seed", never an error.
    """
    try:
        return _hgs_routes(spec, time_limit_s, seed)
    except (ValueError, RuntimeError, OverflowError, IndexError):
        return None


def _hgs_routes(spec: RoutingSpec, time_limit_s: float, seed: int) -> list[list[int]] | None:
    try:
        import pyvrp
        from pyvrp.stop import MaxRuntime
    except ImportError:  # pragma: no cover - pyvrp is a declared dependency
        return None
    if time_limit_s <= 0.05 or spec.locked:
        return None

    depots = sorted(set(spec.vehicle_start) | set(spec.vehicle_end))
    visits = [n for n in spec.visit_nodes() if n not in spec.inactive]
    if not visits:
        return None
    nodes = depots + visits  # pyvrp location order
    loc_of = {node: i for i, node in enumerate(nodes)}
    idx = np.array(nodes, dtype=np.int64)

    # Routing profiles: one per (matrix class, set of forbidden visit nodes).
    profile_key: list[tuple[int, frozenset[int]]] = []
    for v in range(spec.num_vehicles):
        forbidden = frozenset(
            n for n, allowed in spec.allowed.items() if v not in allowed and n not in spec.inactive
        )
        profile_key.append((spec.vehicle_class[v], forbidden))
    profiles = sorted(set(profile_key), key=lambda k: (k[0], sorted(k[1])))
    dist_mats: list[np.ndarray] = []
    dur_mats: list[np.ndarray] = []
    for cls, forbidden in profiles:
        d = spec.dist[cls][np.ix_(idx, idx)].astype(np.int64).copy()
        t = spec.time[cls][np.ix_(idx, idx)].astype(np.int64).copy()
        if forbidden:
            cols = [loc_of[n] for n in forbidden]
            d[:, cols] = FORBIDDEN
            t[:, cols] = FORBIDDEN
            np.fill_diagonal(d, 0)
            np.fill_diagonal(t, 0)
        dist_mats.append(d)
        dur_mats.append(t)

    has_load = spec.demand is not None and spec.capacity is not None
    horizon = int(spec.horizon)
    if spec.coords is not None:
        locations = [
            pyvrp.Location(x=float(spec.coords[n][0]), y=float(spec.coords[n][1])) for n in nodes
        ]
    else:
        locations = [pyvrp.Location(x=0.0, y=0.0) for _ in nodes]
    p_depots = [pyvrp.Depot(location=loc_of[n], tw_early=0, tw_late=horizon) for n in depots]
    clients = []
    for n in visits:
        pen = None if spec.penalty is None else int(spec.penalty[n])
        required = pen is None or pen < 0
        clients.append(
            pyvrp.Client(
                location=loc_of[n],
                delivery=[int(spec.demand[n])] if has_load else [],  # type: ignore[index]
                service_duration=int(spec.service[n]),
                tw_early=int(spec.tw_start[n]),
                tw_late=int(spec.tw_end[n]),
                prize=0 if required else pen,
                required=required,
            )
        )

    # Group identical vehicles into vehicle types (e.g. Solomon's 25 identical trucks).
    type_of: dict[tuple, list[int]] = {}
    for v in range(spec.num_vehicles):
        key = (
            depots.index(spec.vehicle_start[v]),
            depots.index(spec.vehicle_end[v]),
            int(spec.vehicle_start_window[v][0]),
            int(spec.vehicle_start_window[v][1]),
            int(spec.vehicle_end_max[v]),
            int(spec.capacity[v]) if has_load else -1,  # type: ignore[index]
            profiles.index(profile_key[v]),
        )
        type_of.setdefault(key, []).append(v)
    keys = list(type_of)
    vtypes = [
        pyvrp.VehicleType(
            num_available=len(type_of[k]),
            capacity=[k[5]] if has_load else [],
            start_depot=k[0],
            end_depot=k[1],
            tw_early=k[2],
            start_late=k[3],
            tw_late=k[4],
            profile=k[6],
        )
        for k in keys
    ]
    data = pyvrp.ProblemData(
        locations=locations,
        clients=clients,
        depots=p_depots,
        vehicle_types=vtypes,
        distance_matrices=dist_mats,
        duration_matrices=dur_mats,
    )
    res = pyvrp.solve(data, MaxRuntime(time_limit_s), seed=seed, collect_stats=False)
    if not res.is_feasible():
        return None
    routes: list[list[int]] = [[] for _ in range(spec.num_vehicles)]
    free = {k: list(type_of[k]) for k in keys}
    for route in res.best.routes():
        k = keys[route.vehicle_type()]
        v = free[k].pop(0)
        routes[v] = [visits[a.idx] for a in route if a.is_client()]
    return [single_excursion(spec, v, route) for v, route in enumerate(routes)]


def single_excursion(spec: RoutingSpec, v: int, route: list[int]) -> list[int]:
    """``route`` with office work found between two field visits moved after the last one.

    PyVRP cannot express the single-excursion rule; OR-Tools re-checks the repaired route
    (time windows included) and falls back to its own first solution if it is infeasible.
    """
    if not spec.single_excursion or not spec.single_excursion[v]:
        return route
    field_at = [k for k, node in enumerate(route) if node not in spec.office_nodes]
    if not field_at:
        return route
    first, last = field_at[0], field_at[-1]
    middle = route[first : last + 1]
    field = [n for n in middle if n not in spec.office_nodes]
    office = [n for n in middle if n in spec.office_nodes]
    return route[:first] + field + route[last + 1 :] + office
