"""The routing core: a plain, integer routing spec and its OR-Tools model.

Both the domain problem (:mod:`dispatch.build`) and the Solomon benchmark
(:mod:`dispatch.bench.solomon`) are translated into a :class:`RoutingSpec`; this module owns
the OR-Tools model (time dimension with waiting, hard/soft windows, shifts, capacity, allowed
vehicles, optional nodes with penalties, locked route prefixes, kept stop order, the
single-excursion rule for office work, workload balance) and the search.

Nodes are indices ``0..num_nodes-1``. Depot nodes appear in ``vehicle_start`` /
``vehicle_end``; every other node is a visit. Times are integer seconds (or any integer unit)
after an arbitrary origin; the transit of arc ``i → j`` is ``time[c][i, j] + service[i]`` for
the vehicle's matrix class ``c``.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

FSS = routing_enums_pb2.FirstSolutionStrategy
LSM = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True)
class SpanBalance:
    """Workload balance: each vehicle's work (travel + service, waiting excluded) is counted
    in whole ``unit`` s (a minutes-scale "work" dimension), and the work beyond ``bounds[v]``
    units costs ``cost`` × excess² (OR-Tools' quadratic soft span bound). The cost is
    convex, so moving work from a busier officer to a less busy one always pays, in
    proportion to the gap between them."""

    bounds: list[int]
    cost: int
    unit: int = 60
    # Per vehicle, cost per time unit of its route span (leave → back, waiting included) on
    # the time dimension: waiting in the field is working time the work dimension misses.
    span_cost: list[int] = field(default_factory=list)


@dataclass
class RoutingSpec:
    num_nodes: int
    dist: list[np.ndarray]
    time: list[np.ndarray]
    service: np.ndarray
    tw_start: np.ndarray
    tw_end: np.ndarray
    vehicle_start: list[int]
    vehicle_end: list[int]
    vehicle_class: list[int]
    vehicle_start_window: list[tuple[int, int]]
    vehicle_end_max: list[int]
    horizon: int
    demand: np.ndarray | None = None
    capacity: list[int] | None = None
    # Drop penalty per node; ``None`` (or a negative entry) makes the node mandatory.
    penalty: np.ndarray | None = None
    # node -> vehicles allowed to visit it (absent: all vehicles).
    allowed: dict[int, list[int]] = field(default_factory=dict)
    # node -> (soft upper bound on service start, cost per unit beyond it)
    soft_upper: dict[int, tuple[int, int]] = field(default_factory=dict)
    # vehicle -> locked route prefix (nodes visited first, in this order)
    locked: dict[int, list[int]] = field(default_factory=dict)
    # node -> fixed service start (locked stops)
    fixed_start: dict[int, int] = field(default_factory=dict)
    # vehicle -> nodes that must stay on that vehicle, in this relative order (merges keep
    # the dispatched list; new nodes may be inserted between them)
    kept_order: dict[int, list[int]] = field(default_factory=dict)
    # Nodes located at the office (depots and remote inspections), and per vehicle whether
    # it may leave the office only once (``[]``: no vehicle is restricted). A restricted
    # vehicle does office nodes before leaving or after coming back, never in between.
    office_nodes: set[int] = field(default_factory=set)
    single_excursion: list[bool] = field(default_factory=list)
    # Field trips a restricted vehicle may make (it may come back to the office in between
    # and do office work there): office <-> field switches are at most ``2 * max_trips``.
    max_trips: int = 1
    balance: SpanBalance | None = None
    # Nodes that must stay unvisited (unused depots, tasks nobody may serve).
    inactive: set[int] = field(default_factory=set)
    # Depot nodes that are no vehicle's start/end (never reported as dropped visits).
    depot_nodes: set[int] = field(default_factory=set)
    # Optional planar coordinates per node (x, y); only used by the HGS seeder's heuristics.
    coords: np.ndarray | None = None

    @property
    def num_vehicles(self) -> int:
        return len(self.vehicle_start)

    def visit_nodes(self) -> list[int]:
        depots = set(self.vehicle_start) | set(self.vehicle_end) | self.depot_nodes
        return [i for i in range(self.num_nodes) if i not in depots]


@dataclass
class RoutingResult:
    routes: list[list[int]]  # per vehicle, visit nodes in order (depots excluded)
    dropped: list[int]
    objective: int
    status: str
    seconds: float
    engine: str


@dataclass(frozen=True)
class SearchConfig:
    """Search settings. Frozen: use :meth:`with_budget` for a copy, the caller's stays as is."""

    time_limit_s: float = 5.0
    seed: int = 0
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.1
    use_hgs_seed: bool = True
    hgs_share: float = 0.9
    # From this many nodes on, for specs HGS sees completely (no soft bounds, balance or
    # single-excursion rule), HGS gets ``hgs_share_large`` of what is left once the OR-Tools
    # model is built and OR-Tools only verifies: at 400 customers its finish cost more than
    # it gained.
    large_nodes: int = 300
    hgs_share_large: float = 0.99
    log: bool = False

    def with_budget(self, time_limit_s: float, seed: int) -> SearchConfig:
        return replace(self, time_limit_s=time_limit_s, seed=seed)


class OrToolsModel:
    """OR-Tools routing model built from a :class:`RoutingSpec`."""

    def __init__(self, spec: RoutingSpec) -> None:
        self.spec = spec
        n, nv = spec.num_nodes, spec.num_vehicles
        self.manager = pywrapcp.RoutingIndexManager(n, nv, spec.vehicle_start, spec.vehicle_end)
        self.routing = pywrapcp.RoutingModel(self.manager)
        r, m = self.routing, self.manager

        classes = sorted(set(spec.vehicle_class))
        dist_cb: dict[int, int] = {}
        time_cb: dict[int, int] = {}
        for c in classes:
            dist_cb[c] = r.RegisterTransitMatrix(spec.dist[c].tolist())
            transit = spec.time[c] + spec.service[:, None]
            time_cb[c] = r.RegisterTransitMatrix(transit.tolist())
        for v in range(nv):
            r.SetArcCostEvaluatorOfVehicle(dist_cb[spec.vehicle_class[v]], v)

        r.AddDimensionWithVehicleTransits(
            [time_cb[spec.vehicle_class[v]] for v in range(nv)],
            int(spec.horizon),
            int(spec.horizon),
            False,
            "time",
        )
        self.time_dim = r.GetDimensionOrDie("time")
        td = self.time_dim

        if spec.demand is not None and spec.capacity is not None:
            dem_cb = r.RegisterUnaryTransitVector(spec.demand.astype(int).tolist())
            r.AddDimensionWithVehicleCapacity(
                dem_cb, 0, [int(c) for c in spec.capacity], True, "load"
            )

        depots = set(spec.vehicle_start) | set(spec.vehicle_end)
        mandatory = {x for nodes in spec.locked.values() for x in nodes}
        mandatory |= {x for nodes in spec.kept_order.values() for x in nodes}
        for node in range(n):
            if node in depots:
                continue
            idx = m.NodeToIndex(node)
            if node in spec.inactive:
                r.AddDisjunction([idx], 0)
                continue
            td.CumulVar(idx).SetRange(int(spec.tw_start[node]), int(spec.tw_end[node]))
            if node in spec.fixed_start:
                t = int(spec.fixed_start[node])
                td.CumulVar(idx).SetRange(t, t)
            if node in spec.soft_upper:
                bound, coef = spec.soft_upper[node]
                if coef > 0:
                    td.SetCumulVarSoftUpperBound(idx, int(bound), int(coef))
            if node in spec.allowed:
                r.VehicleVar(idx).SetValues([-1, *(int(v) for v in spec.allowed[node])])
            pen = None if spec.penalty is None else int(spec.penalty[node])
            if pen is not None and pen >= 0 and node not in mandatory:
                r.AddDisjunction([idx], pen)

        for v in range(nv):
            lo, hi = spec.vehicle_start_window[v]
            td.CumulVar(r.Start(v)).SetRange(int(lo), int(hi))
            td.CumulVar(r.End(v)).SetMax(int(spec.vehicle_end_max[v]))
            r.AddVariableMinimizedByFinalizer(td.CumulVar(r.Start(v)))
            r.AddVariableMinimizedByFinalizer(td.CumulVar(r.End(v)))
        self._add_kept_order()
        self._add_single_excursion()
        self._add_balance()
        self._locks_applied = False

    def _add_kept_order(self) -> None:
        """Kept nodes stay on their vehicle, active, in their order: a counter dimension
        counts kept nodes along the route and the k-th kept node must see exactly k-1."""
        spec, r, m = self.spec, self.routing, self.manager
        if not spec.kept_order:
            return
        kept = np.zeros(spec.num_nodes, dtype=np.int64)
        for nodes in spec.kept_order.values():
            kept[nodes] = 1
        cb = r.RegisterUnaryTransitVector(kept.tolist())
        longest = max(len(nodes) for nodes in spec.kept_order.values())
        r.AddDimension(cb, 0, longest + 1, True, "kept_order")
        dim = r.GetDimensionOrDie("kept_order")
        for v, nodes in spec.kept_order.items():
            for k, node in enumerate(nodes):
                idx = m.NodeToIndex(node)
                dim.CumulVar(idx).SetRange(k, k)
                r.VehicleVar(idx).SetValues([v])

    def _add_single_excursion(self) -> None:
        """Office ↔ field switches along a restricted route are at most ``2 * max_trips``."""
        spec, r = self.spec, self.routing
        if not any(spec.single_excursion):
            return
        at_office = np.zeros(spec.num_nodes, dtype=bool)
        at_office[sorted(spec.office_nodes)] = True
        switch = (at_office[:, None] != at_office[None, :]).astype(np.int64)
        free = np.zeros_like(switch)
        cb_switch = r.RegisterTransitMatrix(switch.tolist())
        cb_free = r.RegisterTransitMatrix(free.tolist())
        evaluators = [cb_switch if restricted else cb_free for restricted in spec.single_excursion]
        r.AddDimensionWithVehicleTransits(evaluators, 0, 2 * spec.max_trips, True, "excursions")

    def _add_balance(self) -> None:
        spec, r = self.spec, self.routing
        bal = spec.balance
        if bal is None:
            return
        callbacks = {}
        for c in sorted(set(spec.vehicle_class)):
            work = -(-(spec.time[c] + spec.service[:, None]) // bal.unit)
            callbacks[c] = r.RegisterTransitMatrix(work.astype(np.int64).tolist())
        evaluators = [callbacks[spec.vehicle_class[v]] for v in range(spec.num_vehicles)]
        cap = int(spec.horizon // bal.unit) + 1
        r.AddDimensionWithVehicleTransits(evaluators, 0, cap, True, "work")
        dim = r.GetDimensionOrDie("work")
        for v, bound in enumerate(bal.bounds):
            dim.SetQuadraticCostSoftSpanUpperBoundForVehicle(
                pywrapcp.BoundCost(int(bound), int(bal.cost)), v
            )
        for v, coef in enumerate(bal.span_cost):
            if coef:
                self.time_dim.SetSpanCostCoefficientForVehicle(int(coef), v)

    # ------------------------------------------------------------------ search
    def params(self, cfg: SearchConfig, time_limit_s: float) -> object:
        p = pywrapcp.DefaultRoutingSearchParameters()
        p.first_solution_strategy = getattr(FSS, cfg.first_solution)
        p.local_search_metaheuristic = getattr(LSM, cfg.metaheuristic)
        p.guided_local_search_lambda_coefficient = cfg.gls_lambda
        p.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
        p.log_search = cfg.log
        return p

    def close(self, cfg: SearchConfig) -> None:
        if self._locks_applied:
            return
        self.routing.CloseModelWithParameters(self.params(cfg, 1.0))
        r, m = self.routing, self.manager
        for v, nodes in self.spec.locked.items():
            prev = r.Start(v)
            for node in nodes:
                idx = m.NodeToIndex(node)
                r.NextVar(prev).SetValues([idx])
                r.VehicleVar(idx).SetValues([v])
                r.ActiveVar(idx).SetValue(1)
                prev = idx
        for node in self.spec.inactive:
            r.ActiveVar(m.NodeToIndex(node)).SetValue(0)
        self._locks_applied = True

    def assignment_from_routes(self, routes: list[list[int]]) -> object | None:
        idx_routes = [[self.manager.NodeToIndex(n) for n in route] for route in routes]
        return self.routing.ReadAssignmentFromRoutes(idx_routes, True)

    def solve(
        self,
        cfg: SearchConfig,
        time_limit_s: float,
        initial_routes: list[list[int]] | None = None,
    ) -> RoutingResult | None:
        t0 = time.perf_counter()
        self.close(cfg)
        params = self.params(cfg, time_limit_s)
        sol = None
        engine = f"ortools:{cfg.first_solution}+{cfg.metaheuristic}"
        initial = None
        if initial_routes is not None:
            initial = self.assignment_from_routes(initial_routes)
            if initial is not None:
                sol = self.routing.SolveFromAssignmentWithParameters(initial, params)
                engine = f"ortools:seeded+{cfg.metaheuristic}"
                if sol is None:  # out of time before a first step: the seed is feasible
                    sol, engine = initial, "ortools:seed-verified"
        if sol is None:
            sol = self.routing.SolveWithParameters(params)
        if sol is None:
            return None
        return self.extract(sol, engine, time.perf_counter() - t0)

    def extract(self, sol: object, engine: str, seconds: float) -> RoutingResult:
        r, m = self.routing, self.manager
        routes: list[list[int]] = []
        seen: set[int] = set()
        for v in range(self.spec.num_vehicles):
            idx = sol.Value(r.NextVar(r.Start(v)))  # type: ignore[attr-defined]
            route: list[int] = []
            while not r.IsEnd(idx):
                node = m.IndexToNode(idx)
                route.append(node)
                seen.add(node)
                idx = sol.Value(r.NextVar(idx))  # type: ignore[attr-defined]
            routes.append(route)
        dropped = [n for n in self.spec.visit_nodes() if n not in seen]
        code = int(r.status())
        names = {
            getattr(pywrapcp.RoutingModel, k): k.removeprefix("ROUTING_")
            for k in dir(pywrapcp.RoutingModel)
            if k.startswith("ROUTING_") and isinstance(getattr(pywrapcp.RoutingModel, k), int)
        }
        status = names.get(code, str(code))
        return RoutingResult(
            routes=routes,
            dropped=dropped,
            objective=int(sol.ObjectiveValue()),  # type: ignore[attr-defined]
            status=status,
            seconds=seconds,
            engine=engine,
        )


def route_distance(spec: RoutingSpec, v: int, route: list[int]) -> int:
    if not route:
        return 0
    d = spec.dist[spec.vehicle_class[v]]
    path = [spec.vehicle_start[v], *route, spec.vehicle_end[v]]
    return int(sum(int(d[a, b]) for a, b in itertools.pairwise(path)))


def total_distance(spec: RoutingSpec, routes: list[list[int]]) -> int:
    return sum(route_distance(spec, v, r) for v, r in enumerate(routes))


def hgs_sees_everything(spec: RoutingSpec) -> bool:
    """True when the PyVRP seeder models every rule of ``spec`` (then a short OR-Tools finish
    is enough); soft bounds, workload balance and the single-excursion rule are OR-Tools'."""
    return not spec.soft_upper and spec.balance is None and not any(spec.single_excursion)


def solve_spec(
    spec: RoutingSpec,
    cfg: SearchConfig,
    initial_routes: list[list[int]] | None = None,
) -> RoutingResult:
    """Solve a spec within ``cfg.time_limit_s``: optional HGS seed, then OR-Tools search."""
    t0 = time.perf_counter()
    budget = cfg.time_limit_s
    seed_routes = initial_routes
    engine_prefix = ""
    if spec.num_vehicles == 0:
        return RoutingResult(
            routes=[],
            dropped=spec.visit_nodes(),
            objective=0,
            status="NO_VEHICLES",
            seconds=time.perf_counter() - t0,
            engine="none",
        )
    model = OrToolsModel(spec)  # built first, so the seeder's budget accounts for it
    if seed_routes is None and cfg.use_hgs_seed and not spec.locked and not spec.kept_order:
        from .hgs import hgs_routes  # local import: pyvrp is optional at runtime

        large = spec.num_nodes >= cfg.large_nodes and hgs_sees_everything(spec)
        share = cfg.hgs_share_large if large else cfg.hgs_share
        left = budget - (time.perf_counter() - t0)
        seed_routes = hgs_routes(spec, left * share, cfg.seed)
        if seed_routes is not None:
            engine_prefix = "pyvrp-hgs seed → "
    remaining = max(0.05, budget - (time.perf_counter() - t0) - 0.1)
    res = model.solve(cfg, remaining, seed_routes)
    if res is None:
        # Mandatory nodes with no feasible assignment: report every visit as dropped.
        return RoutingResult(
            routes=[[] for _ in range(spec.num_vehicles)],
            dropped=spec.visit_nodes(),
            objective=-1,
            status="INFEASIBLE",
            seconds=time.perf_counter() - t0,
            engine="ortools",
        )
    res.engine = engine_prefix + res.engine
    res.seconds = time.perf_counter() - t0
    return res
