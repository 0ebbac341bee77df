"""The tables. Every schema change comes with an Alembic migration in `migrations/versions/`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false

# SQLite's INTEGER PRIMARY KEY is its rowid only when spelled exactly INTEGER.
AutoIncrementId = BigInteger().with_variant(Integer(), "sqlite")


class OutputText(TypeDecorator[str]):
    """Program output stored as UTF-8 bytes: PostgreSQL text cannot hold NUL, which output may."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else value.encode()

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        return None if value is None else bytes(value).decode()


class JsonBytes(TypeDecorator[Any]):
    """JSON stored as UTF-8 bytes: PostgreSQL's json types cannot hold the NUL a result may."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else json.dumps(value, separators=(",", ":")).encode()

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(bytes(value))


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


# Searching an owner's code (`?q=`) on PostgreSQL: the code's trigrams (pg_trgm), beside the two
# owner columns (btree_gin), so that a search reads the candidates of one account or token, never
# every account's. Migration 0011; SQLite has none (`dialects`), and reads the owner's rows instead.
SEARCH_INDEX = Index(
    "ix_submissions_search",
    "user_id",
    "owner_key",
    "code",
    postgresql_using="gin",
    postgresql_ops={"code": "gin_trgm_ops"},
    info={"dialects": ("postgresql",)},
).ddl_if(dialect="postgresql")


def exists_on(dialect: str) -> Callable[..., bool]:
    """Alembic's `include_object` for this database: the models' items that exist on it (an index
    on one database only is not missing from the others)."""

    def include(item: object, _name: object, _kind: object, reflected: bool, _twin: object) -> bool:
        dialects = getattr(item, "info", {}).get("dialects")
        return reflected or dialects is None or dialect in dialects

    return include


class Submission(Base):
    __tablename__ = "submissions"
    # For the submissions still waiting for a verdict (queue mode looks for lost ones).
    __table_args__ = (
        Index("ix_submissions_status_created_at", "status", "created_at"),
        Index("ix_submissions_owner_key_seq", "owner_key", "seq"),  # an owner's listing
        Index("ix_submissions_user_id_seq", "user_id", "seq"),  # an account's listing
        SEARCH_INDEX,
    )

    # `seq` orders the keyset pagination; `id` is the public, unguessable name.
    seq: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    client_ip_hash: Mapped[str] = mapped_column(String(64))
    # services/owners.py: the hash of the owner token it was made with; null: listed to nobody
    owner_key: Mapped[str | None] = mapped_column(String(64))
    # The account it was made with (services/identity.py); null: made without credentials.
    user_id: Mapped[int | None] = mapped_column(
        AutoIncrementId, ForeignKey("users.id", name="fk_submissions_user_id", ondelete="CASCADE")
    )
    # schemas.execution.Visibility: "private" is shown to its account alone.
    visibility: Mapped[str] = mapped_column(String(16), default="unlisted", server_default="unlisted")

    code: Mapped[str] = mapped_column(Text)
    stdin: Mapped[str] = mapped_column(Text)
    # Saved by choice (a shared run): the retention sweep keeps it whatever its verdict.
    kept: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    # queued or running until a verdict (a RunStatus) is written with the result columns
    status: Mapped[str] = mapped_column(String(32))
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    signal: Mapped[str | None] = mapped_column(String(16))
    stdout: Mapped[str | None] = mapped_column(OutputText)
    stdout_truncated: Mapped[bool | None]
    stderr: Mapped[str | None] = mapped_column(OutputText)
    stderr_truncated: Mapped[bool | None]
    error_type: Mapped[str | None] = mapped_column(String(200))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_line: Mapped[int | None] = mapped_column(Integer)
    wall_ms: Mapped[float | None] = mapped_column(Float)
    cpu_ms: Mapped[float | None] = mapped_column(Float)
    memory_kb: Mapped[int | None] = mapped_column(Integer)
    # [{"mime": ..., "data": ...}]; null until a verdict, and on rows saved before results existed
    results: Mapped[list[dict[str, str]] | None] = mapped_column(JsonBytes)


class User(Base):
    """An account (services/accounts.py). Anonymous use needs none."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    # Normalised (services/accounts.py: NFKC, case-folded), so one address is one account.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, with its parameters
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Set by an administrator (services/account_limits.py); null: the tier's default
    # (USER_RATE_LIMIT, KEY_RATE_LIMIT; USER_RUNS_ALIVE, KEY_RUNS_ALIVE).
    rate_limit: Mapped[str | None] = mapped_column(String(100))
    runs_alive: Mapped[int | None] = mapped_column(Integer)


class ApiKey(Base):
    """A user's key for programs (services/api_keys.py): only its hash is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the secret: 256 random bits need no salt or slow hash, and a lookup stays ~free.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the secret's first characters, to tell keys apart
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
