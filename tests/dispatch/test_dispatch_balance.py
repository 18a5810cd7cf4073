"""Workload balance (issue 11): what an officer's working time is, how the objective and merges
balance it, and when the bench says a day cannot be balanced at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

import dispatch.build as build_module
from dispatch import Task, TimeWindow, merge, solve
from dispatch.build import build
from dispatch.core import SearchConfig, solve_spec
from dispatch.model import OfficerRoute
from dispatch.rebalance import rebalance
from dispatch.schedule import schedule_route
from dispatch.workload_bound import assignment_travel, two_neighbour_travel, workload_bound
from tests.dispatch.builders import DAY, HQ, officer, problem

KM = 1 / 111.0  # degrees of latitude per km


def task(tid: str, north_km: float = 0.0, east_km: float = 0.0, **kw: object) -> Task:
    return Task(id=tid, lat=HQ.lat + north_km * KM, lon=HQ.lon + east_km * KM, **kw)  # type: ignore[arg-type]


def window(start_h: float, hours: float = 0.5) -> TimeWindow:
    start = DAY + timedelta(hours=start_h)
    return TimeWindow(start=start, end=start + timedelta(hours=hours))


def service_h(route: OfficerRoute) -> float:
    return sum((s.end - s.start).total_seconds() for s in route.stops) / 3600


def ratio(routes: list[OfficerRoute]) -> float:
    hours = [r.working_hours for r in routes]
    return max(hours) / min(hours)


# ------------------------------------------------------------------ what working time is


def test_desk_officer_works_only_during_video_inspections_not_between_them() -> None:
    calls = [
        task("r1", remote_ok=True, remote_service_minutes=30, window=window(1)),
        task("r2", remote_ok=True, remote_service_minutes=30, window=window(7)),
    ]
    (route,) = solve(problem([officer("D", vehicle=False)], calls), time_limit_s=0.5).routes
    assert [s.task_id for s in route.stops] == ["r1", "r2"]
    span_h = (route.end - route.start).total_seconds() / 3600
    assert route.working_hours == round(service_h(route), 3)
    assert route.working_hours < span_h


def test_waiting_at_a_site_for_an_appointment_is_working_time() -> None:
    stops = [
        task("p", 6.0, window=window(1), assigned_officer_id="A"),
        task("q", 7.0, window=window(5), assigned_officer_id="A"),
    ]
    (route,) = solve(problem([officer("A")], stops), time_limit_s=0.5).routes
    assert [s.task_id for s in route.stops] == ["p", "q"]
    q = route.stops[1]
    wait_h = (q.start - q.arrival).total_seconds() / 3600
    assert wait_h > 1
    expected = route.travel_hours + service_h(route) + wait_h
    assert abs(route.working_hours - expected) < 0.01


# ------------------------------------------------------------------ the objective balances


def test_balanced_plan_splits_a_cluster_that_distance_alone_gives_one_officer() -> None:
    cluster = [
        task(f"t{i}", 8.0 + 0.3 * (i % 3), 0.3 * (i // 3), service_minutes=45) for i in range(8)
    ]
    p = problem([officer("A"), officer("B")], cluster)

    distance_only = solve_spec(
        build(p, balance=False).spec, SearchConfig(time_limit_s=1.0, use_hgs_seed=False)
    )
    assert sorted(len(r) for r in distance_only.routes) == [0, len(cluster)]

    plan = solve(p, time_limit_s=1.0)
    assert not plan.dropped
    assert min(len(r.stops) for r in plan.routes) >= 3
    assert ratio(plan.routes) <= 1.5


def test_merge_gives_a_late_window_task_to_the_officer_it_keeps_out_least() -> None:
    """The task is a little closer to A's morning stop (slightly less driving for A), but A
    would wait in the field all afternoon for its window; B is out then anyway."""
    p = problem(
        [officer("A", hours=10), officer("B", hours=10)],
        [
            task("morning", 6.0, window=window(0.5), assigned_officer_id="A"),
            task("afternoon", 0.0, 6.0, window=window(6.5), assigned_officer_id="B"),
        ],
    )
    plan = solve(p, time_limit_s=0.5)
    late = task("late", 5.0, 4.0, window=window(7.5), created_at=DAY)
    res = merge(plan, [late], DAY, time_limit_s=0.5)
    assert [(m.task_id, m.officer_id) for m in res.merged] == [("late", "B")]
    hours = {r.officer_id: r.working_hours for r in res.plan.routes}
    assert hours["B"] > hours["A"]
    assert max(hours.values()) / min(hours.values()) < 6


# ------------------------------------------------------------------ days that cannot balance


def test_bound_says_when_remote_work_is_too_little_for_the_desk_officer() -> None:
    onsite = [task(f"s{i}", 5.0 + i, service_minutes=45) for i in range(6)]
    video = task("v", remote_ok=True, remote_service_minutes=15)
    p = problem([officer("A"), officer("B"), officer("D", vehicle=False)], [*onsite, video])
    plan = solve(p, time_limit_s=1.0)
    assert not plan.dropped
    bound = workload_bound(plan).ratio
    assert bound > 1.5
    assert ratio(plan.routes) >= bound


def test_bound_is_one_when_remote_work_can_fill_the_desk_officers_day() -> None:
    onsite = [task(f"s{i}", 5.0, service_minutes=30) for i in range(2)]
    videos = [task(f"v{i}", remote_ok=True, remote_service_minutes=30) for i in range(6)]
    plan = solve(problem([officer("A"), officer("D", vehicle=False)], [*onsite, *videos]), 1.0)
    assert workload_bound(plan).ratio == 1.0


# ------------------------------------------------------------------ rebalancing on working time


def test_rebalance_moves_a_task_that_keeps_one_officer_waiting_in_the_field() -> None:
    p = problem(
        [officer("A"), officer("B")],
        [task("p", 6.0, window=window(1)), task("q", 6.5, window=window(6))],
    )
    b = build(p)
    pn, qn = b.node_of["p"], b.node_of["q"]

    def spread(routes: list[list[int]]) -> int:
        work = [schedule_route(b, v, r).working_s for v, r in enumerate(routes)]
        return max(work) - min(work)

    before = [[pn, qn], []]
    after = rebalance(b, before)
    assert sorted(map(len, after)) == [1, 1]
    assert spread(after) < spread(before)
    assert all(schedule_route(b, v, r).feasible for v, r in enumerate(after))
    assert rebalance(b, before, keep=frozenset({pn, qn})) == before


def test_plan_balances_working_time_between_two_similar_officers() -> None:
    north = [task(f"n{i}", 6.0 + 0.5 * i, service_minutes=30) for i in range(4)]
    east = [task(f"e{i}", 0.0, 6.0 + 0.5 * i, service_minutes=30) for i in range(4)]
    plan = solve(problem([officer("A"), officer("B")], [*north, *east]), time_limit_s=1.0)
    assert not plan.dropped
    assert all(r.stops for r in plan.routes)
    assert ratio(plan.routes) <= 1.5


# ------------------------------------------------------------------ the workload bound


def test_bound_counts_on_site_work_that_only_one_officer_has_the_skill_for() -> None:
    """B lacks the skill every site needs: A must do all of it, however the tasks are split."""
    sites = [task(f"s{i}", 5.0 + i, service_minutes=45, required_skill="plants") for i in range(4)]
    videos = [task(f"v{i}", remote_ok=True, remote_service_minutes=30) for i in range(4)]
    p = problem(
        [officer("A", skills=["plants"]), officer("B"), officer("D", vehicle=False)],
        [*sites, *videos],
        skills=["plants"],
    )
    plan = solve(p, time_limit_s=1.0)
    assert not plan.dropped
    bound = workload_bound(plan)
    a = next(r for r in plan.routes if r.officer_id == "A")
    assert bound.busiest_h >= 3.0  # 4 × 45 min on site, driving on top
    assert bound.busiest_h <= a.working_hours
    assert "only A" in bound.reason
    assert bound.ratio > 1.5
    assert ratio(plan.routes) >= bound.ratio


def test_assignment_bound_never_exceeds_the_driving_of_a_real_route() -> None:
    sites = [task(f"s{i}", 4.0 * (i % 3), 4.0 * (i // 3), service_minutes=20) for i in range(6)]
    p = problem([officer("A"), officer("B")], sites)
    plan = solve(p, time_limit_s=1.0)
    b = build(p)
    tm = b.spec.time[0]
    nodes = [b.node_of[t.id] for t in sites]
    driving_s = sum(r.travel_seconds for r in plan.routes)
    lower = assignment_travel(tm, nodes, [0, 0])
    assert 0 < lower <= driving_s
    assert two_neighbour_travel(tm, nodes, nodes, 1) <= driving_s


# ------------------------------------------------------------------ office work between trips


def test_a_field_officer_back_at_the_office_between_two_trips_takes_a_video_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A morning site, a late-morning video call, an afternoon site: with one field trip the
    call cannot be fitted (A would be out); with two, A comes back for it in between."""
    tasks = [
        task("am", 6.0, window=window(1.0), goods_category="perishable"),
        task("call", remote_ok=True, remote_service_minutes=20, window=window(3.0)),
        task("pm", 0.0, 6.0, window=window(5.0), goods_category="perishable"),
    ]
    p = problem([officer("A")], tasks)
    assert [d.task_id for d in solve(p, time_limit_s=0.5).dropped] == ["call"]

    monkeypatch.setattr(build_module, "MAX_TRIPS", 2)
    plan = solve(p, time_limit_s=0.5)
    assert not plan.dropped
    (route,) = plan.routes
    assert [(s.task_id, s.mode) for s in route.stops] == [
        ("am", "onsite"), ("call", "remote"), ("pm", "onsite")
    ]
    assert route.stops[1].travel_km == 0.0
    assert route.working_hours == round(route.travel_hours + service_h(route), 3)
