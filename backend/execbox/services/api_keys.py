"""API keys: a signed-in user's keys for programs, each a 256-bit random secret shown once.

Only a SHA-256 hash of a secret is stored (a random secret needs no salt or slow hash), looked up
by its unique index on every use, so a revoked key is refused at once by every API node. Keys are
made and revoked only with a password sign-in's access token: a leaked key cannot mint others.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from execbox.db.credential_reads import CredentialReads, KeyHolderRecord
from execbox.db.models import ApiKey as Row
from execbox.schemas.accounts import ApiKeyOut, NewApiKey
from execbox.services.errors import Conflict, NotFound, Unauthorized
from execbox.services.submission_store import database_errors

KEY_PREFIX = "ebx_"
MAX_KEYS_PER_USER = 20
_SHOWN_CHARS = 12  # of a secret, kept to tell keys apart in a listing
_USE_RECORDED_EVERY = timedelta(minutes=1)  # last_used_at: not a write per run


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_api_key(credential: str) -> bool:
    return credential.startswith(KEY_PREFIX)


class ApiKeyService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], reads: CredentialReads) -> None:
        self.sessions = sessions
        self.reads = reads

    async def create(self, user_id: int, name: str) -> NewApiKey:
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = Row(
            user_id=user_id,
            name=name,
            secret_hash=_hash(secret),
            prefix=secret[:_SHOWN_CHARS],
            created_at=datetime.now(UTC),
        )
        async with database_errors(), self.sessions.begin() as session:
            held = await session.scalar(select(func.count()).select_from(Row).where(Row.user_id == user_id))
            if (held or 0) >= MAX_KEYS_PER_USER:
                raise Conflict(f"You have {held} keys, as many as one account may: revoke one first.")
            session.add(row)
        return NewApiKey(**_out(row).model_dump(), secret=secret)

    async def listed(self, user_id: int) -> list[ApiKeyOut]:
        async with database_errors(), self.sessions() as session:
            rows = await session.scalars(select(Row).where(Row.user_id == user_id).order_by(Row.id))
            return [_out(row) for row in rows]

    async def revoke(self, user_id: int, key_id: int) -> None:
        async with database_errors(), self.sessions.begin() as session:
            gone = await session.execute(delete(Row).where(Row.id == key_id, Row.user_id == user_id))
        if gone.rowcount == 0:  # type: ignore[attr-defined]  # a DELETE's result has a rowcount
            raise NotFound(f"You have no key with id {key_id}.")

    async def holder(self, secret: str) -> KeyHolderRecord:
        """Which key `secret` is, and whose (its last use as read, before this one); Unauthorized when
        it is nobody's (any more)."""
        now = datetime.now(UTC)
        async with database_errors():
            found = await self.reads.key_holder(_hash(secret))
        if found is None:
            raise Unauthorized("The API key is not valid: it was revoked, or never issued.")
        if found.last_used_at is None or now - found.last_used_at > _USE_RECORDED_EVERY:
            async with database_errors(), self.sessions.begin() as session:
                await session.execute(update(Row).where(Row.id == found.key_id).values(last_used_at=now))
        return found


def _out(row: Row) -> ApiKeyOut:
    return ApiKeyOut(
        id=row.id, name=row.name, prefix=row.prefix, created_at=row.created_at, last_used_at=row.last_used_at
    )
