"""``python -m dispatch bench-large``: generated 400-customer VRPTW instances, ClearLane (PyVRP
HGS seed → OR-Tools) against PyVRP alone under the same time budget, side by side: both run
at the same time, each pinned to its own core, so a loaded machine slows both alike.

Instances follow the Gehring–Homberger recipe in the DIMACS convention of
:mod:`dispatch.bench.solomon`: customers uniform or clustered in a 200 × 200 square, depot in
the middle, demand 1–40, capacity 200, service 90, horizon 0–1 500, windows 60–240 wide
placed where a vehicle can reach the customer and come back. They are generated from the
seed, never seen by any tuning, and every solution is re-checked by the independent checker.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import time
from typing import TextIO

import numpy as np

from ..core import SearchConfig, solve_spec
from ..hgs import hgs_routes
from .solomon import (
    SCALE,
    SolomonInstance,
    check_solomon,
    dimacs_matrix,
    init_worker,
    to_spec,
)

HORIZON = 1500
SERVICE = 90


def generate_instance(n: int, seed: int) -> SolomonInstance:
    rng = np.random.default_rng(seed)
    clustered = n // 2
    centres = rng.uniform(20, 180, size=(8, 2))
    pts = np.vstack(
        [
            centres[rng.integers(0, 8, clustered)] + rng.normal(0, 8, size=(clustered, 2)),
            rng.uniform(0, 200, size=(n - clustered, 2)),
        ]
    ).clip(0, 200)
    coords = np.vstack([[100.0, 100.0], np.round(pts)])
    d = dimacs_matrix(coords)
    tw = np.zeros((n + 1, 2), dtype=np.int64)
    tw[0] = (0, HORIZON * SCALE)
    for i in range(1, n + 1):
        lo, hi = int(d[0, i]), HORIZON * SCALE - SERVICE * SCALE - int(d[i, 0])
        width = int(rng.integers(60, 241)) * SCALE
        start = int(rng.integers(lo, max(lo + 1, hi - width)))
        tw[i] = (start, min(hi, start + width))
    service = np.full(n + 1, SERVICE * SCALE, dtype=np.int64)
    service[0] = 0
    demand = rng.integers(1, 41, size=n + 1)
    demand[0] = 0
    return SolomonInstance(
        name=f"G{n}-{seed}",
        coords=coords,
        demand=demand.astype(np.int64),
        tw=tw,
        service=service,
        capacity=200,
        vehicles=n // 4,
    )


def solve_one(job: tuple[str, int, int, float, int]) -> dict:
    """One solver on one generated instance: ``("clearlane" | "pyvrp", n, instance seed, budget,
    solver seed)``; the solution is re-checked by the independent checker."""
    solver, n, inst_seed, time_limit_s, seed = job
    inst = generate_instance(n, inst_seed)
    spec = to_spec(inst)
    t0 = time.perf_counter()
    if solver == "clearlane":
        routes = solve_spec(spec, SearchConfig().with_budget(time_limit_s, seed)).routes
    else:
        routes = hgs_routes(spec, time_limit_s, seed) or []
    seconds = time.perf_counter() - t0
    report = check_solomon(inst, [r for r in routes if r])
    return {
        "instance": inst.name,
        "distance": report.distance,
        "ok": report.feasible,
        "seconds": seconds,
    }


def compare(n: int, inst_seed: int, time_limit_s: float, seed: int) -> dict:
    """Both solvers at the same time, each pinned to its own core, so that whatever else
    runs on the machine slows both alike."""
    ctx = mp.get_context("spawn")
    jobs = [(name, n, inst_seed, time_limit_s, seed) for name in ("clearlane", "pyvrp")]
    with ctx.Pool(2, initializer=init_worker, initargs=(ctx.Value("i", 0),)) as pool:
        ours, alone = pool.map(solve_one, jobs)
    return {
        "instance": ours["instance"],
        "clearlane": ours["distance"],
        "clearlane_ok": ours["ok"],
        "clearlane_s": ours["seconds"],
        "pyvrp": alone["distance"],
        "pyvrp_ok": alone["ok"],
        "pyvrp_s": alone["seconds"],
        "diff_pct": 100.0 * (ours["distance"] - alone["distance"]) / alone["distance"],
    }


def run_bench_large(
    n: int = 400,
    instances: int = 3,
    seed: int = 0,
    time_limit_s: float = 40.0,
    out: TextIO = sys.stdout,
) -> list[dict]:
    print(
        f"{'instance':<10} {'ClearLane':>10} {'ok':>3} {'s':>5} {'PyVRP':>10} {'ok':>3} "
        f"{'s':>5} {'CL-PyVRP %':>10}",
        file=out,
        flush=True,
    )
    rows = []
    for k in range(instances):
        r = compare(n, seed + k, time_limit_s, seed)
        rows.append(r)
        print(
            f"{r['instance']:<10} {r['clearlane']:>10.1f} {'y' if r['clearlane_ok'] else 'N':>3} "
            f"{r['clearlane_s']:>5.1f} {r['pyvrp']:>10.1f} {'y' if r['pyvrp_ok'] else 'N':>3} "
            f"{r['pyvrp_s']:>5.1f} {r['diff_pct']:>10.2f}",
            file=out,
            flush=True,
        )
    mean = sum(r["diff_pct"] for r in rows) / len(rows)
    print(f"mean ClearLane − PyVRP: {mean:+.2f} %", file=out, flush=True)
    return rows
