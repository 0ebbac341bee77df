"""The task a worker runs: one run, its verdict to the caller's reply list or to the database."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from celery import Celery, Task
from redis.exceptions import RedisError

from execbox import metrics
from execbox.queue.protocol import (
    AWAITED_KEY,
    MAX_REDELIVERIES,
    REDELIVERIES_TTL_S,
    REPLY_TTL_S,
    TASK,
    Reply,
    decode_job,
    encode_final,
    encode_result,
    output_key,
    redeliveries_key,
    reply_key,
)
from execbox.schemas.execution import ExecutionResult
from execbox.services.presenter import internal_error
from execbox.services.runners.base import Job
from execbox.services.verdicts import mark_running, record_verdict, verdict_of
from execbox.worker.live_relay import run_relayed
from execbox.worker.runtime import WorkerRuntime

log = logging.getLogger(__name__)


def register(app: Celery, runtime: WorkerRuntime) -> None:
    @app.task(name=TASK, bind=True)
    def run(task: Task[Any, Any], message: dict[str, Any]) -> None:
        job, reply = decode_job(message)
        # kombu marks a run it hands out again because its worker never acknowledged it.
        redelivered = bool((task.request.delivery_info or {}).get("redelivered"))
        task_id = str(task.request.id)
        # From now until acknowledged, renewed while this worker lives; a synchronous run's place
        # in its client's share with it.
        counted = (job.client, job.id) if reply is not Reply.DATABASE and job.client else None
        runtime.leases.hold(task_id, counted)
        try:
            # All of it on the engine's event loop, so that the verdict leaves as soon as it exists.
            runtime.call(handle(runtime, job, reply, redelivered))
        finally:
            runtime.leases.release(task_id)


async def handle(runtime: WorkerRuntime, job: Job, reply: Reply, redelivered: bool) -> None:
    started = time.monotonic()
    runtime.busy(+1)
    try:
        result = await _verdict(runtime, job, reply, redelivered)
        if result is None:
            return  # its caller hung up: nobody to answer
        await _deliver(runtime, job, reply, result)
        metrics.RUNS.labels(result.status.value).inc()
        metrics.RUN_SECONDS.observe(time.monotonic() - started)
    finally:
        runtime.busy(-1)


async def _verdict(
    runtime: WorkerRuntime, job: Job, reply: Reply, redelivered: bool
) -> ExecutionResult | None:
    """No step raises (see services.verdicts): a waiting submission or caller gets a verdict;
    None for a caller that hung up (see worker.abandoned_runs)."""
    if redelivered and await _count_redelivery(runtime, job.id) > MAX_REDELIVERIES:
        log.error("run %s: its worker was lost more than once; not running it again", job.id)
        return internal_error("The run was interrupted twice (its worker stopped); it was not retried.")
    if reply is Reply.DATABASE:
        await mark_running(runtime.store, job.id)
    if reply is Reply.LIST:
        return await runtime.abandoned.unless_abandoned(job.id, verdict_of(_run(runtime, job, reply), job.id))
    return await verdict_of(_run(runtime, job, reply), job.id)


async def _count_redelivery(runtime: WorkerRuntime, job_id: str) -> int:
    """How many times this run has been handed out again, this time included; 0 when Redis
    cannot count, for the run is owed a verdict (and while Redis is down, nothing is redelivered).

    Counted only for redeliveries: a first delivery, nearly every run, makes no round trip."""
    counting = runtime.async_redis.pipeline(transaction=False)
    counting.incr(redeliveries_key(job_id))
    counting.expire(redeliveries_key(job_id), REDELIVERIES_TTL_S)
    try:
        return int((await counting.execute())[0])
    except RedisError as error:
        log.warning("run %s: cannot count its redeliveries, running it: %s", job_id, error)
        return 0


async def _run(runtime: WorkerRuntime, job: Job, reply: Reply) -> ExecutionResult:
    if reply is Reply.LIVE:
        return await run_relayed(runtime.runner, runtime.async_redis, job)
    return await runtime.runner.run(job)


async def _deliver(runtime: WorkerRuntime, job: Job, reply: Reply, result: ExecutionResult) -> None:
    if reply is Reply.DATABASE:
        await record_verdict(runtime.store, job.id, result)
        with contextlib.suppress(RedisError):  # an entry left behind expires (AWAITED_TTL_S)
            await runtime.async_redis.zrem(AWAITED_KEY, job.id)
        return
    key, payload = (
        (output_key(job.id), encode_final(result))
        if reply is Reply.LIVE
        else (reply_key(job.id), encode_result(result))
    )
    replying = runtime.async_redis.pipeline(transaction=False)
    replying.rpush(key, payload)
    replying.expire(key, REPLY_TTL_S)
    await replying.execute()
