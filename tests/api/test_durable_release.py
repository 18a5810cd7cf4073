"""The release decision's durable machinery, in process: job leases and retries, stuck
screenings officers can re-run, one live declaration per container, reused photos, and the
orphan sweep."""

import os
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from customs import cleanup, jobs
from customs.settings import Settings
from customs.storage import BlobStore
from models import Job, JobStatus, Screening, VisionDecision, utcnow
from tests.api.conftest import World, container_number, running_app
from tests.api.images import jpeg_bytes
from tests.api.test_release_flow import fake_screener


def _job(world: World, declaration_id: int) -> Job:
    with Session(world.engine) as session:
        job = jobs.latest_job(session, jobs.SCREENING, declaration_id)
        assert job is not None
        return job


def test_a_claimed_job_is_not_claimed_again_until_its_lease_runs_out(world: World) -> None:
    world.client.app.state.in_process_worker.stop()  # type: ignore[attr-defined]
    declaration = world.submitted()
    world.upload_packing_photo(declaration["id"], jpeg_bytes(), settle=False)
    job = _job(world, declaration["id"])
    assert job.id is not None and job.status == JobStatus.pending
    assert jobs.claim(world.engine, job.id, lease_s=60) is not None
    assert jobs.claim(world.engine, job.id, lease_s=60) is None  # another worker holds it
    with Session(world.engine) as session:
        stored = session.get(Job, job.id)
        assert stored is not None
        stored.lease_until = utcnow() - timedelta(seconds=1)  # its worker died
        session.add(stored)
        session.commit()
    again = jobs.claim(world.engine, job.id, lease_s=60)
    assert again is not None and again.attempts == 2


def test_a_failing_job_backs_off_then_fails_for_an_officer_to_see(world: World) -> None:
    world.client.app.state.in_process_worker.stop()  # type: ignore[attr-defined]
    declaration = world.submitted()
    world.upload_packing_photo(declaration["id"], jpeg_bytes(), settle=False)
    job_id = _job(world, declaration["id"]).id
    assert job_id is not None
    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
        with Session(world.engine) as session:
            session.exec(select(Job)).one().run_after = None  # skip the back-off wait
            session.commit()
        claimed = jobs.claim(world.engine, job_id, lease_s=60)
        assert claimed is not None and claimed.attempts == attempt
        status = jobs.fail(world.engine, claimed, "RuntimeError: the store is unreachable")
    assert status == JobStatus.failed
    failed = _job(world, declaration["id"])
    assert failed.active_key is None and failed.last_error.startswith("RuntimeError")
    assert world.exporter_a.get(f"/declarations/{declaration['id']}").json()["status"] == \
        "SCREENING"


def test_officers_see_a_stuck_screening_and_rerunning_it_decides(world: World) -> None:
    worker = world.client.app.state.in_process_worker  # type: ignore[attr-defined]
    worker.stop()
    world.settings.stuck_screening_minutes = 0.001
    declaration = world.submitted()
    world.upload_packing_photo(declaration["id"], jpeg_bytes(), settle=False)
    time.sleep(0.2)
    stuck = world.officer.get("/screenings/stuck").json()
    assert [s["declaration_id"] for s in stuck] == [declaration["id"]]
    assert stuck[0]["job"]["status"] == "pending" and stuck[0]["minutes"] > 0
    assert world.exporter_a.get("/screenings/stuck").status_code == 403
    rerun = world.officer.post(f"/declarations/{declaration['id']}/rescreen")
    assert rerun.status_code == 202, rerun.text
    worker.run_pending()
    assert world.officer.get(f"/declarations/{declaration['id']}").json()["status"] == \
        "INSPECTION_REQUIRED"
    assert world.officer.get("/screenings/stuck").json() == []
    again = world.officer.post(f"/declarations/{declaration['id']}/rescreen")
    assert again.status_code == 409 and again.json()["code"] == "not_screening"


def test_a_release_records_exactly_the_photos_it_rests_on(world: World) -> None:
    world.settings.sampling_rate_advanced = 0.0
    world.use_screener(fake_screener(VisionDecision.release))
    world.client.app.state.in_process_worker.stop()  # type: ignore[attr-defined]
    declaration = world.submitted(filing_id=world.approved_filing())
    first = world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=1), settle=False)
    second = world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=2), settle=False)
    world.client.app.state.in_process_worker.run_pending()  # type: ignore[attr-defined]
    screening = world.exporter_a.get(f"/declarations/{declaration['id']}/screening").json()
    assert screening["photo_sha256s"] == [first.json()["sha256"], second.json()["sha256"]]
    with Session(world.engine) as session:
        assert len(session.exec(select(Job)).all()) == 1  # two uploads, one job
        assert len(session.exec(select(Screening)).all()) == 1


