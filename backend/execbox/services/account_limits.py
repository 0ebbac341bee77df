"""An account's own limits, set by an administrator (PATCH /api/v1/users/{id}/limits, `execbox
user limits`): a rate limit and a share of runs alive that replace its tier's, for its sign-ins
and for each of its keys (services/allowances.py).

They are read with the account on each request (services/identity.py), so a change holds from
the next request on every API node. A share is at most what a node keeps alive at once: more
could never be running.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from execbox.db.models import User as Row
from execbox.rate_limit_syntax import parsed_rate_limit
from execbox.schemas.accounts import MAX_RATE_LIMIT_LENGTH, AccountLimitsIn, AccountLimitsOut
from execbox.services.accounts import normalized_email
from execbox.services.errors import InvalidRequest, NotFound
from execbox.services.submission_store import database_errors


def checked_rate_limit(text: str) -> str:
    """`text` as stored, or InvalidRequest saying how to write a rate limit."""
    limit = text.strip()
    problem = None
    if len(limit) > MAX_RATE_LIMIT_LENGTH:
        problem = f"a rate limit has at most {MAX_RATE_LIMIT_LENGTH} characters, not {len(limit)}"
    else:
        try:
            windows = parsed_rate_limit(limit)
        except ValueError as error:
            problem = str(error)
        else:
            if any(window.amount < 1 for window in windows):
                problem = f"{limit!r} lets no run through: allow at least 1 per window"
    if problem is not None:
        raise InvalidRequest(f"rate_limit: {problem}.", [("body.rate_limit", problem)])
    return limit


def checked_runs_alive(runs: int, most: int) -> int:
    if not 1 <= runs <= most:
        problem = (
            f"runs_alive must be between 1 and {most} (the runs a node keeps alive at once, "
            f"SANDBOX_LIVE_RUNS), got {runs}"
        )
        raise InvalidRequest(f"{problem}.", [("body.runs_alive", problem)])
    return runs


class AccountLimitService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], most_runs_alive: int) -> None:
        self.sessions = sessions
        self.most_runs_alive = most_runs_alive  # a node's live runs: a share cannot be larger

    async def change(self, user_id: int, change: AccountLimitsIn) -> AccountLimitsOut:
        """Set the fields `change` names (null: back to the tier's); NotFound for no such account."""
        return await self._change(Row.id == user_id, f"with id {user_id}", change)

    async def change_by_email(self, email: str, change: AccountLimitsIn) -> AccountLimitsOut:
        address = normalized_email(email)
        return await self._change(Row.email == address, f"for {address}", change)

    async def _change(
        self, which: ColumnElement[bool], named: str, change: AccountLimitsIn
    ) -> AccountLimitsOut:
        # Both checked before either is written: a refusal changes nothing.
        rate_limit = None if change.rate_limit is None else checked_rate_limit(change.rate_limit)
        runs = change.runs_alive
        runs_alive = None if runs is None else checked_runs_alive(runs, self.most_runs_alive)
        async with database_errors(), self.sessions.begin() as session:
            row = await session.scalar(select(Row).where(which))
            if row is None:
                raise NotFound(f"There is no account {named}.")
            if "rate_limit" in change.model_fields_set:
                row.rate_limit = rate_limit
            if "runs_alive" in change.model_fields_set:
                row.runs_alive = runs_alive
        return AccountLimitsOut(
            user_id=row.id, email=row.email, rate_limit=row.rate_limit, runs_alive=row.runs_alive
        )
