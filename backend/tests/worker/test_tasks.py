"""The worker's task, on a real Redis: a run that kombu hands out again more often than allowed
is counted, not run, and answered internal_error. An asynchronous submission, on real SQLite and
PostgreSQL, ends with a final state whatever step of its run fails, and is no longer awaited. The
other cases run programs and are covered by tests/queue: a killed worker's runs are counted once
and succeed, other runs leave no count."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
import redis.asyncio
from redis.exceptions import RedisError

from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.queue.lost_runs import LOST, LostRunSweeper
from execbox.queue.protocol import (
    AWAITED_KEY,
    MAX_REDELIVERIES,
    Reply,
    decode_result,
    redeliveries_key,
    reply_key,
)
from execbox.sandbox.limits import RunLimits
from execbox.sandbox.result import RunStatus
from execbox.schemas.execution import Submission
from execbox.services.owners import NOBODY
from execbox.services.presenter import internal_error
from execbox.services.runners.base import Job
from execbox.services.submission_store import SubmissionStore
from execbox.settings import Settings
from execbox.worker.runtime import WorkerRuntime
from execbox.worker.tasks import handle
from tests.support.databases import BACKENDS, MakeDatabase
from tests.support.faults import answering, beyond_any_column, broken, database_down, finish_failing
from tests.support.ports import free_port
from tests.support.redis import RedisServer


def test_a_run_redelivered_once_too_often_is_answered_internal_error_without_running(
    redis_service: RedisServer, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None, REDIS_URL=redis_service.url, SECRET_KEY="test", SQLITE_PATH=tmp_path / "db"
    )
    runtime = WorkerRuntime(settings, name="test")  # its engine is never started: nothing may run
    job = Job(id="redelivered-run", code="print('ran')", stdin="", limits=RunLimits())
    broker = redis.Redis.from_url(redis_service.url)
    broker.set(redeliveries_key(job.id), MAX_REDELIVERIES)  # handed out again as often as allowed

    async def deliver_again() -> None:
        try:
            await handle(runtime, job, Reply.LIST, redelivered=True)
        finally:
            await runtime.async_redis.aclose()
            await runtime.database.close()

    asyncio.run(deliver_again())
    reply = broker.lpop(reply_key(job.id))
    assert isinstance(reply, bytes), reply
    result = decode_result(reply)
    assert result.status is RunStatus.INTERNAL_ERROR
    assert result.stderr == "The run was interrupted twice (its worker stopped); it was not retried."
    assert broker.get(redeliveries_key(job.id)) == str(MAX_REDELIVERIES + 1).encode()
    assert 0 < broker.ttl(redeliveries_key(job.id)) <= 86_400


def _worker(redis_url: str, database_url: str) -> WorkerRuntime:
    settings = Settings(_env_file=None, REDIS_URL=redis_url, SECRET_KEY="test", DATABASE_URL=database_url)
    runtime = WorkerRuntime(settings, name="test")  # its engine is never started
    runtime.runner.run = answering(internal_error("ran"))  # type: ignore[method-assign]
    return runtime


def _handled(
    runtime: WorkerRuntime, inject: Callable[[WorkerRuntime], object], redelivered: bool = False
) -> tuple[Job, Submission]:
    """A submission queued and awaited as the API leaves it, handled with `inject`'s failure."""
    job = Job(id=f"doomed-{uuid.uuid4().hex[:8]}", code="print(1)", stdin="", limits=RunLimits())

    async def handle_it() -> Submission:
        try:
            await upgrade_to_head(runtime.database)
            await runtime.store.save_queued(job.id, job.code, "", "client", NOBODY)
            with contextlib.suppress(RedisError):
                await runtime.async_redis.zadd(AWAITED_KEY, {job.id: time.time()})
            inject(runtime)
            await asyncio.wait_for(handle(runtime, job, Reply.DATABASE, redelivered), 60)
            return await SubmissionStore(runtime.database.sessions).get(job.id, NOBODY)
        finally:
            await runtime.async_redis.aclose()
            await runtime.database.close()

    return job, asyncio.run(handle_it())


_STEPS: dict[str, tuple[Callable[[WorkerRuntime], object], str]] = {
    # the step that fails: (how it fails, a part of the sentence the submission must end with)
    "mark_running raises": (lambda w: setattr(w.store, "mark_running", broken), "ran"),
    "mark_running: an outage": (lambda w: setattr(w.store, "mark_running", database_down), "ran"),
    "the runner raises": (
        lambda w: setattr(w.runner, "run", broken),
        "The service failed this run (RuntimeError)",
    ),
    "finish refuses the row once": (
        lambda w: finish_failing(w.store, ValueError("refused")),
        "could not be saved (ValueError)",
    ),
    "the database refuses the verdict": (
        lambda w: setattr(w.runner, "run", answering(beyond_any_column())),
        "could not be saved",
    ),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("step", list(_STEPS))
def test_a_submission_ends_whatever_step_fails(
    redis_service: RedisServer,
    make_database: MakeDatabase,
    backend: str,
    step: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    inject, expected = _STEPS[step]
    job, submission = _handled(_worker(redis_service.url, make_database(backend)), inject)
    assert submission.status == "internal_error", submission
    assert submission.stderr is not None and expected in submission.stderr, submission.stderr
    assert redis.Redis.from_url(redis_service.url).zscore(AWAITED_KEY, job.id) is None
    if "outage" not in step:  # something unexpected happened: logged with its traceback
        assert any(record.exc_info for record in caplog.records), caplog.text


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_verdict_no_row_can_hold_is_left_to_the_lost_run_sweep(
    redis_service: RedisServer, make_database: MakeDatabase, backend: str
) -> None:
    """The database refuses every row: the worker gives up after the fallback, and no longer
    awaits the run, so the API's sweep gives the submission its verdict."""
    url = make_database(backend)
    job, submission = _handled(
        _worker(redis_service.url, url), lambda w: finish_failing(w.store, *[ValueError("refused")] * 10)
    )
    assert submission.status == "running"
    assert redis.Redis.from_url(redis_service.url).zscore(AWAITED_KEY, job.id) is None

    async def sweep() -> Submission:
        database = Database(url)
        redis_client = redis.asyncio.Redis.from_url(redis_service.url)
        try:
            store = SubmissionStore(database.sessions)
            assert await LostRunSweeper(store, redis_client, grace_s=0).sweep() == 1
            return await store.get(job.id, NOBODY)
        finally:
            await redis_client.aclose()
            await database.close()

    swept = asyncio.run(sweep())
    assert (swept.status, swept.stderr) == ("internal_error", LOST)


def test_a_redelivered_run_whose_redeliveries_cannot_be_counted_is_run(
    make_database: MakeDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis is down (nothing listens on its port): the run is run and its verdict recorded."""
    runtime = _worker(f"redis://127.0.0.1:{free_port()}/0", make_database("sqlite"))
    _job, submission = _handled(runtime, lambda _w: None, redelivered=True)
    assert (submission.status, submission.stderr) == ("internal_error", "ran")
    assert "cannot count" in caplog.text
