"""`execbox user create EMAIL [--admin]`: an account made by the operator, e.g. the first admin.
`execbox user limits EMAIL [--rate-limit LIMIT] [--runs-alive N] [--default]`: an account's own
limits, shown or set (as an administrator does with PATCH /api/v1/users/{id}/limits)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from execbox.commands import USAGE_ERROR
from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.schemas.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    AccountLimitsIn,
    AccountLimitsOut,
)
from execbox.services.access_tokens import AccessTokens
from execbox.services.account_limits import AccountLimitService
from execbox.services.accounts import AccountService
from execbox.services.errors import ServiceError
from execbox.settings import Settings, load_settings


async def _create(settings: Settings, email: str, password: str, admin: bool) -> str:
    database = Database(settings.database_url)
    try:
        await upgrade_to_head(database)
        tokens = AccessTokens(settings.SECRET_KEY, settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60)
        user = await AccountService(database.sessions, tokens, None).create(email, password, admin=admin)
    finally:
        await database.close()
    return f"execbox: created {'an administrator' if admin else 'the account'} {user.email} (id {user.id})"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Again: "):
        raise ValueError("the two passwords differ")
    return password


def create_user(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings is None:
        return USAGE_ERROR
    try:
        password = _password(args.password_stdin)
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            bounds = f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH}"
            raise ValueError(f"a password has {bounds} characters, not {len(password)}")
        print(asyncio.run(_create(settings, args.email, password, args.admin)))
    except (ValueError, ServiceError) as error:
        print(f"execbox: {error}", file=sys.stderr)
        return USAGE_ERROR
    return 0


async def _change_limits(settings: Settings, email: str, change: AccountLimitsIn) -> AccountLimitsOut:
    database = Database(settings.database_url)
    try:
        await upgrade_to_head(database)
        service = AccountLimitService(database.sessions, settings.sandbox_config.capacity)
        return await service.change_by_email(email, change)
    finally:
        await database.close()


def _limits_change(args: argparse.Namespace) -> AccountLimitsIn:
    """What the options ask for: only the fields they name change (validated by the service)."""
    if args.default:
        if args.rate_limit is not None or args.runs_alive is not None:
            raise ValueError("--default returns both limits to their tier's: give it alone")
        return AccountLimitsIn.model_construct(rate_limit=None, runs_alive=None)
    given = {"rate_limit": args.rate_limit, "runs_alive": args.runs_alive}
    return AccountLimitsIn.model_construct(
        **{name: value for name, value in given.items() if value is not None}
    )


def _described(limits: AccountLimitsOut) -> str:
    rate = limits.rate_limit or "the default (USER_RATE_LIMIT; KEY_RATE_LIMIT for each key)"
    alive = limits.runs_alive or "the default (USER_RUNS_ALIVE; KEY_RUNS_ALIVE for each key)"
    return f"execbox: {limits.email} (id {limits.user_id}): rate limit {rate}, runs alive {alive}"


def user_limits(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings is None:
        return USAGE_ERROR
    try:
        change = _limits_change(args)
        print(_described(asyncio.run(_change_limits(settings, args.email, change))))
    except (ValueError, ServiceError) as error:
        print(f"execbox: {error}", file=sys.stderr)
        return USAGE_ERROR
    return 0
