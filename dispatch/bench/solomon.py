"""Solomon VRPTW instances (VRPLIB format), an independent checker, and the benchmark.

DIMACS 2021 convention: distances and travel times are ``trunc(10 × Euclidean)``; time
windows and service times are scaled by 10 as well; the objective is total distance (no
vehicle minimisation). Reported distances are divided by 10 again, so they compare directly
with the ``Cost`` line of the ``.sol`` files.
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from ..core import RoutingSpec, SearchConfig, solve_spec, total_distance

SCALE = 10


@dataclass
class SolomonInstance:
    name: str
    coords: np.ndarray  # (n, 2) raw coordinates; node 0 = depot
    demand: np.ndarray  # (n,)
    tw: np.ndarray  # (n, 2) scaled ×10
    service: np.ndarray  # (n,) scaled ×10, depot 0
    capacity: int
    vehicles: int

    @property
    def num_customers(self) -> int:
        return len(self.demand) - 1


def dimacs_matrix(coords: np.ndarray) -> np.ndarray:
    diff = coords[:, None, :] - coords[None, :, :]
    return np.trunc(SCALE * np.sqrt((diff**2).sum(-1)) + 1e-9).astype(np.int64)


def read_solomon(path: str | Path) -> SolomonInstance:
    d = vrplib.read_instance(str(path))
    n = int(d["dimension"])
    service = np.full(n, float(np.asarray(d.get("service_time", 0)).reshape(-1)[0]))
    if np.ndim(d.get("service_time", 0)) == 1:
        service = np.asarray(d["service_time"], dtype=float)
    depot = int(np.asarray(d["depot"]).reshape(-1)[0])
    if depot != 0:
        raise ValueError(f"{path}: depot must be the first node")
    service[0] = 0
    return SolomonInstance(
        name=str(d.get("name", Path(path).stem)),
        coords=np.asarray(d["node_coord"], dtype=float),
        demand=np.asarray(d["demand"], dtype=np.int64),
        tw=np.rint(np.asarray(d["time_window"], dtype=float) * SCALE).astype(np.int64),
        service=np.rint(service * SCALE).astype(np.int64),
        capacity=int(d["capacity"]),
        vehicles=int(d.get("vehicles", n - 1)),
    )


def to_spec(inst: SolomonInstance) -> RoutingSpec:
    n = len(inst.demand)
    dist = dimacs_matrix(inst.coords)
    nv = inst.vehicles
    depot_open, depot_close = int(inst.tw[0, 0]), int(inst.tw[0, 1])
    return RoutingSpec(
        num_nodes=n,
        dist=[dist],
        time=[dist],
        service=inst.service.copy(),
        tw_start=inst.tw[:, 0].copy(),
        tw_end=inst.tw[:, 1].copy(),
        vehicle_start=[0] * nv,
        vehicle_end=[0] * nv,
        vehicle_class=[0] * nv,
        vehicle_start_window=[(depot_open, depot_close)] * nv,
        vehicle_end_max=[depot_close] * nv,
        horizon=depot_close,
        demand=inst.demand.copy(),
        capacity=[inst.capacity] * nv,
        penalty=None,
        coords=inst.coords.copy(),
    )


@dataclass
class CheckReport:
    feasible: bool
    distance: float
    violations: list[str]


def check_solomon(inst: SolomonInstance, routes: list[list[int]]) -> CheckReport:
    """Independent check: coverage, capacity, time windows, return to depot; DIMACS cost.

    Recomputes everything from the raw coordinates with plain Python arithmetic (no solver
    code, no shared matrix), so a modelling bug in the solver cannot hide here.
    """
    violations: list[str] = []
    n = len(inst.demand)
    xy = [(float(x), float(y)) for x, y in inst.coords]

    def d(a: int, b: int) -> int:
        return math.floor(SCALE * math.hypot(xy[a][0] - xy[b][0], xy[a][1] - xy[b][1]) + 1e-9)

    seen: dict[int, int] = {}
    total = 0
    routes = [r for r in routes if r]
    if len(routes) > inst.vehicles:
        violations.append(f"{len(routes)} routes > {inst.vehicles} vehicles")
    for k, route in enumerate(routes):
        load = 0
        t = int(inst.tw[0, 0])
        prev = 0
        for c in route:
            if not 1 <= c < n:
                violations.append(f"route {k + 1}: unknown customer {c}")
                continue
            if c in seen:
                violations.append(f"customer {c} visited twice (routes {seen[c]} and {k + 1})")
            seen[c] = k + 1
            load += int(inst.demand[c])
            total += d(prev, c)
            t = max(t + d(prev, c), int(inst.tw[c, 0]))
            if t > int(inst.tw[c, 1]):
                violations.append(
                    f"route {k + 1}: customer {c} starts at {t / SCALE:.1f} > due "
                    f"{inst.tw[c, 1] / SCALE:.1f}"
                )
            t += int(inst.service[c])
            prev = c
        total += d(prev, 0)
        t += d(prev, 0)
        if t > int(inst.tw[0, 1]):
            violations.append(
                f"route {k + 1}: back at depot {t / SCALE:.1f} > {inst.tw[0, 1] / SCALE:.1f}"
            )
        if load > inst.capacity:
            violations.append(f"route {k + 1}: load {load} > capacity {inst.capacity}")
    missing = [c for c in range(1, n) if c not in seen]
    if missing:
        violations.append(f"{len(missing)} customers not served: {missing[:10]}")
    return CheckReport(feasible=not violations, distance=total / SCALE, violations=violations)


def solve_solomon(
    inst: SolomonInstance, time_limit_s: float, seed: int = 0, cfg: SearchConfig | None = None
) -> tuple[list[list[int]], float, str]:
    cfg = (cfg or SearchConfig()).with_budget(time_limit_s, seed)
    spec = to_spec(inst)
    res = solve_spec(spec, cfg)
    routes = [r for r in res.routes if r]
    return routes, total_distance(spec, routes) / SCALE, res.engine


def read_bks(directory: Path) -> dict[str, tuple[int, float]]:
    out: dict[str, tuple[int, float]] = {}
    csv = directory / "bks.csv"
    if csv.exists():
        import csv as _csv

        with csv.open() as fh:
            for row in _csv.DictReader(fh):
                out[row["instance"]] = (int(row["vehicles"]), float(row["distance"]))
        return out
    for sol in directory.glob("*.sol"):
        s = vrplib.read_solution(str(sol))
        out[sol.stem] = (len(s["routes"]), float(s["cost"]))
    return out


# ------------------------------------------------------------------------ bench


def init_worker(counter: object) -> None:
    """Pin each benchmark process to its own core (one instance per core at a time)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    with counter.get_lock():  # type: ignore[attr-defined]
        k = counter.value  # type: ignore[attr-defined]
        counter.value += 1  # type: ignore[attr-defined]
    try:
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[k % len(cores)]})
    except (AttributeError, OSError):  # pragma: no cover - non-Linux
        pass


