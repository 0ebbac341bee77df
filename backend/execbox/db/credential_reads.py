"""The two reads a request with a credential makes before its run: whose an API key is, and
which account an access token names.

Every use is looked up, so that a revoked key or a deleted account is refused from the next
request on every API node; these reads are therefore on the path of every run sent with a
credential, and are made as cheaply as the database allows (bench/credential_bench.py):

- SQLite: a synchronous read on the event loop's thread through the database's read-only engine
  (db/database.py): ~40 µs, where an ORM session over aiosqlite costs ~1 ms of CPU and thread
  hops. WAL readers never wait for a writer.
- Other databases: one Core statement, compiled once, on a pooled connection (no ORM session).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Executable, bindparam, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from execbox.db.database import Database
from execbox.db.models import ApiKey, User

_ACCOUNT_COLUMNS = (User.id, User.email, User.is_admin, User.created_at, User.rate_limit, User.runs_alive)
_KEY_HOLDER = (
    select(ApiKey.id.label("key_id"), ApiKey.last_used_at, *_ACCOUNT_COLUMNS)
    .join(User, User.id == ApiKey.user_id)
    .where(ApiKey.secret_hash == bindparam("secret_hash"))
)
_ACCOUNT = select(*_ACCOUNT_COLUMNS).where(User.id == bindparam("user_id"))


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """An account's columns as a credential's read finds them."""

    id: int
    email: str
    is_admin: bool
    created_at: datetime
    rate_limit: str | None  # its own, set by an administrator; None: its tier's
    runs_alive: int | None

    @classmethod
    def of(cls, row: RowMapping) -> AccountRecord:
        return cls(**{column.key: row[column.key] for column in _ACCOUNT_COLUMNS})


@dataclass(frozen=True, slots=True)
class KeyHolderRecord:
    key_id: int
    last_used_at: datetime | None
    account: AccountRecord


class CredentialReads:
    def __init__(self, database: Database) -> None:
        self._engine: AsyncEngine = database.engine
        self._sqlite: Engine | None = database.sqlite_reads

    async def key_holder(self, secret_hash: str) -> KeyHolderRecord | None:
        row = await self._first(_KEY_HOLDER, {"secret_hash": secret_hash})
        if row is None:
            return None
        return KeyHolderRecord(row["key_id"], row["last_used_at"], AccountRecord.of(row))

    async def account(self, user_id: int) -> AccountRecord | None:
        row = await self._first(_ACCOUNT, {"user_id": user_id})
        return None if row is None else AccountRecord.of(row)

    async def _first(self, statement: Executable, parameters: dict[str, object]) -> RowMapping | None:
        if self._sqlite is not None:
            with self._sqlite.connect() as connection:
                return connection.execute(statement, parameters).mappings().first()
        async with self._engine.connect() as connection:
            return (await connection.execute(statement, parameters)).mappings().first()
