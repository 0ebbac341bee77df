"""Bring a database to the newest schema (run at start-up and by `execbox migrate`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from execbox.db.database import Database

# Several API nodes may start at once; on PostgreSQL one migrates while the others wait.
_MIGRATION_LOCK_ID = 0x65786563  # "exec"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade_to_head(database: Database) -> None:
    config = alembic_config(database.url.render_as_string(hide_password=False))

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with database.engine.begin() as connection:
        if database.backend == "postgresql":
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})"))
        await connection.run_sync(upgrade)
