"""Alembic migrations give exactly the models' schema: a model changed without one fails."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import models  # noqa: F401 - registers every table
from customs.db import make_engine


def _migrate(engine: Engine, *targets: str) -> None:
    config = Config("alembic.ini")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        for target in targets:
            if target == "base":
                command.downgrade(config, target)
            else:
                command.upgrade(config, target)


def test_upgrading_an_empty_database_gives_the_models_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    _migrate(engine, "head")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == [], f"models and migrations differ: {differences}"


def test_downgrade_removes_every_table(database_url: str) -> None:
    engine = make_engine(database_url)
    _migrate(engine, "head", "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
