"""kill -9 of real processes: an acknowledged write survives, and every screening finishes
after a restart, whichever process died and whenever."""

import time
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from models import Declaration, Job, JobStatus, Screening
from tests.api.conftest import container_number
from tests.api.images import jpeg_bytes
from tests.api.test_task_queue import REDIS_URL, require_redis
from tests.processes import ApiClient, child_pids, deployment, free_port, kill_hard

pytestmark = pytest.mark.slow
SLOW_SCREENER = {"screening_engine": "custom",
                 "custom_screener": "tests.fault_screeners:slow", "job_lease_s": 5}


def _screenings(engine: object, declaration_id: int) -> int:
    with Session(engine) as session:  # type: ignore[call-overload]
        return int(session.exec(select(func.count()).select_from(Screening)
                                .where(Screening.declaration_id == declaration_id)).one())


def test_a_201_means_the_declaration_survives_kill_9(database_url: str, tmp_path: Path) -> None:
    with deployment(database_url, tmp_path / "data") as running:
        port = free_port()
        api = running.start_api(port)
        exporter = ApiClient(f"http://127.0.0.1:{port}", running.token("exporter"))
        other_connection = ApiClient(f"http://127.0.0.1:{port}", running.token("exporter"))
        acknowledged = []
        for serial in range(20):
            declaration = exporter.declare(container_number(serial), submit=False)
            acknowledged.append(declaration["id"])
            # read-your-writes from another connection, right after the 201
            assert other_connection.http.get(
                f"/declarations/{declaration['id']}").status_code == 200
        kill_hard(api)
        with Session(running.engine) as session:
            stored = set(session.exec(select(Declaration.id)))
    assert set(acknowledged) <= stored


def test_screening_finishes_after_the_api_is_killed_mid_screening(database_url: str,
                                                                   tmp_path: Path) -> None:
    with deployment(database_url, tmp_path / "data", **SLOW_SCREENER) as running:
        port = free_port()
        api = running.start_api(port, FAULT_SCREEN_SECONDS="3")
        exporter = ApiClient(f"http://127.0.0.1:{port}", running.token("exporter"))
        declaration = exporter.declare(container_number(1))
        assert exporter.upload(declaration["id"], jpeg_bytes()).status_code == 202
        time.sleep(1.0)  # the in-process worker is now inside the vision check
        kill_hard(api)
        assert exporter_status_in_db(running.engine, declaration["id"]) == "SCREENING"
        restarted = time.monotonic()
        running.start_api(port, FAULT_SCREEN_SECONDS="0.1")
        status = exporter.wait_decided(declaration["id"], timeout_s=120)
        recovered_s = time.monotonic() - restarted
        assert status == "INSPECTION_REQUIRED"  # no approved filing: red channel, decided
        assert _screenings(running.engine, declaration["id"]) == 1
    assert recovered_s < 120


def exporter_status_in_db(engine: object, declaration_id: int) -> str:
    with Session(engine) as session:  # type: ignore[call-overload]
        declaration = session.get(Declaration, declaration_id)
        assert declaration is not None
        return str(declaration.status)


@pytest.mark.postgres
@pytest.mark.parametrize("victim", ["whole worker", "pool child"])
def test_screening_finishes_after_the_celery_worker_is_killed(
        postgres_url: str, tmp_path: Path, victim: str) -> None:
    require_redis()
    with deployment(postgres_url, tmp_path / "data", task_queue="celery",
                    redis_url=REDIS_URL, **SLOW_SCREENER) as running:
        port = free_port()
        running.start_api(port)
        worker = running.start_worker(FAULT_SCREEN_SECONDS="4")
        exporter = ApiClient(f"http://127.0.0.1:{port}", running.token("exporter"))
        declaration = exporter.declare(container_number(2))
        assert exporter.upload(declaration["id"], jpeg_bytes()).status_code == 202
        _wait_for_running_job(running.engine, timeout_s=60)
        if victim == "whole worker":
            kill_hard(worker)
            running.start_worker(FAULT_SCREEN_SECONDS="0.1")
        else:  # what the OOM killer does: one pool process dies, the main process lives
            import os
            import signal

            for pid in child_pids(worker.pid):
                os.kill(pid, signal.SIGKILL)
        status = exporter.wait_decided(declaration["id"], timeout_s=120)
        assert status == "INSPECTION_REQUIRED", running.log("worker.log")[-3000:]
        assert _screenings(running.engine, declaration["id"]) == 1


def _wait_for_running_job(engine: object, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with Session(engine) as session:  # type: ignore[call-overload]
            if session.exec(select(Job).where(col(Job.status) == JobStatus.running)).first():
                return
        time.sleep(0.1)
    raise AssertionError("no job started running")
