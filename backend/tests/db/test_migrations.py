"""Migrations build exactly the models' schema, on SQLite and PostgreSQL, and run repeatably."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, text
from sqlalchemy.engine import Connection

from execbox.db.database import Database
from execbox.db.migrate import alembic_config, upgrade_to_head
from execbox.db.models import ApiKey, Base, User, exists_on
from tests.support.databases import BACKENDS, MakeDatabase


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"include_object": exists_on(connection.dialect.name)}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _downgrade(connection: Connection, url: str, revision: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _columns(connection: Connection, table: str) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns(table)}


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

        async with database.engine.begin() as connection:
            await connection.run_sync(_downgrade, url, "base")
            assert await connection.run_sync(_tables) == {"alembic_version"}
        await upgrade_to_head(database)
    finally:
        await database.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_match_the_models(backend: str, make_database: MakeDatabase) -> None:
    asyncio.run(_check(make_database(backend)))


async def _check_account_limits(url: str) -> None:
    """0010 adds an account's own limits and takes them away again, keeping the accounts and
    what hangs on them (SQLite must not copy `users`: dropping it would cascade to their keys)."""
    database = Database(url)
    try:
        await upgrade_to_head(database)
        now = datetime.now(UTC)
        async with database.engine.begin() as connection:
            await connection.execute(
                insert(User).values(
                    id=1,
                    email="ada@example.org",
                    password_hash="x",
                    created_at=now,
                    rate_limit="9/minute",
                    runs_alive=3,
                )
            )
            await connection.execute(
                insert(ApiKey).values(
                    user_id=1, name="ci", secret_hash="h" * 64, prefix="ebx_", created_at=now
                )
            )
        async with database.engine.begin() as connection:
            await connection.run_sync(_downgrade, url, "0009")
            assert {"rate_limit", "runs_alive"}.isdisjoint(await connection.run_sync(_columns, "users"))
            assert (await connection.execute(text("SELECT email FROM users"))).scalars().all() == [
                "ada@example.org"
            ]
            assert (await connection.execute(text("SELECT name FROM api_keys"))).scalars().all() == ["ci"]
        await upgrade_to_head(database)
        async with database.engine.connect() as connection:
            limits = (await connection.execute(text("SELECT rate_limit, runs_alive FROM users"))).all()
            assert [tuple(row) for row in limits] == [(None, None)]  # back to the tiers' defaults
            assert (await connection.execute(text("SELECT name FROM api_keys"))).scalars().all() == ["ci"]
    finally:
        await database.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_account_limits_come_and_go_keeping_the_accounts(backend: str, make_database: MakeDatabase) -> None:
    asyncio.run(_check_account_limits(make_database(backend)))


def _indexes(connection: Connection, table: str) -> dict[str, list[str | None]]:
    found = inspect(connection).get_indexes(table)
    return {index["name"] or "": list(index["column_names"]) for index in found}


async def _check_search_index(url: str) -> None:
    """0011: on PostgreSQL the search index (GIN: the owner columns and the code's trigrams), and
    the extensions it needs; on SQLite nothing. Downgraded, the index goes, and comes back."""
    database = Database(url)
    postgresql = database.backend == "postgresql"
    try:
        await upgrade_to_head(database)
        async with database.engine.connect() as connection:
            indexes = await connection.run_sync(_indexes, "submissions")
            assert ("ix_submissions_search" in indexes) is postgresql
            if postgresql:
                assert indexes["ix_submissions_search"] == ["user_id", "owner_key", "code"]
                definition = await connection.scalar(
                    text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_submissions_search'")
                )
                assert "USING gin (user_id, owner_key, code gin_trgm_ops)" in definition
                extensions = await connection.execute(text("SELECT extname FROM pg_extension"))
                assert {"pg_trgm", "btree_gin"} <= set(extensions.scalars())
        async with database.engine.begin() as connection:
            await connection.run_sync(_downgrade, url, "0010")
            assert "ix_submissions_search" not in await connection.run_sync(_indexes, "submissions")
        await upgrade_to_head(database)
        async with database.engine.connect() as connection:
            indexes = await connection.run_sync(_indexes, "submissions")
            assert ("ix_submissions_search" in indexes) is postgresql
    finally:
        await database.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_search_index_is_postgresqls_alone(backend: str, make_database: MakeDatabase) -> None:
    asyncio.run(_check_search_index(make_database(backend)))
