"""Alembic's environment: migrates the connection it is given, or the URL it is configured with."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from execbox.db.models import Base, exists_on
from execbox.settings import get_settings


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        compare_type=True,
        include_object=exists_on(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_url(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
    else:
        # `alembic -c backend/alembic.ini revision --autogenerate`: the service's own database.
        url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
        asyncio.run(_migrate_url(url))


if context.is_offline_mode():
    raise SystemExit("execbox migrations run online only (execbox migrate)")
main()
