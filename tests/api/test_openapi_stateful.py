"""schemathesis stateful run: sequences of API calls chained by the links schemathesis infers
from the schema (create a filing → read it → upload to it …), as an exporter and as an officer,
bounded in steps and examples. No call may answer 5xx.

Every scenario starts from the same database: the world's SQLite file is snapshotted once and
restored (SQLite's online backup, in place under the app's open connections) before each
scenario. Without that, the app's state moved on between examples, so hypothesis drew
different data when it replayed a prefix and stopped with `FlakyStrategyDefinition`."""

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from tests.api.test_openapi_contract import WORLD, schema

STATE_MACHINE = schema.as_state_machine()


def _database_file() -> Path:
    url = WORLD.settings.resolved_database_url
    return Path(url.removeprefix("sqlite:///"))


def _copy(source: Path | sqlite3.Connection, target: Path | sqlite3.Connection) -> None:
    src = sqlite3.connect(source) if isinstance(source, Path) else source
    dst = sqlite3.connect(target) if isinstance(target, Path) else target
    try:
        src.backup(dst)
    finally:
        for conn, given in ((src, source), (dst, target)):
            if conn is not given:
                conn.close()


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stateful") / "world.sqlite"
    _copy(_database_file(), path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("who", ["exporter_a", "officer"])
def test_stateful_call_sequences_never_answer_a_server_error(who: str, snapshot: Path) -> None:
    headers = getattr(WORLD, who).headers
    live = _database_file()

    class Workflow(STATE_MACHINE):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            _copy(snapshot, live)

        def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=(), **kwargs):  # type: ignore[no-untyped-def]
            case.validate_response(response, checks=[not_a_server_error])

    try:
        Workflow.run(settings=settings(max_examples=30, stateful_step_count=8, deadline=None,
                                       derandomize=True, database=None, phases=[Phase.generate],
                                       suppress_health_check=list(HealthCheck)))
    finally:
        _copy(snapshot, live)  # the contract tests sharing WORLD see the world as built
