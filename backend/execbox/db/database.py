"""One database per process: the async engine and the session factory built from a URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry


def _sqlite_pragmas(connection: object, _record: ConnectionPoolEntry) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    # WAL lets readers proceed while a submission is written; the timeout rides out brief locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_read_only(connection: object, _record: ConnectionPoolEntry) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA query_only=ON")
    # The event loop waits with a synchronous read: WAL readers never wait for a writer, and
    # this bounds the rare case that does (recovery after a crash).
    cursor.execute("PRAGMA busy_timeout=100")
    cursor.close()


class Database:
    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        if self.url.get_backend_name() == "sqlite" and self.url.database not in (None, "", ":memory:"):
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(self.url, pool_pre_ping=True)
        # SQLite: a synchronous, read-only engine too, for the reads on every request that sends a
        # credential (db/credential_reads.py); None for an in-memory database, which it cannot share.
        self.sqlite_reads: Engine | None = None
        if self.url.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            if self.url.database not in (None, "", ":memory:"):
                self.sqlite_reads = create_engine(self.url.set(drivername="sqlite"))
                event.listen(self.sqlite_reads, "connect", _sqlite_read_only)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
        if self.sqlite_reads is not None:
            self.sqlite_reads.dispose()
