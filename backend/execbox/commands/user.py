"""`execbox user create EMAIL [--admin]`: an account made by the operator, e.g. the first admin."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from execbox.commands import USAGE_ERROR
from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.schemas.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from execbox.services.access_tokens import AccessTokens
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
