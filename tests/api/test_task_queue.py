"""Scale-out screening: the upload enqueues on Redis and a real Celery worker screens it."""

import os
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from customs import worker
from customs.db import make_engine
from routes.app import create_app
from tests.api.conftest import World, make_settings

REDIS_URL = os.environ.get("CLEARLANE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# One queue of our own per test run, so no stray worker elsewhere takes our tasks. Celery caches
# its queue set on first use, so it is set once, before any task is sent.
worker.celery_app.conf.task_default_queue = f"clearlane-test-{uuid.uuid4().hex[:8]}"


def _require_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable: {exc} (required in CI)")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")


def test_celery_worker_screens_an_uploaded_photo(database_url: str, tmp_path: Path) -> None:
    _require_redis()
    settings = make_settings(database_url, tmp_path / "data", task_queue="celery",
                             redis_url=REDIS_URL)
    engine = make_engine(settings.resolved_database_url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    app = worker.configure(settings)
    with TestClient(create_app(settings)) as client, start_worker(app, perform_ping_check=False):
        world = World(client, settings)
        declaration = world.submitted()
        from tests.api.images import jpeg_bytes

        response = world.exporter_a.post(f"/declarations/{declaration['id']}/photos",
                                         files={"file": ("p.jpg", jpeg_bytes(), "image/jpeg")})
        assert response.status_code == 202
        deadline = time.monotonic() + 30
        status = "SCREENING"
        while status == "SCREENING" and time.monotonic() < deadline:
            time.sleep(0.2)
            status = world.exporter_a.get(f"/declarations/{declaration['id']}").json()["status"]
    assert status == "INSPECTION_REQUIRED"
    events = world.officer.get(f"/declarations/{declaration['id']}/events").json()
    assert events[-1]["actor"] == "system" and events[-1]["to_status"] == "INSPECTION_REQUIRED"
