"""A broker that refuses or hangs, and database connections killed under load: answers stay
fast and clean, nothing is half-written, and every accepted job still completes."""

import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, col, func, select

from models import AuditEvent, Declaration, GoodsLine
from tests.api.conftest import container_number
from tests.api.images import jpeg_bytes
from tests.api.test_task_queue import REDIS_URL, require_redis
from tests.conftest import POSTGRES_URL
from tests.processes import ApiClient, TcpProxy, deployment, free_port

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("broker", ["refuses connections", "accepts and never answers"])
@pytest.mark.postgres
def test_an_upload_answers_within_5_s_and_completes_when_the_broker_returns(
        postgres_url: str, tmp_path: Path, broker: str) -> None:
    require_redis()
    redis = urlsplit(REDIS_URL)
    proxy = TcpProxy(redis.port or 6379)
    proxy.mode = "refuse" if broker == "refuses connections" else "blackhole"
    proxy.start()
    try:
        with deployment(postgres_url, tmp_path / "data", task_queue="celery",
                        redis_url=f"redis://127.0.0.1:{proxy.port}{redis.path}",
                        broker_timeout_s=2) as running:
            port = free_port()
            running.start_api(port)
            exporter = ApiClient(f"http://127.0.0.1:{port}", running.token("exporter"))
            declaration = exporter.declare(container_number(1))
            started = time.monotonic()
            response = exporter.upload(declaration["id"], jpeg_bytes())
            upload_s = time.monotonic() - started
            health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
            assert response.status_code == 202, response.text
            assert upload_s < 5 and health.status_code == 200
            assert exporter.status(declaration["id"]) == "SCREENING"
            proxy.mode = "forward"  # the broker is back
            running.start_worker()
            status = exporter.wait_decided(declaration["id"], timeout_s=120)
            assert status == "INSPECTION_REQUIRED", running.log("worker.log")[-3000:]
    finally:
        proxy.close()


@pytest.mark.postgres
def test_terminated_database_backends_give_503_and_lose_no_acknowledged_write(
        postgres_url: str, tmp_path: Path) -> None:
    application = f"clearlane-fault-{uuid.uuid4().hex[:8]}"
    url = f"{postgres_url}&application_name={application}"
    with deployment(url, tmp_path / "data") as running:
        port = free_port()
        running.start_api(port)
        exporter = ApiClient(f"http://127.0.0.1:{port}", running.token("exporter"))
        stop = threading.Event()
        killer = threading.Thread(target=_terminate_backends, args=(application, stop))
        killer.start()
        acknowledged, other = [], []
        try:
            for serial in range(60):
                body = {"goods": [{"hs_code": "8507600090", "quantity": 1,
                                   "gross_weight_kg": 1.0}],
                        "containers": [{"container_no": container_number(serial)}]}
                response = exporter.http.post("/declarations", json=body)
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])
                else:
                    other.append(response)
        finally:
            stop.set()
            killer.join()
        with Session(running.engine) as session:
            stored = set(session.exec(select(Declaration.id)))
            half_written = [d for d in stored if not _complete(session, d)]
    assert set(acknowledged) <= stored
    assert half_written == []
    assert all(r.status_code == 503 and r.json()["code"] == "database_unavailable"
               and r.headers.get("Retry-After") for r in other), [r.text for r in other]
    assert acknowledged, "no request got through at all"


def _complete(session: Session, declaration_id: int | None) -> bool:
    lines = session.exec(select(func.count()).select_from(GoodsLine)
                         .where(GoodsLine.declaration_id == declaration_id)).one()
    created = session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.declaration_id == declaration_id, col(AuditEvent.action) == "created")).one()
    return lines == 1 and created == 1


def _terminate_backends(application: str, stop: threading.Event) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        while not stop.wait(0.15):
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE application_name = :name"), {"name": application})
    admin.dispose()
