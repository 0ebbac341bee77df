"""Everything a request may use, built once when the app starts and closed when it stops."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.services.execution import ExecutionService
from execbox.services.rate_limit import RateLimiter
from execbox.services.submissions import SubmissionService
from execbox.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    engine: SandboxEngine
    database: Database
    execution: ExecutionService
    submissions: SubmissionService


def sandbox_config(settings: Settings) -> SandboxConfig:
    config = SandboxConfig(limits=settings.limit_policy, first_uid=settings.SANDBOX_FIRST_UID)
    if settings.SANDBOX_CONCURRENCY:
        config = dataclasses.replace(config, concurrency=settings.SANDBOX_CONCURRENCY)
    return config


@asynccontextmanager
async def running_services(settings: Settings) -> AsyncIterator[Services]:
    async with AsyncExitStack() as stack:
        database = Database(settings.database_url)
        stack.push_async_callback(database.close)
        await upgrade_to_head(database)
        log.info("database %s is at the newest schema", database.url.render_as_string())

        engine = SandboxEngine(sandbox_config(settings))
        await engine.start()
        stack.push_async_callback(engine.close)

        limiter = None
        if settings.RATE_LIMIT_ENABLED:
            limiter = RateLimiter(settings.RATE_LIMIT, settings.REDIS_URL)
        execution = ExecutionService(
            engine,
            policy=settings.code_policy if settings.CODE_POLICY == "on" else None,
            rate_limiter=limiter,
            max_stdin_length=settings.MAX_STDIN_LENGTH,
        )
        yield Services(
            settings=settings,
            engine=engine,
            database=database,
            execution=execution,
            submissions=SubmissionService(database.sessions, execution),
        )
