"""The task a worker runs: one run, its verdict to the caller's reply list or to the database."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Celery

from execbox import metrics
from execbox.services.errors import Unavailable
from execbox.services.presenter import internal_error
from execbox.worker.protocol import (
    ATTEMPTS_TTL_S,
    MAX_ATTEMPTS,
    REPLY_TTL_S,
    TASK,
    attempts_key,
    decode_job,
    encode_result,
    reply_key,
)
from execbox.worker.runtime import WorkerRuntime

log = logging.getLogger(__name__)


def register(app: Celery, runtime: WorkerRuntime) -> None:
    @app.task(name=TASK)
    def run(message: dict[str, Any]) -> None:
        job, reply = decode_job(message)
        attempt = runtime.redis.incr(attempts_key(job.id))
        runtime.redis.expire(attempts_key(job.id), ATTEMPTS_TTL_S)
        started = time.monotonic()
        runtime.busy(+1)
        try:
            if int(attempt) > MAX_ATTEMPTS:
                log.error("run %s: its worker was lost %d times; not running it again", job.id, attempt - 1)
                result = internal_error(
                    "The run was interrupted twice (its worker stopped); it was not retried."
                )
            else:
                if not reply:
                    runtime.call(runtime.store.mark_running(job.id))
                try:
                    result = runtime.call(runtime.runner.run(job))
                except Unavailable as error:
                    result = internal_error(str(error))
            if reply:
                key = reply_key(job.id)
                runtime.redis.rpush(key, encode_result(result))
                runtime.redis.expire(key, REPLY_TTL_S)
            else:
                runtime.call(runtime.store.finish(job.id, result))
            metrics.RUNS.labels(result.status.value).inc()
            metrics.RUN_SECONDS.observe(time.monotonic() - started)
        finally:
            runtime.busy(-1)
