"""Issue 11 guarantees: merges keep dispatched lists, nothing disappears silently, detours are
exact, remote inspections add no driving, workloads are balanced, appointments and
escalations."""

from __future__ import annotations

import itertools
from datetime import timedelta
from functools import partial

import pytest

from dispatch import (
    DispatchPlan,
    DispatchProblem,
    SearchConfig,
    TimeWindow,
    book,
    check_plan,
    free_slots,
    merge,
    solve,
)
from dispatch.bench.day import generate_day
from dispatch.travel import Point, provider_for
from tests.dispatch import builders
from tests.dispatch.builders import DAY, problem, task

officer = partial(builders.officer, hours=8)


def order(plan: DispatchPlan) -> dict[str, list[str]]:
    return {r.officer_id: [s.task_id for s in r.stops] for r in plan.routes}


def travel_seconds(p: DispatchProblem, depot: str, stops: list[str], vehicle: bool) -> int:
    """Recomputed from the travel provider alone: office → on-site stops → office."""
    if not vehicle or not stops:
        return 0
    tasks = {t.id: t for t in p.tasks}
    path = [depot, *(depot if tasks[i].remote_ok else i for i in stops), depot]
    points = [Point(d.id, d.lat, d.lon) for d in p.depots]
    points += [Point(t.id, t.lat, t.lon) for t in p.tasks if not t.remote_ok]
    where = {pt.key: k for k, pt in enumerate(points)}
    _dist, dur = provider_for(p.travel).matrices(points)
    return sum(int(dur[where[a], where[b]]) for a, b in itertools.pairwise(path))


# ------------------------------------------------------------------ merge guarantees


@pytest.mark.parametrize("seed", [11, 12])
def test_merge_keeps_every_dispatched_stop_with_its_officer_and_order(seed: int) -> None:
    p, new = generate_day(seed)
    plan = solve(p, time_limit_s=1.0, seed=seed)
    res = merge(plan, new, new[0].created_at or DAY, time_limit_s=0.5, seed=seed)
    assert res.displaced == []
    before, after = order(plan), order(res.plan)
    for officer_id, ids in before.items():
        kept = [t for t in after[officer_id] if t in set(ids)]
        assert kept == ids, officer_id
    assert check_plan(res.plan.problem, res.plan) == []
    answered = {m.task_id for m in res.merged} | {u.task_id for u in res.unmerged}
    assert answered == {t.id for t in new}


def test_stop_that_no_longer_fits_is_listed_as_displaced_with_reason() -> None:
    later = DAY + timedelta(minutes=30)
    p = problem(
        [officer("A", start=later), officer("B", start=later)],
        [task("a1", 0.02, 0.0, service_minutes=60), task("a2", 0.03, 0.01, service_minutes=60)],
    )
    plan = solve(p, time_limit_s=0.5)
    owner = next(r for r in plan.routes if r.stops)
    other = "B" if owner.officer_id == "A" else "A"
    # Before leaving, the owner is called off at 09:00: their stops cannot stay on the list.
    short = [
        o.model_copy(update={"shift_end": DAY + timedelta(hours=1)})
        if o.id == owner.officer_id
        else o
        for o in p.officers
    ]
    res = merge(plan, [], DAY, problem=p.model_copy(update={"officers": short}), time_limit_s=0.3)
    gone = {d.task_id: d for d in res.displaced}
    assert set(gone) == {s.task_id for s in owner.stops}
    for d in gone.values():
        assert d.officer_id == owner.officer_id
        assert "shift ends" in d.reason and f"moved to {other}" in d.reason
    assert set(gone) <= set(order(res.plan)[other])
    assert {m.task_id: m.displaced_from for m in res.merged} == {
        t: owner.officer_id for t in gone
    }


def test_task_that_does_not_fit_comes_back_with_alternatives() -> None:
    p = problem(
        [officer("car"), officer("desk", vehicle=False)],
        [
            task("big1", 0.01, 0.0, service_minutes=220),
            task("big2", 0.0, 0.01, service_minutes=220),
        ],
    )
    plan = solve(p, time_limit_s=0.5)
    assert len(order(plan)["car"]) == 2
    fish = task("fish", 0.01, 0.01, service_minutes=60, goods_category="perishable")
    res = merge(plan, [fish], DAY, time_limit_s=0.3)
    assert res.merged == [] and res.displaced == []
    assert order(res.plan)["car"] == order(plan)["car"]  # nothing moved without acceptance
    (u,) = res.unmerged
    kinds = {a.kind: a for a in u.alternatives}
    assert set(kinds) == {"other_officer", "remote", "next_shift"}
    assert kinds["other_officer"].officer_id == "car"
    assert len(kinds["other_officer"].displaces) == 1
    assert kinds["remote"].officer_id == "desk" and kinds["remote"].mode == "remote"
    assert kinds["next_shift"].start.date() == (DAY + timedelta(days=1)).date()


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_reported_detour_equals_route_travel_after_minus_before(seed: int) -> None:
    p, new = generate_day(seed)
    plan = solve(p, time_limit_s=1.0, seed=seed)
    res = merge(plan, new, new[0].created_at or DAY, time_limit_s=0.5, seed=seed)
    assert res.merged
    q = res.plan.problem
    old = {r.officer_id: [s.task_id for s in r.stops] for r in plan.routes}
    for r in res.plan.routes:
        vehicle = r.vehicle_id is not None
        after = travel_seconds(q, r.depot_id, [s.task_id for s in r.stops], vehicle)
        before = travel_seconds(q, r.depot_id, old[r.officer_id], vehicle)
        claimed = sum(m.detour_seconds for m in res.merged if m.officer_id == r.officer_id)
        assert claimed == after - before, r.officer_id
        assert r.travel_seconds == after


