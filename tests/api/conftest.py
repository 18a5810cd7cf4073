"""API fixtures: an app on a fresh database, and helpers that act as each kind of user."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, col, func, select

from customs.containers import check_digit
from customs.db import make_engine
from customs.enterprises import create_enterprise, create_office
from customs.security import create_access_token, hash_password
from customs.settings import Settings
from models import EnterpriseCreate, Job, JobStatus, OfficeCreate, Role, User
from routes.app import create_app
from tests.api.images import jpeg_bytes

PASSWORD = "test-password-1"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: Argon2 is slow on purpose


class Api:
    """A test client that logs in as a given user and remembers the bearer token."""

    def __init__(self, client: TestClient, token: str | None = None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.client.post(url, headers=self.headers, **kwargs)


class World:
    """The app plus a ready-made cast: two exporters of different enterprises, an officer,
    a port operator and an admin."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.engine = client.app.state.engine  # type: ignore[attr-defined]
        self._containers = 0
        with Session(self.engine) as session:
            office = create_office(session, OfficeCreate(name="Haicang", latitude=24.48,
                                                         longitude=118.03))
            self.enterprise_a = create_enterprise(session, EnterpriseCreate(
                name="Battery Co A", customs_code="350296000A", credit_level="advanced",
                latitude=24.49, longitude=117.99)).id
            self.enterprise_b = create_enterprise(session, EnterpriseCreate(
                name="Battery Co B", customs_code="350296000B", credit_level="general",
                latitude=24.50, longitude=118.10)).id
            for username, role, enterprise in [
                ("exporter_a", Role.exporter, self.enterprise_a),
                ("exporter_b", Role.exporter, self.enterprise_b),
                ("officer", Role.officer, None),
                ("port", Role.port_operator, None),
                ("admin", Role.admin, None),
            ]:
                extra = ({"office_id": office.id, "vehicle": "V1",
                          "skills": ["dangerous_goods", "general"]}
                         if role == Role.officer else {})
                session.add(User(username=username, hashed_password=_PASSWORD_HASH, role=role,
                                 enterprise_id=enterprise, **extra))
            session.commit()
            ids = {u.username: u.id for u in session.exec(select(User))}
        self.anonymous = Api(client)
        self.exporter_a, self.exporter_b, self.officer, self.port, self.admin = (
            self.as_user(ids[name]) for name in
            ("exporter_a", "exporter_b", "officer", "port", "admin"))

    # -- jobs -----------------------------------------------------------------------------------

    def use_screener(self, screener: Any) -> None:
        """The vision check the in-process worker runs from now on (None: no engine)."""
        self.client.app.state.in_process_worker.context.screener = screener  # type: ignore[attr-defined]

    def settle(self, timeout_s: float = 60.0) -> None:
        """Waits until every queued job has finished (the worker runs them in the background)."""
        worker = self.client.app.state.in_process_worker  # type: ignore[attr-defined]
        if worker is not None and not worker.running:  # an app started without its lifespan
            worker.run_pending()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with Session(self.engine) as session:
                unfinished = session.exec(select(func.count()).select_from(Job).where(
                    col(Job.status).in_([JobStatus.pending, JobStatus.running]))).one()
            if unfinished == 0:
                return
            time.sleep(0.02)
        raise AssertionError(f"{unfinished} jobs still unfinished after {timeout_s} s")

    def upload_packing_photo(self, declaration_id: int, data: bytes,
                             exporter: Api | None = None, settle: bool = True) -> Any:
        response = (exporter or self.exporter_a).post(
            f"/declarations/{declaration_id}/photos",
            files={"file": ("p.jpg", data, "image/jpeg")})
        if settle:
            self.settle()
        return response

    def as_user(self, user_id: int) -> Api:
        """A client holding a token for the user (logging in itself is tested separately)."""
        token = create_access_token(user_id, self.settings.secret_key, 60)
        return Api(self.client, token)

    def login(self, username: str, password: str = PASSWORD) -> Api:
        response = self.client.post("/auth/token",
                                    data={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return Api(self.client, response.json()["access_token"])

    # -- shortcuts for the common path -------------------------------------------------------

    def approved_filing(self, exporter: Api | None = None) -> int:
        exporter = exporter or self.exporter_a
        filing = exporter.post("/filings", json=FILING).json()
        response = exporter.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                                 files={"file": ("front.jpg", jpeg_bytes(seed=7),
                                                 "image/jpeg")})
        assert response.status_code == 201, response.text
        # the face is a random picture, so it shows none of the labels the regime requires
        approved = self.officer.post(f"/filings/{filing['id']}/approve",
                                     json={"note": "ok", "photo_ids": [response.json()["id"]],
                                           "accept_missing_labels": True})
        assert approved.status_code == 200, approved.text
        return filing["id"]

    def declaration(self, exporter: Api | None = None, **overrides: Any) -> dict[str, Any]:
        """A new draft; unless told otherwise it gets a container no other declaration has."""
        exporter = exporter or self.exporter_a
        self._containers += 1
        fresh = {"containers": [{"container_no": container_number(self._containers)}]}
        response = exporter.post("/declarations", json={**DECLARATION, **fresh, **overrides})
        assert response.status_code == 201, response.text
        return response.json()

    def submitted(self, exporter: Api | None = None, **overrides: Any) -> dict[str, Any]:
        exporter = exporter or self.exporter_a
        declaration = self.declaration(exporter, **overrides)
        response = exporter.post(f"/declarations/{declaration['id']}/submit")
        assert response.status_code == 200, response.text
        return response.json()

    def screened(self, exporter: Api | None = None, **overrides: Any) -> dict[str, Any]:
        """Submitted and photographed: with no vision engine it ends in INSPECTION_REQUIRED."""
        exporter = exporter or self.exporter_a
        declaration = self.submitted(exporter, **overrides)
        response = self.upload_packing_photo(declaration["id"], jpeg_bytes(seed=declaration["id"]),
                                             exporter)
        assert response.status_code == 202, response.text
        return exporter.get(f"/declarations/{declaration['id']}").json()


FILING = {
    "title": "e-bike battery, 4G box", "un_numbers": ["UN3480"],
    "proper_shipping_name": "LITHIUM ION BATTERIES", "packing_instruction": "P903",
    "package_type": "fibreboard box", "un_packaging_code": "4G/Y25/S/24",
    "transport_mode": "sea",
}
DECLARATION = {
    "vessel": "COSCO XIAMEN", "voyage": "041E",
    "goods": [{"hs_code": "8507600090", "description": "Li-ion packs", "un_number": "UN3480",
               "quantity": 120, "gross_weight_kg": 2400.0}],
    "containers": [{"container_no": "CSQU3054383"}],
}


def container_number(serial: int, owner: str = "TSTU") -> str:
    """A valid ISO 6346 number, different for each serial."""
    first_ten = f"{owner}{serial % 1_000_000:06d}"
    return first_ten + str(check_digit(first_ten))


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"screening_engine": "none", "job_poll_s": 0.05, **overrides}
    return Settings(environment="test", data_dir=data_dir, database_url=database_url,
                    secret_key="test-secret-key-0123456789abcdef0123456789", **values)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "data")


def create_schema(settings: Settings) -> None:
    """Every table, on the settings' database (the test's own file or schema)."""
    engine = make_engine(settings.resolved_database_url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()


@contextmanager
def running_app(settings: Settings) -> Iterator[TestClient]:
    """The app on a fresh database, started (its lifespan runs) for the block."""
    create_schema(settings)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    with running_app(settings) as client:
        yield World(client, settings)
