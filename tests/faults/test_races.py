"""Concurrent requests against a real uvicorn server: a release never rests on a subset of the
photos, one photo can't clear two shipments, one container can't sit on two live
declarations, and a burst of uploads meets back-pressure instead of wedging the server."""

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, func, select

from customs.photos import check_upload
from customs.settings import Settings
from models import Job, PackingPhoto, Screening
from tests.api.conftest import FILING, container_number
from tests.api.images import jpeg_bytes
from tests.processes import ApiClient, Deployment, deployment, free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres]  # the setting: PostgreSQL
NO_SAMPLING = {"sampling_rate_general": 0, "sampling_floor_releases": 10_000,
               "sampling_floor_days": 3650}
SLOW = {"screening_engine": "custom", "custom_screener": "tests.fault_screeners:slow"}


def _start(running: Deployment, **env: str) -> tuple[ApiClient, ApiClient]:
    port = free_port()
    running.start_api(port, **env)
    base = f"http://127.0.0.1:{port}"
    return ApiClient(base, running.token("exporter")), ApiClient(base, running.token("officer"))


def _approved_filing(exporter: ApiClient, officer: ApiClient) -> int:
    filing = exporter.http.post("/filings", json=FILING).json()
    front = exporter.http.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                               files={"file": ("f.jpg", jpeg_bytes(seed=99), "image/jpeg")})
    front.raise_for_status()
    officer.http.post(f"/filings/{filing['id']}/approve",
                      json={"photo_ids": [front.json()["id"]],  # a random picture: no labels
                            "accept_missing_labels": True}).raise_for_status()
    return int(filing["id"])


def _stored_sha256(photo: bytes) -> str:
    """Uploads are stored re-encoded without metadata: the hash the server will record."""
    return hashlib.sha256(check_upload(photo, Settings()).data).hexdigest()


def _declare(exporter: ApiClient, serial: int, filing_id: int | None = None) -> dict[str, Any]:
    body = {"filing_id": filing_id,
            "goods": [{"hs_code": "8507600090", "un_number": "UN3480", "quantity": 10,
                       "gross_weight_kg": 100.0}],
            "containers": [{"container_no": container_number(serial)}]}
    declaration: dict[str, Any] = exporter.http.post("/declarations", json=body).json()
    exporter.http.post(f"/declarations/{declaration['id']}/submit").raise_for_status()
    return declaration


def _together(*calls: Any) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_a_photo_added_during_screening_is_part_of_the_decision(postgres_url: str,
                                                                tmp_path: Path) -> None:
    clean, bad = jpeg_bytes(seed=1), jpeg_bytes(seed=2)
    with deployment(postgres_url, tmp_path / "data", **SLOW, **NO_SAMPLING) as running:
        exporter, officer = _start(running, FAULT_SCREEN_SECONDS="1.5",
                                   FAULT_BAD_SHA256=_stored_sha256(bad))
        declaration = _declare(exporter, 1, _approved_filing(exporter, officer))
        assert exporter.upload(declaration["id"], clean).status_code == 202
        time.sleep(0.3)  # the first photo's screening is under way
        assert exporter.upload(declaration["id"], bad).status_code == 202
        assert exporter.wait_decided(declaration["id"]) == "INSPECTION_REQUIRED"
        screening = exporter.http.get(f"/declarations/{declaration['id']}/screening").json()
    assert sorted(screening["photo_sha256s"]) == sorted(
        _stored_sha256(p) for p in (clean, bad))
    assert any(r["code"] == "missing_lithium_mark" for r in screening["reasons"])


def test_one_photo_uploaded_to_two_declarations_at_once_clears_at_most_one(
        postgres_url: str, tmp_path: Path) -> None:
    photo = jpeg_bytes(seed=5)
    with deployment(postgres_url, tmp_path / "data", **SLOW, **NO_SAMPLING) as running:
        exporter, officer = _start(running, FAULT_SCREEN_SECONDS="0.2")
        filing_id = _approved_filing(exporter, officer)
        first, second = _declare(exporter, 1, filing_id), _declare(exporter, 2, filing_id)
        responses = _together(lambda: exporter.upload(first["id"], photo),
                              lambda: exporter.upload(second["id"], photo))
        assert [r.status_code for r in responses] == [202, 202]
        statuses = sorted(exporter.wait_decided(d["id"]) for d in (first, second))
    assert statuses == ["INSPECTION_REQUIRED", "RELEASED"]


def test_one_container_cannot_go_on_two_live_declarations(postgres_url: str,
                                                          tmp_path: Path) -> None:
    body = {"goods": [{"hs_code": "8507600090", "quantity": 1, "gross_weight_kg": 1.0}],
            "containers": [{"container_no": container_number(7)}]}
    with deployment(postgres_url, tmp_path / "data") as running:
        exporter, _ = _start(running)
        rival = ApiClient(exporter.base_url, running.token("exporter2"))
        responses = _together(*[lambda client=client: client.http.post("/declarations",
                                                                        json=body)
                                for client in (exporter, rival, exporter, rival)])
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409, 409, 409]
    assert all(r.json()["code"] == "container_in_use" for r in responses if r.status_code == 409)


def test_twenty_uploads_of_one_photo_give_one_photo_and_one_job(postgres_url: str,
                                                               tmp_path: Path) -> None:
    photo = jpeg_bytes(seed=9)
    with deployment(postgres_url, tmp_path / "data", **SLOW) as running:
        # the screening outlasts the burst: with 0.5 s, on a loaded CI machine one upload
        # arrived after the decision and was rightly refused (409 photos_not_accepted)
        exporter, _ = _start(running, FAULT_SCREEN_SECONDS="3")
        declaration = _declare(exporter, 1)
        responses = _together(*[lambda: exporter.upload(declaration["id"], photo)] * 20)
        assert {r.status_code for r in responses} == {202}
        assert len({r.json()["id"] for r in responses}) == 1
        exporter.wait_decided(declaration["id"])
        with Session(running.engine) as session:
            photos = session.exec(select(func.count()).select_from(PackingPhoto)).one()
            job_count = session.exec(select(func.count()).select_from(Job)).one()
            screenings = session.exec(select(func.count()).select_from(Screening)).one()
    assert (photos, job_count, screenings) == (1, 1, 1)


def test_uploads_beyond_the_queue_limit_get_429_and_the_server_stays_responsive(
        postgres_url: str, tmp_path: Path) -> None:
    with deployment(postgres_url, tmp_path / "data", max_queued_screenings=2,
                    **SLOW) as running:
        exporter, _ = _start(running, FAULT_SCREEN_SECONDS="3")
        declarations = [_declare(exporter, n) for n in range(4)]
        answers = [exporter.upload(d["id"], jpeg_bytes(seed=20 + n))
                   for n, d in enumerate(declarations)]
        started = time.monotonic()
        health = httpx.get(f"{exporter.base_url}/health", timeout=10)
        health_s = time.monotonic() - started
    assert [a.status_code for a in answers] == [202, 202, 429, 429]
    assert answers[2].headers["Retry-After"].isdigit()
    assert answers[2].json()["code"] == "too_busy"
    assert health.status_code == 200 and health_s < 2