def test_single_merged_task_detour_is_the_route_difference_in_minutes() -> None:
    p = problem([officer("A")], [task("t1", 0.05, 0.0), task("t2", 0.05, 0.05)])
    plan = solve(p, time_limit_s=0.3)
    res = merge(plan, [task("n", 0.0, 0.05, service_minutes=15)], DAY, time_limit_s=0.2)
    (m,) = res.merged
    diff = res.plan.routes[0].travel_seconds - plan.routes[0].travel_seconds
    assert m.detour_seconds == diff > 0
    assert m.detour_minutes == round(diff / 60, 1)


# ------------------------------------------------------------------ remote inspections


def test_remote_task_adds_no_driving_to_a_vehicle_route() -> None:
    onsite = [task("far1", 0.1, 0.0), task("far2", 0.1, 0.1)]
    remote = task("video", 0.3, 0.3, remote_ok=True, remote_service_minutes=30)
    alone = solve(problem([officer("A")], onsite), time_limit_s=0.5)
    both = solve(problem([officer("A")], [*onsite, remote]), time_limit_s=0.5)
    route = both.routes[0]
    modes = [s.mode for s in route.stops]
    assert modes in (["remote", "onsite", "onsite"], ["onsite", "onsite", "remote"])
    assert route.distance_m == alone.routes[0].distance_m
    assert all(s.travel_km == 0 for s in route.stops if s.mode == "remote")
    assert route.return_km > 0  # the drive back is the route's, not the video call's


def test_merged_remote_task_is_never_charged_driving() -> None:
    p = problem([officer("A")], [task("o1", 0.05, 0.0), task("o2", 0.05, 0.05)])
    plan = solve(p, time_limit_s=0.3)
    video = task("video", 0.2, 0.2, remote_ok=True, remote_service_minutes=20)
    res = merge(plan, [video], DAY + timedelta(minutes=5), time_limit_s=0.2)
    (m,) = res.merged
    assert m.mode == "remote" and m.detour_km == 0 and m.detour_seconds == 0
    stops = res.plan.routes[0].stops
    assert [s.task_id for s in stops if s.mode == "onsite"] == order(plan)["A"]


# ------------------------------------------------------------------ workload balance


def test_working_time_is_balanced_across_officers() -> None:
    tasks = [task(f"t{i}", 0.01 * (i % 3), 0.01 * (i // 3), service_minutes=45) for i in range(8)]
    plan = solve(problem([officer("A"), officer("B")], tasks), time_limit_s=1.0)
    hours = sorted(r.working_hours for r in plan.routes)
    assert hours[0] > 0 and hours[1] / hours[0] <= 1.5


def test_solve_does_not_change_the_callers_search_config() -> None:
    cfg = SearchConfig(time_limit_s=9.0, seed=7)
    solve(problem([officer("A")], [task("t", 0.01, 0.0)]), time_limit_s=0.2, seed=1, config=cfg)
    assert (cfg.time_limit_s, cfg.seed) == (9.0, 7)


# ------------------------------------------------------------------ appointments


def test_perishables_are_offered_earlier_slots_than_normal_tasks() -> None:
    p = problem([officer("A")], [task("t1", 0.02, 0.0, service_minutes=30)])
    plan = solve(p, time_limit_s=0.3)
    fish = free_slots(plan, task("fish", 0.01, 0.0, goods_category="perishable"))
    bolts = free_slots(plan, task("bolts", 0.01, 0.0))
    assert fish and bolts
    assert fish[0].start < bolts[0].start
    assert bolts[0].start >= DAY + timedelta(minutes=60)
    assert [s.start for s in fish] == sorted(s.start for s in fish)


def test_slots_skip_times_the_live_plan_already_uses() -> None:
    busy = task(
        "busy",
        0.0,
        0.0,
        service_minutes=120,
        window=TimeWindow(start=DAY + timedelta(hours=2), end=DAY + timedelta(hours=2)),
    )
    plan = solve(problem([officer("A", hours=5)], [busy]), time_limit_s=0.3)
    slots = free_slots(plan, task("x", 0.0, 0.0, service_minutes=60), count=20)
    taken = (DAY + timedelta(hours=1, minutes=1), DAY + timedelta(hours=4))
    assert slots
    assert not any(taken[0] <= s.start < taken[1] and not s.next_shift for s in slots)
    booked = book(task("x", 0.0, 0.0, service_minutes=60), slots[0])
    res = merge(plan, [booked], DAY, time_limit_s=0.2)
    assert [m.task_id for m in res.merged] == ["x"]
    assert slots[0].start <= res.merged[0].start < slots[0].end


def test_full_day_offers_next_shift_slots() -> None:
    p = problem([officer("A", hours=2)], [task("full", 0.0, 0.001, service_minutes=110)])
    plan = solve(p, time_limit_s=0.3)
    slots = free_slots(plan, task("x", 0.0, 0.0, service_minutes=60), count=2)
    assert slots and all(s.next_shift for s in slots)
    assert slots[0].start >= DAY + timedelta(days=1)


def test_task_whose_window_passed_is_escalated_with_a_new_slot() -> None:
    late = task(
        "late",
        0.01,
        0.0,
        goods_category="perishable",
        window=TimeWindow(start=DAY - timedelta(hours=3), end=DAY - timedelta(hours=1)),
    )
    plan = solve(problem([officer("A")], [late, task("t", 0.02, 0.0)]), time_limit_s=0.3)
    d = plan.dropped[0]
    assert d.task_id == "late" and d.escalated
    assert d.proposed_slot is not None and d.proposed_slot.start >= DAY
