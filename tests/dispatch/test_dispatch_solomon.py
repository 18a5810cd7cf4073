"""Solomon VRPTW: solver output passes the independent checker; the bench CLI works."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dispatch.bench.solomon import check_solomon, read_bks, read_solomon, solve_solomon

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "solomon"
if not DATA.exists():  # the repository may live elsewhere: fall back to the shared path
    DATA = Path("/work/shared/data/solomon")

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="Solomon data not available")


@pytest.mark.parametrize("name", ["C101", "R101", "RC201"])
def test_solution_is_feasible_and_close_to_best_known(name: str) -> None:
    inst = read_solomon(DATA / f"{name}.vrp")
    routes, distance, _engine = solve_solomon(inst, time_limit_s=2.0, seed=1)
    report = check_solomon(inst, routes)
    assert report.feasible, report.violations
    assert report.distance == pytest.approx(distance, abs=0.05)
    best = read_bks(DATA)[name][1]
    assert report.distance <= best * 1.05


def test_best_known_solution_passes_checker_with_its_cost() -> None:
    import vrplib

    inst = read_solomon(DATA / "R101.vrp")
    sol = vrplib.read_solution(str(DATA / "R101.sol"))
    report = check_solomon(inst, sol["routes"])
    assert report.feasible
    assert report.distance == pytest.approx(sol["cost"], abs=0.05)


def test_checker_catches_broken_solutions() -> None:
    import vrplib

    inst = read_solomon(DATA / "C101.vrp")
    routes = vrplib.read_solution(str(DATA / "C101.sol"))["routes"]
    missing = [r[:] for r in routes]
    missing[0] = missing[0][1:]
    assert any("not served" in v for v in check_solomon(inst, missing).violations)
    reversed_route = [list(reversed(routes[0])), *routes[1:]]
    assert any("due" in v for v in check_solomon(inst, reversed_route).violations)
    merged = [routes[0] + routes[1], *routes[2:]]
    assert any("capacity" in v for v in check_solomon(inst, merged).violations)


def test_bench_cli_json_lines(tmp_path: Path) -> None:
    shutil.copy(DATA / "C101.vrp", tmp_path / "C101.vrp")
    shutil.copy(DATA / "C101.sol", tmp_path / "C101.sol")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "dispatch",
            "bench",
            "--instances",
            str(tmp_path),
            "--time-limit",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert len(rows) == 1
    row = rows[0]
    for key in ("instance", "distance", "vehicles", "seconds", "feasible", "routes"):
        assert key in row
    assert row["feasible"] is True
    assert sorted(c for r in row["routes"] for c in r) == list(range(1, 101))


def test_a_seed_that_ortools_has_no_time_to_improve_is_kept_not_lost() -> None:
    from dispatch.bench.solomon import to_spec
    from dispatch.core import OrToolsModel, SearchConfig
    from dispatch.hgs import hgs_routes

    inst = read_solomon(DATA / "R101.vrp")
    spec = to_spec(inst)
    seed_routes = hgs_routes(spec, 0.5, 0)
    assert seed_routes is not None
    res = OrToolsModel(spec).solve(SearchConfig(), 0.000_001, seed_routes)
    assert res is not None
    report = check_solomon(inst, [r for r in res.routes if r])
    assert report.feasible, report.violations
    assert report.distance <= check_solomon(inst, [r for r in seed_routes if r]).distance
