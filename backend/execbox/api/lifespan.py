"""Everything a request may use, built once when the app starts and closed when it stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from redis.asyncio import Redis

from execbox import metrics
from execbox.db.credential_reads import CredentialReads
from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.queue.celery_app import create_celery
from execbox.queue.lost_runs import LostRunSweeper
from execbox.queue.runner import QueueRunner
from execbox.queue.share_leases import SharedShare
from execbox.sandbox.engine import SandboxEngine
from execbox.services.access_tokens import AccessTokens
from execbox.services.account_limits import AccountLimitService
from execbox.services.accounts import AccountService
from execbox.services.allowances import Allowance, Tiers
from execbox.services.api_keys import ApiKeyService
from execbox.services.client_share import ClientShare, Share
from execbox.services.execution import ExecutionService
from execbox.services.identity import Identities
from execbox.services.input_files import InputFileLimits
from execbox.services.presenter import internal_error
from execbox.services.rate_limit import RateLimiter
from execbox.services.retention import forget_failed_submissions
from execbox.services.run_receipts import RunReceipts
from execbox.services.runners.base import Runner
from execbox.services.runners.local import LocalRunner
from execbox.services.streaming import StreamService
from execbox.services.submission_store import SubmissionStore
from execbox.services.submissions import SubmissionService, WaitingBounds
from execbox.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    database: Database
    runner: Runner
    execution: ExecutionService
    submissions: SubmissionService
    streaming: StreamService
    tiers: Tiers  # what each kind of client may run
    identities: Identities | None  # accounts and their API keys: None unless ACCOUNTS_ENABLED
    account_limits: AccountLimitService | None  # accounts' own limits: None unless ACCOUNTS_ENABLED


async def _local_runner(settings: Settings, store: SubmissionStore, stack: AsyncExitStack) -> LocalRunner:
    # One process runs everything, so a submission still pending now was cut off by a restart.
    stale = await store.finish_pending(internal_error("The server restarted before this run finished."))
    if stale:
        log.warning("%d submissions were pending when the server stopped; marked internal_error", stale)
    config = settings.sandbox_config
    engine = SandboxEngine(config, on_demoted=metrics.RUNS_DEMOTED.inc)
    await engine.start()
    if config.rootless:
        mode = "rootless (user namespaces; runs share the service's uid)"
    else:
        mode = f"root (each run its own uid, {config.first_uid}..{config.first_uid + config.slots - 1})"
    runs = config.capacity
    log.info("sandbox: %s, up to %d run%s alive at once", mode, runs, "s" * (runs != 1))
    stack.push_async_callback(engine.close)
    metrics.RUNS_WAITING.labels("node_full").set_function(lambda: engine.runs_waiting)
    runner = LocalRunner(engine, store, refuse_when_full=True)
    stack.push_async_callback(runner.drain)  # runs before engine.close: callbacks unwind in reverse
    return runner


async def _queue_runner(settings: Settings, store: SubmissionStore, stack: AsyncExitStack) -> QueueRunner:
    redis = Redis.from_url(
        settings.REDIS_URL or "", socket_connect_timeout=2, socket_timeout=5, health_check_interval=10
    )
    stack.push_async_callback(redis.aclose)
    sweeper = LostRunSweeper(store, redis, settings.QUEUE_LOST_RUN_AFTER)
    sweeping = asyncio.get_running_loop().create_task(sweeper.run())
    stack.push_async_callback(_cancelled, sweeping)
    log.info("sandbox: none in this process; runs go to `execbox worker` processes through Redis")
    return QueueRunner(create_celery(settings), redis, settings.QUEUE_MAX_LENGTH, settings.QUEUE_WAIT_TIMEOUT)


def _tiers(settings: Settings) -> Tiers:
    limited = settings.RATE_LIMIT_ENABLED

    def tier(rate_limit: str, runs_alive: int) -> Allowance:
        return Allowance(rate_limit if limited else None, runs_alive)

    return Tiers(
        anonymous=tier(settings.RATE_LIMIT, settings.CLIENT_RUNS_ALIVE),
        user=tier(settings.USER_RATE_LIMIT, settings.USER_RUNS_ALIVE),
        key=tier(settings.KEY_RATE_LIMIT, settings.KEY_RUNS_ALIVE),
    )


def _identities(settings: Settings, database: Database, tiers: Tiers) -> Identities:
    attempts = None
    if settings.RATE_LIMIT_ENABLED:
        attempts = RateLimiter(
            settings.LOGIN_RATE_LIMIT, settings.REDIS_URL, "sign-in attempts", "sign_in_limit"
        )
    tokens = AccessTokens(settings.SECRET_KEY, settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60)
    accounts = AccountService(database.sessions, tokens, attempts)
    reads = CredentialReads(database)
    return Identities(accounts, tokens, ApiKeyService(database.sessions, reads), tiers, reads)


def _where(database: Database) -> str:
    """The SQLite file an operator looks for, or the server's URL without its password."""
    if database.url.get_backend_name() == "sqlite":
        return f"SQLite file {database.url.database}"
    return database.url.render_as_string()


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@asynccontextmanager
async def running_services(settings: Settings) -> AsyncIterator[Services]:
    async with AsyncExitStack() as stack:
        database = Database(settings.database_url)
        stack.push_async_callback(database.close)
        await upgrade_to_head(database)
        log.info("database: %s, at the newest schema", _where(database))
        store = SubmissionStore(database.sessions)

        if settings.FAILED_SUBMISSION_RETENTION_DAYS:
            keep = timedelta(days=settings.FAILED_SUBMISSION_RETENTION_DAYS)
            forgetting = asyncio.get_running_loop().create_task(forget_failed_submissions(store, keep))
            stack.push_async_callback(_cancelled, forgetting)

        runner: Runner
        if settings.EXECUTION_BACKEND == "queue":
            runner = await _queue_runner(settings, store, stack)
        else:
            runner = await _local_runner(settings, store, stack)

        if settings.CODE_POLICY == "on":
            count = len(settings.code_policy.allowed_modules)
            log.info("code policy: preset %s, %d importable modules", settings.policy_preset, count)
        else:
            log.info("code policy: off (CODE_POLICY=off); the sandbox alone bounds what runs do")

        limiter = None
        if settings.RATE_LIMIT_ENABLED:
            limiter = RateLimiter(settings.RATE_LIMIT, settings.REDIS_URL)
        # Each client's share is its own (an account's may be set at any time): in queue mode
        # always counted in Redis, where a client with no share costs nothing.
        share: Share = ClientShare(settings.CLIENT_RUNS_WAITING)
        if isinstance(runner, QueueRunner):
            share = SharedShare(
                runner.redis, settings.CLIENT_RUNS_WAITING, verdict_wait_s=settings.QUEUE_WAIT_TIMEOUT
            )
        execution = ExecutionService(
            runner,
            limits=settings.limit_policy,
            policy=settings.code_policy if settings.CODE_POLICY == "on" else None,
            rate_limiter=limiter,
            max_stdin_length=settings.MAX_STDIN_LENGTH,
            receipts=RunReceipts(settings.SECRET_KEY),
            share=share,
            run_wait_max_s=settings.RUN_WAIT_MAX_S,
            input_files=InputFileLimits(settings.MAX_INPUT_FILES, settings.MAX_INPUT_FILES_BYTES),
        )
        tiers = _tiers(settings)
        accounts = settings.ACCOUNTS_ENABLED
        yield Services(
            settings=settings,
            database=database,
            runner=runner,
            execution=execution,
            submissions=SubmissionService(
                store,
                execution,
                WaitingBounds(
                    settings.ASYNC_MAX_WAITING,
                    settings.ASYNC_MAX_WAITING_PER_CLIENT,
                    settings.ASYNC_START_DEADLINE,
                ),
                accounts_enabled=settings.ACCOUNTS_ENABLED,
            ),
            streaming=StreamService(execution, settings.MAX_STDIN_LENGTH),
            tiers=tiers,
            identities=_identities(settings, database, tiers) if accounts else None,
            account_limits=(
                AccountLimitService(database.sessions, settings.sandbox_config.capacity) if accounts else None
            ),
        )
