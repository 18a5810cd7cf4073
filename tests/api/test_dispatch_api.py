"""Officers build the day's plan from open inspection tasks and merge new ones into it."""

import pytest
from sqlmodel import Session, func, select

from customs import plan_jobs
from models import DispatchPlanRecord, InspectionTask
from tests.api.conftest import World

pytestmark = pytest.mark.usefixtures("planning_at_nine")


def _onsite(world: World, **overrides) -> dict:  # type: ignore[no-untyped-def, type-arg]
    declaration = world.screened(remote_inspection_ok=False, inspection_latitude=24.50,
                                 inspection_longitude=118.00, **overrides)
    assert declaration["status"] == "INSPECTION_REQUIRED"
    return declaration


def test_officer_builds_a_plan_with_per_officer_dispatch_lists(world: World) -> None:
    first = _onsite(world)
    second = _onsite(world, goods_category="fresh_food")
    response = world.officer.post("/dispatch/plans?wait=true", json={"time_limit_s": 1})
    assert response.status_code == 201, response.text
    plan = response.json()["plan"]
    stops = [s for r in plan["routes"] for s in r["stops"]]
    assert {s["declaration_no"] for s in stops} == {first["declaration_no"],
                                                    second["declaration_no"]}
    fresh = next(s for s in stops if s["declaration_no"] == second["declaration_no"])
    assert fresh["priority"]["class"] == "green" and fresh["priority"]["reason"]
    assert all(s["exporter"] == "Battery Co A" and s["start"] for s in stops)
    for declaration in (first, second):
        status = world.officer.get(f"/declarations/{declaration['id']}").json()["status"]
        assert status == "INSPECTION_SCHEDULED"
    stored = world.officer.get(f"/dispatch/plans/{response.json()['id']}")
    assert stored.json()["plan"] == plan


def test_tasks_created_after_the_plan_are_merged_with_vehicle_and_detour(world: World) -> None:
    _onsite(world)
    plan_id = world.officer.post("/dispatch/plans?wait=true", json={"time_limit_s": 1}).json()["id"]
    late = _onsite(world)
    response = world.officer.post(f"/dispatch/plans/{plan_id}/merge", json={"time_limit_s": 0})
    assert response.status_code == 200, response.text
    merged = response.json()["merged"]
    assert len(merged) == 1 and merged[0]["vehicle_id"] == "V1"
    assert merged[0]["detour_minutes"] >= 0
    assert world.officer.get(f"/declarations/{late['id']}").json()["status"] == \
        "INSPECTION_SCHEDULED"
    again = world.officer.post(f"/dispatch/plans/{plan_id}/merge")
    assert again.status_code == 422 and again.json()["code"] == "nothing_to_merge"


def test_a_task_needing_a_skill_nobody_has_is_dropped_with_that_reason(world: World) -> None:
    declaration = _onsite(world)
    with Session(world.engine) as session:
        task = session.get(InspectionTask, 1)
        assert task is not None
        task.required_skill = "radiation"
        session.add(task)
        session.commit()
    plan = world.officer.post("/dispatch/plans?wait=true", json={"time_limit_s": 1}).json()["plan"]
    assert plan["dropped"][0]["task_id"] == "T1"
    assert "radiation" in plan["dropped"][0]["reason"]
    assert world.officer.get(f"/declarations/{declaration['id']}").json()["status"] == \
        "INSPECTION_REQUIRED"


def test_only_officers_dispatch(world: World) -> None:
    assert world.exporter_a.post("/dispatch/plans").status_code == 403
    assert world.port.get("/dispatch/plans/1").status_code == 403
    assert world.officer.get("/dispatch/plans/999").status_code == 404


def test_appointment_in_port_time_is_stored_as_the_same_instant(world: World) -> None:
    _onsite(world)
    task = world.officer.get("/inspections").json()["items"][0]
    response = world.officer.post(f"/inspections/{task['id']}/appointment", json={
        "window_start": "2026-12-01T09:00:00+08:00", "window_end": "2026-12-01T11:00:00+08:00"})
    assert response.status_code == 200, response.text
    stored = world.officer.get(f"/inspections/{task['id']}").json()
    assert stored["window_start"].replace("Z", "+00:00") == "2026-12-01T01:00:00+00:00"
    reversed_window = world.officer.post(f"/inspections/{task['id']}/appointment", json={
        "window_start": "2026-12-01T11:00:00+08:00", "window_end": "2026-12-01T09:00:00+08:00"})
    assert reversed_window.status_code == 422


def test_inspection_list_shows_each_tasks_priority_and_why(world: World) -> None:
    _onsite(world, goods_category="fresh_food")
    _onsite(world)
    tasks = {t["goods_category"]: t for t in world.officer.get("/inspections").json()["items"]}
    assert tasks["fresh_food"]["priority_class"] == "green"
    assert "green channel" in tasks["fresh_food"]["priority_reason"]
    assert tasks["dangerous_goods"]["priority_class"] == "normal"
    assert tasks["fresh_food"]["priority_score"] > tasks["dangerous_goods"]["priority_score"]


def test_building_a_plan_runs_as_a_background_job_with_progress(world: World) -> None:
    declaration = _onsite(world)
    response = world.officer.post("/dispatch/plans", json={"time_limit_s": 1})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["phase"] in ("queued", "solving") and job["time_limit_s"] == 1
    assert 0 <= job["percent"] < 100 and job["plan_id"] is None
    world.settle()
    done = world.officer.get(f"/dispatch/jobs/{job['id']}").json()
    assert done["status"] == "done" and done["phase"] == "saved" and done["percent"] == 100
    plan = world.officer.get(f"/dispatch/plans/{done['plan_id']}").json()["plan"]
    assert [s["declaration_no"] for r in plan["routes"] for s in r["stops"]] == \
        [declaration["declaration_no"]]
    assert world.officer.get("/dispatch/plans/latest").json()["id"] == done["plan_id"]


def test_only_one_plan_builds_at_a_time(world: World) -> None:
    _onsite(world)
    world.client.app.state.in_process_worker.stop()  # type: ignore[attr-defined]
    first = world.officer.post("/dispatch/plans", json={"time_limit_s": 1}).json()
    second = world.officer.post("/dispatch/plans", json={"time_limit_s": 1}).json()
    assert second["id"] == first["id"] and second["status"] == "pending"
    world.settle()
    third = world.officer.post("/dispatch/plans", json={"time_limit_s": 1}).json()
    assert third["id"] != first["id"]
    world.settle()


def test_a_plan_job_run_again_after_a_crash_builds_no_second_plan(world: World) -> None:
    _onsite(world)
    job_id = world.officer.post("/dispatch/plans", json={"time_limit_s": 1}).json()["id"]
    world.settle()
    plan_jobs.run(world.engine, world.settings, job_id)
    with Session(world.engine) as session:
        assert session.exec(select(func.count()).select_from(DispatchPlanRecord)).one() == 1


def test_plan_budget_is_capped_and_unknown_jobs_are_404(world: World) -> None:
    too_long = world.officer.post("/dispatch/plans", json={"time_limit_s": 31})
    assert too_long.status_code == 422
    assert world.officer.get("/dispatch/jobs/999").status_code == 404
    assert world.exporter_a.get("/dispatch/jobs/1").status_code == 403