def bench_one(args: tuple[str, float, int, dict[str, tuple[int, float]]]) -> dict:
    path, time_limit_s, seed, bks = args
    inst = read_solomon(path)
    t0 = time.perf_counter()
    routes, _dist, engine = solve_solomon(inst, time_limit_s, seed)
    seconds = time.perf_counter() - t0
    rep = check_solomon(inst, routes)
    best = bks.get(inst.name)
    gap = None if best is None else 100.0 * (rep.distance - best[1]) / best[1]
    return {
        "instance": inst.name,
        "vehicles": len(routes),
        "distance": round(rep.distance, 1),
        "best_known": None if best is None else best[1],
        "best_known_vehicles": None if best is None else best[0],
        "gap_pct": None if gap is None else round(gap, 3),
        "feasible": rep.feasible,
        "violations": rep.violations,
        "seconds": round(seconds, 2),
        "engine": engine,
        "routes": routes,
    }


def solomon_class(name: str) -> str:
    """``C101 → C1``, ``RC208 → RC2``."""
    letters = "".join(ch for ch in name if ch.isalpha()).upper()
    digits = "".join(ch for ch in name if ch.isdigit())
    return letters + digits[:1]


def run_bench(
    directory: str | Path,
    time_limit_s: float,
    seed: int,
    workers: int,
    as_json: bool,
    only: list[str] | None = None,
    out=sys.stdout,
) -> list[dict]:
    directory = Path(directory)
    paths = sorted(directory.glob("*.vrp"))
    if only:
        wanted = {o.upper() for o in only}
        paths = [p for p in paths if p.stem.upper() in wanted]
    if not paths:
        raise FileNotFoundError(f"no .vrp instances in {directory}")
    bks = read_bks(directory)
    jobs = [(str(p), time_limit_s, seed, bks) for p in paths]
    results: list[dict] = []
    if not as_json:
        print(
            f"{'instance':<9} {'veh':>4} {'distance':>10} {'best':>9} {'gap%':>7} "
            f"{'feasible':>8} {'sec':>6}",
            file=out,
            flush=True,
        )

    def emit(r: dict) -> None:
        results.append(r)
        if as_json:
            print(json.dumps(r), file=out, flush=True)
        else:
            best = "-" if r["best_known"] is None else f"{r['best_known']:.1f}"
            gap = "-" if r["gap_pct"] is None else f"{r['gap_pct']:.2f}"
            print(
                f"{r['instance']:<9} {r['vehicles']:>4} {r['distance']:>10.1f} {best:>9} "
                f"{gap:>7} {('yes' if r['feasible'] else 'NO'):>8} {r['seconds']:>6.1f}",
                file=out,
                flush=True,
            )

    if workers <= 1:
        init_worker(mp.Value("i", 0))
        for job in jobs:
            emit(bench_one(job))
    else:
        ctx = mp.get_context("spawn")
        counter = ctx.Value("i", 0)
        with ctx.Pool(workers, initializer=init_worker, initargs=(counter,)) as pool:
            for r in pool.imap(bench_one, jobs):
                emit(r)
    if not as_json:
        print_summary(results, out)
    return results


def print_summary(results: list[dict], out=sys.stdout) -> None:
    by_class: dict[str, list[dict]] = {}
    for r in results:
        by_class.setdefault(solomon_class(r["instance"]), []).append(r)
    print("", file=out)
    print(f"{'class':<6} {'n':>3} {'feasible':>9} {'mean gap%':>10}", file=out)
    for cls in sorted(by_class, key=lambda c: (len(c), c)):
        rs = by_class[cls]
        gaps = [r["gap_pct"] for r in rs if r["gap_pct"] is not None and r["feasible"]]
        mean = sum(gaps) / len(gaps) if gaps else float("nan")
        feas = sum(r["feasible"] for r in rs)
        print(f"{cls:<6} {len(rs):>3} {feas:>4}/{len(rs):<4} {mean:>10.2f}", file=out)
    gaps = [r["gap_pct"] for r in results if r["gap_pct"] is not None and r["feasible"]]
    feas = sum(r["feasible"] for r in results)
    mean = sum(gaps) / len(gaps) if gaps else float("nan")
    print(f"{'all':<6} {len(results):>3} {feas:>4}/{len(results):<4} {mean:>10.2f}", file=out)
