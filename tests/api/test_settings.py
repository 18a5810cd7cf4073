"""Configuration: refuse a default secret in production; create the admin on first start."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from customs.settings import Settings
from routes.app import create_app
from tests.api.conftest import create_schema, make_settings


def test_production_refuses_the_default_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLEARLANE_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="CLEARLANE_SECRET_KEY is still the default"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="x" * 40).secret_key == "x" * 40


def test_settings_come_from_clearlane_environment_variables(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLEARLANE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLEARLANE_SAMPLING_RATE_GENERAL", "0.2")
    settings = Settings()
    assert settings.sampling_rate_general == 0.2
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'clearlane.db'}"


def test_admin_password_creates_the_admin_on_first_start(database_url: str,
                                                         tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path / "data", admin_password="first-start-pw")
    create_schema(settings)
    for _ in range(2):  # a second start changes nothing
        with TestClient(create_app(settings)) as client:
            response = client.post("/auth/token", data={"username": "admin",
                                                        "password": "first-start-pw"})
            assert response.status_code == 200
            token = response.json()["access_token"]
            me = client.get("/users/me", headers={"Authorization": f"Bearer {token}"}).json()
            assert me["role"] == "admin"
