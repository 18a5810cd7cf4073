"""Hot read paths: one statement on a pooled connection, in autocommit, without a session.

On PostgreSQL (psycopg) the statement runs on an async engine in the event loop, so a lookup
costs no thread hop; elsewhere (SQLite) it runs on the sync engine in a worker thread. Every
read is a single statement, hence its own snapshot: nothing is cached beyond it, and a change
committed before the statement starts is always seen.
"""

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

import anyio.to_thread
from sqlalchemy import Engine, Row
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import Executable

ASYNC_DRIVERS = {"postgresql+psycopg", "postgresql"}


class Reader(Protocol):
    async def all(self, statement: Executable, params: Mapping[str, Any] | None = None
                  ) -> Sequence[Row[Any]]: ...


class _OnConnection:
    """Several statements on one pooled async connection (each its own snapshot)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def all(self, statement: Executable, params: Mapping[str, Any] | None = None
                  ) -> Sequence[Row[Any]]:
        return (await self.connection.execute(statement, params)).all()


class Reads:
    """Runs read-only statements for the hot paths (clearance lookups, declaration pages)."""

    def __init__(self, engine: Engine, url: str, pool_size: int = 16) -> None:
        self.engine = engine
        self.url = url
        self.pool_size = pool_size
        self.is_async = make_url(url).drivername in ASYNC_DRIVERS
        self.dialect = engine.dialect.name
        self._async: AsyncEngine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _async_engine(self) -> AsyncEngine:
        """One async engine per event loop (a test client may run each request in a new one;
        a server has one loop per worker process)."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._loop is not loop:
            if self._async is not None:
                self._async.sync_engine.dispose(close=False)
            url = make_url(self.url).set(drivername="postgresql+psycopg")
            # No overflow: a burst waits for a pooled connection (up to 5 s, then 503)
            # instead of opening and closing a connection per request.
            self._async = create_async_engine(
                url, pool_size=self.pool_size, max_overflow=0, pool_timeout=5,
                pool_recycle=1800, isolation_level="AUTOCOMMIT",
                connect_args={"connect_timeout": 5})
            self._loop = loop
        return self._async

    async def all(self, statement: Executable, params: Mapping[str, Any] | None = None
                  ) -> Sequence[Row[Any]]:
        if self.is_async:
            async with self._async_engine().connect() as connection:
                return (await connection.execute(statement, params)).all()
        return await anyio.to_thread.run_sync(self._all_sync, statement, params)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Reader]:
        """For a few statements in a row: on PostgreSQL one pooled connection for all of
        them; on SQLite each statement takes its own thread hop."""
        if self.is_async:
            async with self._async_engine().connect() as connection:
                yield _OnConnection(connection)
        else:
            yield self

    def _all_sync(self, statement: Executable, params: Mapping[str, Any] | None
                  ) -> Sequence[Row[Any]]:
        with self.engine.connect() as connection:  # a lone SELECT; closing rolls back
            return connection.execute(statement, params).all()

    async def dispose(self) -> None:
        if self._async is not None and self._loop is asyncio.get_running_loop():
            await self._async.dispose()
        self._async = None
