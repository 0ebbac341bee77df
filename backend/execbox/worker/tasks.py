"""The task a worker runs: one run, its verdict to the caller's reply list or to the database."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Celery

from execbox import metrics
from execbox.schemas.execution import ExecutionResult
from execbox.services.errors import Unavailable
from execbox.services.presenter import internal_error
from execbox.services.runners.base import Job
from execbox.worker.live_relay import run_relayed
from execbox.worker.protocol import (
    ATTEMPTS_TTL_S,
    MAX_ATTEMPTS,
    REPLY_TTL_S,
    TASK,
    Reply,
    attempts_key,
    decode_job,
    encode_final,
    encode_result,
    output_key,
    reply_key,
)
from execbox.worker.runtime import WorkerRuntime

log = logging.getLogger(__name__)


_RECORD_ATTEMPTS = 12
_RECORD_BACKOFF_S = 5.0


def _record(runtime: WorkerRuntime, submission_id: str, result: ExecutionResult) -> None:
    """Write a submission's verdict, riding out a database outage of up to a minute."""
    for attempt in range(1, _RECORD_ATTEMPTS + 1):
        try:
            runtime.call(runtime.store.finish(submission_id, result))
            return
        except Unavailable as error:
            log.warning("run %s: cannot record its verdict (try %d): %s", submission_id, attempt, error)
            time.sleep(_RECORD_BACKOFF_S)
    log.error("run %s: its verdict (%s) could not be recorded", submission_id, result.status.value)


def _run(runtime: WorkerRuntime, job: Job, reply: Reply) -> ExecutionResult:
    if reply is Reply.LIVE:
        return runtime.call(run_relayed(runtime.runner, runtime.async_redis, job))
    try:
        return runtime.call(runtime.runner.run(job))
    except Unavailable as error:
        return internal_error(str(error))


def register(app: Celery, runtime: WorkerRuntime) -> None:
    @app.task(name=TASK)
    def run(message: dict[str, Any]) -> None:
        job, reply = decode_job(message)
        counting = runtime.redis.pipeline(transaction=False)
        counting.incr(attempts_key(job.id))
        counting.expire(attempts_key(job.id), ATTEMPTS_TTL_S)
        attempt = int(counting.execute()[0])
        started = time.monotonic()
        runtime.busy(+1)
        try:
            if attempt > MAX_ATTEMPTS:
                log.error("run %s: its worker was lost %d times; not running it again", job.id, attempt - 1)
                result = internal_error(
                    "The run was interrupted twice (its worker stopped); it was not retried."
                )
            else:
                if reply is Reply.DATABASE:
                    try:
                        runtime.call(runtime.store.mark_running(job.id))
                    except Unavailable as error:  # the verdict matters more than "running"
                        log.warning("run %s: cannot mark it running: %s", job.id, error)
                result = _run(runtime, job, reply)
            if reply is Reply.DATABASE:
                _record(runtime, job.id, result)
            else:
                key, payload = (
                    (output_key(job.id), encode_final(result))
                    if reply is Reply.LIVE
                    else (reply_key(job.id), encode_result(result))
                )
                replying = runtime.redis.pipeline(transaction=False)
                replying.rpush(key, payload)
                replying.expire(key, REPLY_TTL_S)
                replying.execute()
            metrics.RUNS.labels(result.status.value).inc()
            metrics.RUN_SECONDS.observe(time.monotonic() - started)
        finally:
            runtime.busy(-1)
