"""`execbox migrate`: bring the configured database to the newest schema."""

from __future__ import annotations

import argparse
import asyncio

from execbox.commands import USAGE_ERROR
from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.settings import load_settings


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await upgrade_to_head(database)
    finally:
        await database.close()
    print(f"execbox: {database.url.render_as_string()} is at the newest schema")


def migrate(_args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings is None:
        return USAGE_ERROR
    asyncio.run(_migrate(settings.database_url))
    return 0
