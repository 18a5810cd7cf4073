"""Engines and sessions. SQLite gets WAL and a busy timeout so readers never block writers."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine


def make_engine(url: str, **kwargs: object) -> Engine:
    # A request holds its connection across thread hops (dependency -> endpoint), so the pool
    # must cover anyio's 40 worker threads; otherwise every thread can end up waiting for a
    # connection held by a request that needs a thread to finish (a stall until pool_timeout).
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 30)
    kwargs.setdefault("pool_timeout", 5)  # an exhausted pool answers 503 within 5 s
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15},
                               **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # A database that accepts and never answers fails the connect in 5 s instead of hanging.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5},
                         **kwargs)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work outside a request (jobs, demo data): commit on success, else roll back."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
