"""Migrations build exactly the models' schema, on SQLite and PostgreSQL, and run repeatably."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from execbox.db.database import Database
from execbox.db.migrate import alembic_config, upgrade_to_head
from execbox.db.models import Base
from tests.support.databases import BACKENDS, MakeDatabase


def _differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _check(url: str) -> None:
    database = Database(url)
    try:
        await upgrade_to_head(database)
        await upgrade_to_head(database)  # a second start finds nothing to do
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            assert await connection.run_sync(_tables) == {
                "submissions",
                "users",
                "api_keys",
                "alembic_version",
            }

        def downgrade(connection: Connection) -> None:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")

        async with database.engine.begin() as connection:
            await connection.run_sync(downgrade)
            assert await connection.run_sync(_tables) == {"alembic_version"}
        await upgrade_to_head(database)
    finally:
        await database.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_match_the_models(backend: str, make_database: MakeDatabase) -> None:
    asyncio.run(_check(make_database(backend)))
