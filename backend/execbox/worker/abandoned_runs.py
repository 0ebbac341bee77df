"""Synchronous runs whose caller hung up (the API set their `abandoned_key`): a worker does not
start one, and stops one it is running within `POLL_S`.

One Redis round trip before a run starts; while runs go on, one `MGET` of all their keys every
`POLL_S` for the whole worker, however many there are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from execbox import metrics
from execbox.queue.protocol import abandoned_key
from execbox.schemas.execution import ExecutionResult

log = logging.getLogger(__name__)

POLL_S = 0.5


class AbandonedRuns:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._running: dict[str, asyncio.Task[ExecutionResult]] = {}
        self._stopped: set[str] = set()
        self._watcher: asyncio.Task[None] | None = None

    async def unless_abandoned(
        self, job_id: str, run: Coroutine[Any, Any, ExecutionResult]
    ) -> ExecutionResult | None:
        """`run`'s verdict; None when its caller has gone: then it was not started, or stopped."""
        if await self._gone(job_id):
            run.close()
            log.info("run %s: its caller hung up before it started; not run", job_id)
            metrics.RUNS_ABANDONED.inc()
            return None
        task = asyncio.get_running_loop().create_task(run)
        self._running[job_id] = task
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        try:
            return await asyncio.shield(task)  # only the watcher cancels the run itself
        except asyncio.CancelledError:
            if job_id not in self._stopped:
                task.cancel()  # the worker itself is stopping
                raise
            log.info("run %s: its caller hung up; stopped", job_id)
            metrics.RUNS_ABANDONED.inc()
            return None
        finally:
            self._running.pop(job_id, None)
            self._stopped.discard(job_id)

    async def _watch(self) -> None:
        while self._running:
            await asyncio.sleep(POLL_S)
            watched = list(self._running)
            with contextlib.suppress(RedisError):  # the next round asks again
                marks = await self.redis.mget([abandoned_key(job_id) for job_id in watched])
                for job_id, mark in zip(watched, marks, strict=True):
                    task = self._running.get(job_id)
                    if mark is not None and task is not None:
                        self._stopped.add(job_id)
                        task.cancel()

    async def _gone(self, job_id: str) -> bool:
        try:
            return bool(await self.redis.exists(abandoned_key(job_id)))
        except RedisError:
            return False  # cannot tell: the run is owed to a caller who may be waiting
