"""schemathesis against the app's own OpenAPI schema, in process and authenticated as an officer
and as an exporter: no 5xx, and every response conforms to the documented schema."""

import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from routes.app import create_app
from tests.api.conftest import World, create_schema, make_settings


def _world() -> World:
    """Built at import, because schemathesis needs the app to generate the tests. No lifespan
    (no `with`): nothing is left running when the session ends."""
    data = Path(tempfile.mkdtemp(prefix="clearlane-schema-"))
    app_settings = make_settings(f"sqlite:///{data / 'db.sqlite'}", data)
    create_schema(app_settings)
    world = World(TestClient(create_app(app_settings)), app_settings)
    world.screened(filing_id=world.approved_filing())
    return world


WORLD = _world()
# Plan building runs the solver for seconds by design; tests/api/test_dispatch_api.py covers it.
# Logout and password change revoke the token the whole run shares (tests/api/
# test_security_owasp.py covers them).
schema = schemathesis.openapi.from_asgi("/openapi.json", WORLD.client.app).exclude(
    path_regex=r"^/dispatch/plans(/\{plan_id\}/merge)?$", method="POST").exclude(
    path_regex=r"^/(auth/logout|users/me/password)$", method="POST")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.mark.parametrize("who", ["officer", "exporter_a"])
@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_schema(case: schemathesis.Case, who: str) -> None:
    case.call_and_validate(headers=getattr(WORLD, who).headers, checks=CHECKS)
