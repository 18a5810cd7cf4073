"""Alembic environment: the URL comes from CLEARLANE_DATABASE_URL (or a passed connection)."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401 - registers every table on SQLModel.metadata
from customs.db import make_engine
from customs.settings import get_settings

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(get_settings().resolved_database_url)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
