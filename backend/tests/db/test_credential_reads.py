"""The reads of a request's credential, on real SQLite and PostgreSQL: they find what the ORM
wrote, see a revocation, a deleted account and a changed limit at once (no snapshot kept
between requests), and on SQLite go through a connection that cannot write."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import OperationalError

from execbox.db.credential_reads import AccountRecord, CredentialReads, KeyHolderRecord
from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.db.models import ApiKey, User
from tests.support.databases import BACKENDS, MakeDatabase

SECRET_HASH = hashlib.sha256(b"ebx_a key of the test's").hexdigest()
CREATED = datetime(2026, 12, 7, 12, 30, tzinfo=UTC)


def _with_database(
    make_database: MakeDatabase, backend: str, scenario: Callable[[Database], Awaitable[None]]
) -> None:
    async def run() -> None:
        database = Database(make_database(backend))
        try:
            await upgrade_to_head(database)
            await scenario(database)
        finally:
            await database.close()

    asyncio.run(run())


async def _account_with_key(database: Database) -> tuple[int, int]:
    async with database.sessions.begin() as session:
        user = User(email="ada@example.org", password_hash="x", is_admin=True, created_at=CREATED)
        session.add(user)
        await session.flush()
        key = ApiKey(
            user_id=user.id, name="runs", secret_hash=SECRET_HASH, prefix="ebx_a key o", created_at=CREATED
        )
        session.add(key)
        await session.flush()
        return user.id, key.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_reads_find_the_account_and_its_key_and_see_changes_at_once(
    make_database: MakeDatabase, backend: str
) -> None:
    async def scenario(database: Database) -> None:
        reads = CredentialReads(database)
        user_id, key_id = await _account_with_key(database)
        account = AccountRecord(user_id, "ada@example.org", True, CREATED, None, None)
        assert await reads.account(user_id) == account
        assert await reads.key_holder(SECRET_HASH) == KeyHolderRecord(key_id, None, account)
        assert await reads.key_holder(hashlib.sha256(b"another").hexdigest()) is None

        async with database.sessions.begin() as session:
            await session.execute(update(User).values(rate_limit="100/minute", runs_alive=8))
        holder = await reads.key_holder(SECRET_HASH)
        assert holder is not None and (holder.account.rate_limit, holder.account.runs_alive) == (
            "100/minute",
            8,
        )

        async with database.sessions.begin() as session:  # revoked
            await session.execute(delete(ApiKey).where(ApiKey.id == key_id))
        assert await reads.key_holder(SECRET_HASH) is None
        async with database.sessions.begin() as session:
            await session.execute(delete(User).where(User.id == user_id))
        assert await reads.account(user_id) is None

    _with_database(make_database, backend, scenario)


def test_on_sqlite_the_reads_go_through_a_connection_that_cannot_write(make_database: MakeDatabase) -> None:
    async def scenario(database: Database) -> None:
        assert database.sqlite_reads is not None
        with database.sqlite_reads.connect() as connection, pytest.raises(OperationalError, match="readonly"):
            connection.execute(text("DELETE FROM users"))

    _with_database(make_database, "sqlite", scenario)