def test_the_same_photo_on_another_declaration_goes_to_inspection(world: World) -> None:
    world.settings.sampling_rate_advanced = 0.0
    world.use_screener(fake_screener(VisionDecision.release))
    filing = world.approved_filing()
    photo = jpeg_bytes(seed=3)
    first, second = world.submitted(filing_id=filing), world.submitted(filing_id=filing)
    world.upload_packing_photo(first["id"], photo)
    world.upload_packing_photo(second["id"], photo)
    assert world.exporter_a.get(f"/declarations/{first['id']}").json()["status"] == "RELEASED"
    screening = world.exporter_a.get(f"/declarations/{second['id']}/screening").json()
    assert [r["code"] for r in screening["reasons"]] == ["photo_reused"]
    assert str(first["id"]) in screening["reasons"][0]["message"]


def test_a_container_on_a_live_declaration_cannot_be_declared_again(world: World) -> None:
    container = container_number(424242)
    mine = world.declaration(containers=[{"container_no": container}])
    again = world.exporter_a.post("/declarations", json={
        "goods": [{"hs_code": "850760", "quantity": 1, "gross_weight_kg": 1}],
        "containers": [{"container_no": container}]})
    assert again.status_code == 409
    assert mine["declaration_no"] in again.json()["detail"]  # named to its owner
    theirs = world.exporter_b.post("/declarations", json={
        "goods": [{"hs_code": "850760", "quantity": 1, "gross_weight_kg": 1}],
        "containers": [{"container_no": container}]})
    assert theirs.status_code == 409 and theirs.json()["code"] == "container_in_use"
    assert mine["declaration_no"] not in theirs.json()["detail"]  # only "in use"
    world.exporter_a.post(f"/declarations/{mine['id']}/cancel")
    freed = world.declaration(world.exporter_b, containers=[{"container_no": container}])
    lookup = world.port.get("/clearance", params={"container_no": container}).json()
    assert lookup["declaration_no"] == freed["declaration_no"]


def test_a_loaded_container_shows_as_loaded_and_may_be_declared_for_the_next_voyage(
        world: World) -> None:
    declaration = world.screened()
    container = declaration["containers"][0]["container_no"]
    task = world.officer.get("/inspections").json()["items"][0]
    world.officer.post(f"/inspections/{task['id']}/result", json={"outcome": "pass"})
    world.port.post(f"/clearance/{declaration['declaration_no']}/loaded")
    lookup = world.port.get("/clearance", params={"container_no": container}).json()
    assert lookup["status"] == "LOADED" and lookup["may_load"] is False
    assert "hold" not in lookup["message"]
    next_voyage = world.declaration(containers=[{"container_no": container}])
    assert next_voyage["status"] == "DRAFT"


def test_the_orphan_sweep_removes_unreferenced_old_files_and_keeps_referenced_ones(
        world: World) -> None:
    declaration = world.screened()
    store = BlobStore(world.settings.blob_dir)
    orphan, _ = store.put(b"evidence of a superseded screening")
    temp = store.root / "ab" / ".tmp-killed-write"
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(b"half")
    an_hour_ago = time.time() - 3700
    for path in store.root.rglob("*"):
        if path.is_file():
            os.utime(path, (an_hour_ago, an_hour_ago))
    fresh, _ = store.put(b"an upload still between file and commit")
    report = cleanup.collect(world.engine, store)
    assert (report.orphans_removed, report.temp_files_removed) == (1, 1)
    assert not store.path_for(orphan).exists() and not temp.exists()
    assert store.path_for(fresh).exists()  # too young to judge
    photo = world.exporter_a.get(f"/declarations/{declaration['id']}/photos").json()[0]
    assert store.path_for(photo["sha256"]).exists()


def test_the_app_shuts_down_only_after_its_start_up_sweep_has_finished(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sweep reads the database in its own thread; an app that shut down under it left
    its query running while the test dropped the schema (a deadlock on PostgreSQL)."""
    finished: list[bool] = []
    go = threading.Event()

    def slow_sweep(engine: Engine, store: BlobStore) -> None:
        go.wait(10)  # held until the app has answered (not a race against its start-up)
        time.sleep(0.3)  # still running when the app is told to shut down
        with Session(engine) as session:
            session.exec(select(Job)).all()
        finished.append(True)

    monkeypatch.setattr(cleanup, "collect", slow_sweep)
    with running_app(settings) as client:
        assert client.get("/health").status_code == 200
        assert finished == []
        go.set()
    assert finished == [True]


def test_the_officer_dashboard_lists_a_stuck_screening_and_screens_it_again(
        world: World) -> None:
    worker = world.client.app.state.in_process_worker  # type: ignore[attr-defined]
    worker.stop()
    world.settings.stuck_screening_minutes = 0.001
    declaration = world.submitted()
    world.upload_packing_photo(declaration["id"], jpeg_bytes(), settle=False)
    time.sleep(0.2)
    world.client.cookies.set("clearlane_token",
                             world.officer.headers["Authorization"].removeprefix("Bearer "))
    dashboard = world.client.get("/officer")
    assert declaration["declaration_no"] in dashboard.text and "重新筛查" in dashboard.text
    rerun = world.client.post(f"/officer/declarations/{declaration['id']}/rescreen",
                              follow_redirects=False)
    assert rerun.status_code == 303
    worker.run_pending()
    assert declaration["declaration_no"] not in world.client.get("/officer").text
    world.client.cookies.clear()
