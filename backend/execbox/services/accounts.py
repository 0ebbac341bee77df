"""Accounts: registering and signing in (which account a token names: services/identity.py).

An e-mail address is normalised (NFKC, case-folded) before it is stored
or looked up, so that one address is one account however it is typed. Passwords are hashed with
argon2id (pwdlib's recommended parameters, ~0.15 s and 64 MiB each, at most two at once per
process). Signing in answers the same for an unknown address and a wrong password, and takes as
long: an unknown address is checked against a hash of its own. Attempts are counted per client
address and per e-mail address (LOGIN_RATE_LIMIT).
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from datetime import UTC, datetime

from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from execbox.db.models import User as Row
from execbox.schemas.accounts import EMAIL_PATTERN, MAX_EMAIL_LENGTH, UserOut
from execbox.services.access_tokens import AccessTokens
from execbox.services.client_key import email_client
from execbox.services.errors import Conflict, InvalidRequest, Unauthorized
from execbox.services.rate_limit import RateLimiter
from execbox.services.submission_store import database_errors

_EMAIL = re.compile(EMAIL_PATTERN)
_WRONG = "The e-mail address or the password is wrong."
_HASHES_AT_ONCE = 2


def normalized_email(text: str) -> str:
    email = unicodedata.normalize("NFKC", text).casefold()
    if not (_EMAIL.fullmatch(text) and _EMAIL.fullmatch(email) and len(email) <= MAX_EMAIL_LENGTH):
        message = f"{text[:80]!r} is not an e-mail address"
        raise InvalidRequest(message, [("body.email", message)])
    return email


class AccountService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tokens: AccessTokens,
        login_limiter: RateLimiter | None,
    ) -> None:
        self.sessions = sessions
        self.tokens = tokens
        self.login_limiter = login_limiter
        self._hasher = PasswordHash.recommended()
        self._hashing = asyncio.Semaphore(_HASHES_AT_ONCE)
        self._unknown_hash: str | None = None  # checked against for an unknown address

    async def register(self, email: str, password: str, client: str) -> UserOut:
        address = normalized_email(email)
        await self._count_attempt(client, address)
        return await self.create(address, password, admin=False)

    async def create(self, email: str, password: str, *, admin: bool) -> UserOut:
        """A new account (also `execbox user create`); Conflict when the address has one."""
        address = normalized_email(email)
        row = Row(
            email=address,
            password_hash=await self._hash(password),
            is_admin=admin,
            created_at=datetime.now(UTC),
        )
        try:
            async with database_errors(), self.sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            raise Conflict(f"There is an account for {address} already: sign in instead.") from None
        return UserOut.model_validate(row, from_attributes=True)

    async def sign_in(self, email: str, password: str, client: str) -> str:
        """An access token for the account, or Unauthorized saying only that something is wrong."""
        try:
            address = normalized_email(email)
        except InvalidRequest:
            raise Unauthorized(_WRONG) from None
        await self._count_attempt(client, address)
        async with database_errors(), self.sessions() as session:
            row = await session.scalar(select(Row).where(Row.email == address))
        if row is None:
            await self._verify(password, await self._hash_of_nobody())
            raise Unauthorized(_WRONG)
        if not await self._verify(password, row.password_hash):
            raise Unauthorized(_WRONG)
        return self.tokens.issue(row.id)

    async def _count_attempt(self, client: str, address: str) -> None:
        if self.login_limiter is not None:
            await self.login_limiter.hit(client)
            await self.login_limiter.hit(email_client(address))

    async def _hash(self, password: str) -> str:
        async with self._hashing:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def _verify(self, password: str, hashed: str) -> bool:
        async with self._hashing:
            return await asyncio.to_thread(self._hasher.verify, password, hashed)

    async def _hash_of_nobody(self) -> str:
        if self._unknown_hash is None:
            self._unknown_hash = await self._hash("no account has this password")
        return self._unknown_hash
