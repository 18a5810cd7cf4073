"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

PostgreSQL keeps whatever earlier runs left, so each test gets its own schema, dropped afterwards.
Locally, PostgreSQL tests skip when the server is unreachable; in CI (CI=true) they must run.
"""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

POSTGRES_URL = os.environ.get("CLEARLANE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_available() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as exc:
        return str(exc.orig).splitlines()[0]
    return None


_PG_PROBLEM: str | None = None
_PG_CHECKED = False


def require_postgres() -> None:
    global _PG_PROBLEM, _PG_CHECKED
    if not _PG_CHECKED:
        _PG_PROBLEM, _PG_CHECKED = _postgres_available(), True
    if _PG_PROBLEM:
        message = f"PostgreSQL at {POSTGRES_URL} is unreachable: {_PG_PROBLEM}"
        if IN_CI:
            pytest.fail(message + " (required in CI)")
        pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose search_path is a brand-new schema, dropped when the test ends."""
    require_postgres()
    schema = f"clearlane_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clearlane.db'}"
    return request.getfixturevalue("postgres_url")



@pytest.fixture(scope="module")
def port_morning() -> Iterator[datetime]:
    """The planner and the demo loader read 09:00 at the port on the coming morning, whatever
    time the suite runs. A plan built near the end of the 08:30-17:30 shift rightly drops what
    no longer fits in it; the tests that use this are about other things."""
    from customs.settings import Settings

    port = ZoneInfo(Settings.model_fields["port_timezone"].default)
    tomorrow = datetime.now(port).date() + timedelta(days=1)
    nine = datetime.combine(tomorrow, time(9), port).astimezone(UTC)
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr("customs.dispatching.utcnow", lambda: nine)
        clock.setattr("customs.demo.utcnow", lambda: nine)
        yield nine

# -- how long the slow tests took ---------------------------------------------------------------
# The suite's time budget (12 minutes after install) is for everything but the `slow` tests,
# which CI runs as well: the summary says how the run's time splits. Under pytest-xdist the
# seconds are summed over the workers, so they exceed the wall time pytest prints last.

_SECONDS: dict[bool, float] = {True: 0.0, False: 0.0}
_SLOW_IDS: set[str] = set()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    slow = "slow" in report.keywords
    _SECONDS[slow] += report.duration
    if slow:
        _SLOW_IDS.add(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(
        f"time in tests (summed over workers): {_SECONDS[False]:.0f} s outside `slow`, "
        f"{_SECONDS[True]:.0f} s in {len(_SLOW_IDS)} `slow` tests")
