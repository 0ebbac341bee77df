"""The worker's task, on a real Redis: a run that kombu hands out again more often than allowed
is counted, not run, and answered internal_error. The other cases run programs and are covered by
tests/queue: a killed worker's runs are counted once and succeed, other runs leave no count."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import redis

from execbox.db.migrate import upgrade_to_head
from execbox.sandbox.limits import RunLimits
from execbox.sandbox.result import RunStatus
from execbox.schemas.execution import ExecutionResult, Submission
from execbox.services.presenter import internal_error
from execbox.services.runners.base import Job
from execbox.settings import Settings
from execbox.worker.protocol import MAX_REDELIVERIES, Reply, decode_result, redeliveries_key, reply_key
from execbox.worker.runtime import WorkerRuntime
from execbox.worker.tasks import handle
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


@pytest.mark.parametrize("failure", ["runner raises", "database refuses the verdict"])
def test_a_submission_whose_run_or_verdict_fails_still_ends(
    redis_service: RedisServer, tmp_path: Path, failure: str
) -> None:
    settings = Settings(
        _env_file=None, REDIS_URL=redis_service.url, SECRET_KEY="test", SQLITE_PATH=tmp_path / "db"
    )
    runtime = WorkerRuntime(settings, name="test")  # its engine is never started
    job = Job(id="doomed", code="print(1)", stdin="", limits=RunLimits())

    async def run_it() -> Submission:
        try:
            await upgrade_to_head(runtime.database)
            await runtime.store.save_queued(job.id, job.code, "", "client")

            async def answer(*_args: Any, **_kwargs: Any) -> ExecutionResult:
                if failure == "runner raises":
                    raise RuntimeError("broken")
                forged = {"status": RunStatus.RUNTIME_ERROR, "exit_code": 2**80}
                return internal_error("x").model_copy(update=forged)

            runtime.runner.run = answer  # type: ignore[method-assign]
            await handle(runtime, job, Reply.DATABASE, redelivered=False)
            return await runtime.store.get(job.id)
        finally:
            await runtime.async_redis.aclose()
            await runtime.database.close()

    submission = asyncio.run(run_it())
    assert submission.status == "internal_error", submission
    expected = "failed this run" if failure == "runner raises" else "could not be saved"
    assert submission.stderr is not None and expected in submission.stderr
