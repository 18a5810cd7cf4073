"""Domain dispatch: feasibility, priorities, skills, remote work, merges, validation."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from dispatch import (
    ProblemError,
    TimeWindow,
    check_plan,
    merge,
    parse_problem,
    priority_of,
    solve,
)
from dispatch.bench.generate import generate_new_tasks, generate_problem
from tests.dispatch.builders import DAY, officer, problem, task

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "dispatch" / "problem.json"



# ------------------------------------------------------------------ feasibility


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_plans_pass_the_independent_checker(seed: int) -> None:
    p = generate_problem(n_tasks=30, n_officers=5, seed=seed)
    plan = solve(p, time_limit_s=1.0, seed=seed)
    assert check_plan(p, plan) == []
    planned = {s.task_id for r in plan.routes for s in r.stops}
    dropped = {d.task_id for d in plan.dropped}
    assert planned | dropped == {t.id for t in p.tasks}
    assert plan.totals.tasks_planned == len(planned)
    for r in plan.routes:
        for s in r.stops:
            assert s.priority.reason
            assert s.priority.priority_class in ("green", "appointment", "normal")
    # JSON round trip with the documented alias
    data = json.loads(plan.model_dump_json(by_alias=True))
    assert "class" in data["routes"][0]["stops"][0]["priority"] or not plan.routes[0].stops


def test_remote_tasks_use_office_time_of_officers_without_vehicle() -> None:
    p = problem(
        [officer("desk", vehicle=False), officer("car")],
        [
            task("R1", 0.2, 0.2, remote_ok=True, remote_service_minutes=30),
            task("R2", -0.2, 0.1, remote_ok=True, remote_service_minutes=30),
            task("S1", 0.01, 0.01, service_minutes=30),
        ],
    )
    plan = solve(p, time_limit_s=0.5)
    assert check_plan(p, plan) == []
    where = {s.task_id: (r.officer_id, s.mode) for r in plan.routes for s in r.stops}
    assert where["S1"] == ("car", "onsite")
    assert where["R1"][1] == where["R2"][1] == "remote"
    desk = next(r for r in plan.routes if r.officer_id == "desk")
    assert desk.distance_km == 0.0


def test_example_problem_solves() -> None:
    p = parse_problem(json.loads(EXAMPLE.read_text()))
    plan = solve(p, time_limit_s=1.0)
    assert check_plan(p, plan) == []


# ------------------------------------------------------------------ priorities


def test_priority_classes_and_reasons() -> None:
    g = priority_of(task("g", goods_category="perishable"), DAY)
    a = priority_of(task("a", window=TimeWindow(start=DAY, end=DAY + timedelta(hours=1))), DAY)
    n = priority_of(task("n", risk_level="high", created_at=DAY - timedelta(hours=50)), DAY)
    assert (g.priority_class, a.priority_class, n.priority_class) == (
        "green",
        "appointment",
        "normal",
    )
    assert g.penalty > a.penalty > n.penalty
    assert "waiting" in n.reason and "risk high" in n.reason
    assert "green channel" in g.reason


def test_green_channel_served_when_both_cannot_fit() -> None:
    # One officer, 90-minute shift: only one of the two 60-minute inspections fits.
    p = problem(
        [officer("o1", hours=1.5)],
        [
            task(
                "normal",
                0.01,
                0.0,
                service_minutes=60,
                risk_level="high",
                created_at=DAY - timedelta(hours=40),
            ),
            task("fresh", -0.01, 0.0, service_minutes=60, goods_category="fresh_food"),
        ],
    )
    plan = solve(p, time_limit_s=0.5)
    assert [s.task_id for r in plan.routes for s in r.stops] == ["fresh"]
    assert [d.task_id for d in plan.dropped] == ["normal"]
    assert "officer time" in plan.dropped[0].reason


def test_green_channel_goes_first_in_the_route() -> None:
    p = problem(
        [officer("o1")],
        [task(f"n{i}", 0.01 * i, 0.0, service_minutes=20) for i in range(1, 4)]
        + [task("fresh", 0.04, 0.0, service_minutes=20, goods_category="perishable")],
    )
    plan = solve(p, time_limit_s=0.5)
    assert plan.routes[0].stops[0].task_id == "fresh"


def test_task_with_skill_nobody_has_is_dropped_with_reason() -> None:
    p = problem(
        [officer("o1", skills=["food"])],
        [task("t1", 0.01, 0, required_skill="dangerous_goods"), task("t2", 0.02, 0)],
    )
    plan = solve(p, time_limit_s=0.5)
    assert [d.task_id for d in plan.dropped] == ["t1"]
    assert "dangerous_goods" in plan.dropped[0].reason
    assert "skill" in plan.dropped[0].reason
    with pytest.raises(ProblemError, match="t1"):
        solve(p, time_limit_s=0.5, strict=True)


def test_skills_and_hard_windows_respected() -> None:
    w = TimeWindow(start=DAY + timedelta(hours=3), end=DAY + timedelta(hours=3, minutes=30))
    p = problem(
        [officer("food", skills=["food"]), officer("plants", skills=["plants"])],
        [
            task("f", 0.05, 0, required_skill="food", window=w),
            task("p", -0.05, 0, required_skill="plants"),
        ],
    )
    plan = solve(p, time_limit_s=0.5)
    where = {s.task_id: (r.officer_id, s) for r in plan.routes for s in r.stops}
    assert where["f"][0] == "food" and where["p"][0] == "plants"
    assert w.start <= where["f"][1].start <= w.end
    assert check_plan(p, plan) == []


# ------------------------------------------------------------------ merge


def test_merge_never_moves_locked_visits() -> None:
    p = generate_problem(n_tasks=40, n_officers=6, seed=5)
    plan = solve(p, time_limit_s=1.0, seed=5)
    now = p.now + timedelta(hours=3)
    new = generate_new_tasks(p, 4, seed=5)
    res = merge(plan, new, now, time_limit_s=0.5)
    assert res.locked_task_ids
    old = {s.task_id: (r.officer_id, s.sequence, s.start) for r in plan.routes for s in r.stops}
    newpos = {
        s.task_id: (r.officer_id, s.sequence, s.start) for r in res.plan.routes for s in r.stops
    }
    for tid in res.locked_task_ids:
        assert newpos[tid] == old[tid], tid
    assert check_plan(res.plan.problem, res.plan) == []
    assert {m.task_id for m in res.merged} | {u.task_id for u in res.unmerged} == {
        t.id for t in new
    }
    for m in res.merged:
        assert m.detour_minutes >= 0
        assert not any(a.task_id in res.locked_task_ids for a in m.affected)


def test_task_next_to_a_route_merges_onto_that_route() -> None:
    east = [task(f"e{i}", 0.0, 0.05 * i, service_minutes=20) for i in range(1, 5)]
    west = [task(f"w{i}", 0.0, -0.05 * i, service_minutes=20) for i in range(1, 5)]
    p = problem([officer("A", hours=3), officer("B", hours=3)], east + west)
    plan = solve(p, time_limit_s=0.5)
    owner = {s.task_id: r.officer_id for r in plan.routes for s in r.stops}
    assert owner["e1"] == owner["e4"] != owner["w4"]
    new = task("new", 0.002, 0.151, service_minutes=15)  # beside e3
    res = merge(plan, [new], DAY + timedelta(minutes=10), time_limit_s=0.3)
    assert len(res.merged) == 1 and not res.unmerged
    m = res.merged[0]
    assert m.officer_id == owner["e3"]
    assert m.detour_minutes < 5
    assert res.plan.totals.tasks_merged == 1
    assert res.first_answer_seconds < 1.0


def test_merge_rejects_duplicate_ids() -> None:
    p = problem([officer("A")], [task("t1", 0.01, 0)])
    plan = solve(p, time_limit_s=0.3)
    with pytest.raises(ProblemError, match="already in the plan"):
        merge(plan, [task("t1", 0.02, 0)], DAY)


# ------------------------------------------------------------------ validation


def test_validation_lists_every_problem_with_ids() -> None:
    data = {
        "now": DAY.isoformat(),
        "skills": ["food"],
        "depots": [{"id": "HQ", "lat": 26.2, "lon": 117.6}],
        "officers": [
            {
                "id": "o1",
                "depot_id": "HQ",
                "shift_start": "2025-11-26T17:00:00+08:00",
                "shift_end": "2025-11-26T08:00:00+08:00",
                "skills": ["cooking"],
            },
            {
                "id": "o1",
                "depot_id": "NOPE",
                "shift_start": "2025-11-26T08:00:00+08:00",
                "shift_end": "2025-11-26T17:00:00+08:00",
            },
        ],
        "tasks": [
            {"id": "t1", "lat": 95, "lon": 117.6},
            {
                "id": "t2",
                "lat": 26.2,
                "lon": 117.6,
                "required_skill": "x-ray",
                "window": {
                    "start": "2025-11-26T12:00:00+08:00",
                    "end": "2025-11-26T10:00:00+08:00",
                },
            },
        ],
    }
    with pytest.raises(ProblemError) as err:
        parse_problem(data)
    text = "\n".join(err.value.messages)
    for needle in (
        "duplicate officer id 'o1'",
        "officer 'o1': shift ends",
        "unknown depot",
        "unknown skill 'cooking'",
        "task 't1': coordinates",
        "unknown skill 'x-ray'",
        "task 't2': appointment window ends",
    ):
        assert needle in text


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ProblemError, match="now"):
        parse_problem({"now": "2025-11-26T08:00:00", "depots": [], "officers": [], "tasks": []})


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dispatch", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_invalid_problem_gives_message_not_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "now": DAY.isoformat(),
                "depots": [{"id": "HQ", "lat": 26.2, "lon": 117.6}],
                "officers": [],
                "tasks": [{"id": "t1", "lat": 26.2, "lon": 200}],
            }
        )
    )
    out = _cli("solve", str(bad), "--time-limit", "0.2")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "task 't1': coordinates" in out.stderr
    out = _cli("solve", str(tmp_path / "missing.json"))
    assert out.returncode == 2 and "Traceback" not in out.stderr and "cannot read" in out.stderr
    (tmp_path / "garbage.json").write_text("{not json")
    out = _cli("solve", str(tmp_path / "garbage.json"))
    assert out.returncode == 2 and "not valid JSON" in out.stderr


def test_cli_solve_prints_plan_json() -> None:
    out = _cli("solve", str(EXAMPLE), "--time-limit", "0.5", "--seed", "3", "--brief")
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert plan["totals"]["tasks_planned"] + plan["totals"]["tasks_dropped"] == 12
