"""Runs on `execbox worker` processes, through a Celery queue on Redis."""

from __future__ import annotations

import asyncio
import json
import time

from celery import Celery
from kombu.exceptions import KombuError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from execbox.schemas.execution import ExecutionResult
from execbox.services.errors import Unavailable
from execbox.services.runners.base import Job, RuntimeVersions
from execbox.worker.protocol import (
    QUEUE,
    RUNTIME_KEY,
    TASK,
    WORKER_KEY_PREFIX,
    decode_result,
    decode_versions,
    encode_job,
    reply_key,
)

# The queue's length is read at most this often: the "queue full" guard needs no exact count,
# and a Redis round trip per run is ~0.5 ms of latency.
_DEPTH_MAX_AGE_S = 0.1
_REPLY_POLL_S = 2.0


class QueueRunner:
    def __init__(self, celery: Celery, redis: Redis, max_waiting: int, wait_timeout_s: float) -> None:
        self.celery = celery
        self.redis = redis
        self.max_waiting = max_waiting
        self.wait_timeout_s = wait_timeout_s
        self._depth = 0
        self._depth_read_at = -_DEPTH_MAX_AGE_S

    async def run(self, job: Job) -> ExecutionResult:
        timeout = job.limits.wall_time_s + self.wait_timeout_s
        await self._check_room()
        await self._enqueue(job, reply=True)
        deadline = time.monotonic() + timeout
        # Short waits, each well inside the client's socket timeout; the reply list outlives the
        # reply's arrival, so a worker may answer before or between them.
        while (left := deadline - time.monotonic()) > 0:
            try:
                reply = await self.redis.blpop([reply_key(job.id)], timeout=min(_REPLY_POLL_S, left))
            except RedisError as error:
                raise _unreachable(error) from error
            if reply is not None:
                return decode_result(reply[1])
        raise Unavailable(f"No worker finished the run within {timeout:.0f} s; try again shortly.")

    async def dispatch(self, job: Job) -> None:
        await self._check_room()
        await self._enqueue(job, reply=False)

    async def _check_room(self) -> None:
        now = time.monotonic()
        if now - self._depth_read_at >= _DEPTH_MAX_AGE_S:
            try:
                self._depth = await self.waiting()
            except RedisError as error:
                raise _unreachable(error) from error
            self._depth_read_at = now
        waiting = self._depth
        if waiting >= self.max_waiting:
            raise Unavailable(f"The queue is full ({waiting} runs are waiting); try again in a few seconds.")

    async def _enqueue(self, job: Job, reply: bool) -> None:
        try:
            # kombu publishes synchronously: in a thread, so that a Redis that stopped answering
            # stalls this request only, not the event loop (~1 ms more per run than inline).
            await asyncio.to_thread(self.celery.send_task, TASK, args=[encode_job(job, reply)], retry=False)
        except (KombuError, RedisError, OSError) as error:
            raise _unreachable(error) from error
        self._depth += 1  # until the next reading

    async def versions(self) -> RuntimeVersions:
        try:
            payload = await self.redis.get(RUNTIME_KEY)
        except RedisError as error:
            raise _unreachable(error) from error
        if payload is None:
            raise Unavailable("No worker has started yet, so the runtime's versions are unknown.")
        return decode_versions(payload)

    async def workers(self) -> list[dict[str, int]]:
        """The live workers' heartbeats: {"busy", "concurrency"} each."""
        keys = [key async for key in self.redis.scan_iter(match=WORKER_KEY_PREFIX + "*", count=100)]
        values = await self.redis.mget(keys) if keys else []
        return [json.loads(value) for value in values if value is not None]

    async def waiting(self) -> int:
        return int(await self.redis.llen(QUEUE))

    async def state(self) -> str:
        try:
            return "ready" if await self.workers() else "no workers"
        except RedisError:
            return "unavailable"


def _unreachable(error: Exception) -> Unavailable:
    return Unavailable(f"The run queue is unreachable ({type(error).__name__}); try again shortly.")
