"""Scale-out screening: the API puts a durable job in the database and on Redis, and a Celery
worker started by the README's command (`celery -A customs.worker worker`, configured only
through CLEARLANE_* variables) screens it."""

import os
from pathlib import Path

import pytest
import redis

from tests.api.conftest import container_number
from tests.api.images import jpeg_bytes
from tests.processes import ApiClient, deployment, free_port

REDIS_URL = os.environ.get("CLEARLANE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable: {exc} (required in CI)")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")


def test_the_documented_worker_command_screens_an_uploaded_photo(database_url: str,
                                                                  tmp_path: Path) -> None:
    require_redis()
    with deployment(database_url, tmp_path / "data", task_queue="celery",
                    redis_url=REDIS_URL) as running:
        port = free_port()
        running.start_api(port)
        running.start_worker()
        exporter = ApiClient(f"http://127.0.0.1:{port}", running.token("exporter"))
        declaration = exporter.declare(container_number(1))
        response = exporter.upload(declaration["id"], jpeg_bytes())
        assert response.status_code == 202, response.text
        status = exporter.wait_decided(declaration["id"], timeout_s=90)
        assert status == "INSPECTION_REQUIRED", running.log("worker.log")[-3000:]
        events = exporter.http.get(f"/declarations/{declaration['id']}/events").json()
    assert events[-1]["actor"] == "system" and events[-1]["to_status"] == "INSPECTION_REQUIRED"
