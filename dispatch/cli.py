"""Command line: ``python -m dispatch {solve,merge,check,bench,bench-merge,bench-day,bench-large}``.

Errors in the input (bad JSON, invalid problem) print a one-line message per problem on
stderr and exit with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from .errors import DispatchError, ProblemError


def _load_json(path: str) -> object:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ProblemError([f"cannot read {path}: {exc.strerror or exc}"]) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError([f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})"]) from exc


def pydantic_messages(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        out.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return out


def cmd_solve(args: argparse.Namespace) -> int:
    from . import parse_problem, solve

    problem = parse_problem(_load_json(args.problem))
    plan = solve(problem, time_limit_s=args.time_limit, seed=args.seed, strict=args.strict)
    exclude = {"problem"} if args.brief else None
    print(plan.model_dump_json(by_alias=True, indent=2, exclude=exclude))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from . import merge
    from .model import DispatchPlan, Task

    try:
        plan = DispatchPlan.model_validate(_load_json(args.plan))
        tasks = TypeAdapter(list[Task]).validate_python(_load_json(args.tasks))
        now = datetime.fromisoformat(args.now) if args.now else plan.now
    except ValidationError as exc:
        raise ProblemError(pydantic_messages(exc)) from exc
    except ValueError as exc:
        raise ProblemError([f"--now: {exc}"]) from exc
    result = merge(plan, tasks, now, time_limit_s=args.time_limit, seed=args.seed)
    print(result.model_dump_json(by_alias=True, indent=2))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from . import parse_problem
    from .checker import check_plan
    from .model import DispatchPlan

    try:
        plan = DispatchPlan.model_validate(_load_json(args.plan))
    except ValidationError as exc:
        raise ProblemError(pydantic_messages(exc)) from exc
    problem = parse_problem(_load_json(args.problem)) if args.problem else plan.problem
    violations = check_plan(problem, plan)
    for v in violations:
        print(v)
    print("feasible" if not violations else f"{len(violations)} violation(s)")
    return 0 if not violations else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench.solomon import run_bench

    try:
        results = run_bench(
            args.instances,
            args.time_limit,
            args.seed,
            args.workers,
            args.json,
            only=args.only.split(",") if args.only else None,
        )
    except FileNotFoundError as exc:
        raise ProblemError([str(exc)]) from exc
    return 0 if all(r["feasible"] for r in results) else 1


def cmd_bench_merge(args: argparse.Namespace) -> int:
    from .bench.merge_latency import run_bench_merge

    out = run_bench_merge(
        tasks=args.tasks,
        new=args.new,
        officers=args.officers,
        seed=args.seed,
        time_limit_s=args.time_limit,
        repeats=args.repeats,
    )
    print(json.dumps(out, indent=2))
    return 0


def cmd_bench_day(args: argparse.Namespace) -> int:
    from .bench.day import run_bench_day

    rows = run_bench_day(args.days, args.seed, args.plan_time_limit, args.time_limit)
    return 0 if all(r["silent_drops"] == 0 and r["violations"] == 0 for r in rows) else 1


def cmd_bench_large(args: argparse.Namespace) -> int:
    from .bench.large import run_bench_large

    rows = run_bench_large(args.customers, args.instances, args.seed, args.time_limit)
    return 0 if all(r["clearlane_ok"] and r["pyvrp_ok"] for r in rows) else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dispatch", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("solve", help="solve a problem JSON and print the plan JSON")
    s.add_argument("problem", help="problem JSON file ('-' for stdin)")
    s.add_argument("--time-limit", type=float, default=5.0, help="seconds (default 5)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--strict", action="store_true", help="unservable tasks are errors")
    s.add_argument("--brief", action="store_true", help="omit the problem snapshot")
    s.set_defaults(func=cmd_solve)

    m = sub.add_parser("merge", help="merge new tasks (JSON list) into a plan JSON")
    m.add_argument("plan")
    m.add_argument("tasks")
    m.add_argument("--now", help="ISO datetime with timezone (default: the plan's now)")
    m.add_argument("--time-limit", type=float, default=1.0)
    m.add_argument("--seed", type=int, default=0)
    m.set_defaults(func=cmd_merge)

    c = sub.add_parser("check", help="independent feasibility check of a plan JSON")
    c.add_argument("plan")
    c.add_argument("--problem", help="problem JSON (default: the plan's snapshot)")
    c.set_defaults(func=cmd_check)

    b = sub.add_parser("bench", help="Solomon/VRPLIB benchmark with independent checks")
    b.add_argument("--instances", required=True, help="directory of .vrp (+ .sol/bks.csv)")
    b.add_argument("--time-limit", type=float, default=10.0)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--workers", type=int, default=1, help="instances at a time, 1 core each")
    b.add_argument("--json", action="store_true", help="one JSON object per line")
    b.add_argument("--only", help="comma-separated instance names")
    b.set_defaults(func=cmd_bench)

    bm = sub.add_parser("bench-merge", help="merge latency on a generated live plan")
    bm.add_argument("--tasks", type=int, default=100)
    bm.add_argument("--new", type=int, default=5)
    bm.add_argument("--officers", type=int, default=14)
    bm.add_argument("--seed", type=int, default=0)
    bm.add_argument("--time-limit", type=float, default=1.0, help="improvement budget")
    bm.add_argument("--repeats", type=int, default=3)
    bm.set_defaults(func=cmd_bench_merge)

    bd = sub.add_parser("bench-day", help="generated days: plan, merge late morning, measure")
    bd.add_argument("--days", type=int, default=20)
    bd.add_argument("--seed", type=int, default=0, help="first day's seed")
    bd.add_argument("--plan-time-limit", type=float, default=3.0)
    bd.add_argument("--time-limit", type=float, default=1.0, help="merge improvement budget")
    bd.set_defaults(func=cmd_bench_day)

    bl = sub.add_parser("bench-large", help="generated VRPTW: ClearLane vs PyVRP alone")
    bl.add_argument("--customers", type=int, default=400)
    bl.add_argument("--instances", type=int, default=3)
    bl.add_argument("--seed", type=int, default=0)
    bl.add_argument("--time-limit", type=float, default=40.0, help="seconds, each solver")
    bl.set_defaults(func=cmd_bench_large)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "time_limit", 1.0) is not None and getattr(args, "time_limit", 1.0) < 0:
        print("error: --time-limit must be >= 0", file=sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except ProblemError as exc:
        for msg in exc.messages:
            print(f"error: {msg}", file=sys.stderr)
        return 2
    except DispatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
