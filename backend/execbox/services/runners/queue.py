"""Runs on `execbox worker` processes, through a Celery queue on Redis."""

from __future__ import annotations

import asyncio
import json

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


class QueueRunner:
    def __init__(self, celery: Celery, redis: Redis, max_waiting: int, wait_timeout_s: float) -> None:
        self.celery = celery
        self.redis = redis
        self.max_waiting = max_waiting
        self.wait_timeout_s = wait_timeout_s

    async def run(self, job: Job) -> ExecutionResult:
        await self._enqueue(job, reply=True)
        timeout = job.limits.wall_time_s + self.wait_timeout_s
        try:
            answer = await self.redis.blpop([reply_key(job.id)], timeout=timeout)
        except RedisError as error:
            raise _unreachable(error) from error
        if answer is None:
            raise Unavailable(f"No worker finished the run within {timeout:.0f} s; try again shortly.")
        return decode_result(answer[1])

    async def dispatch(self, job: Job) -> None:
        await self._enqueue(job, reply=False)

    async def _enqueue(self, job: Job, reply: bool) -> None:
        try:
            waiting = await self.redis.llen(QUEUE)
        except RedisError as error:
            raise _unreachable(error) from error
        if waiting >= self.max_waiting:
            raise Unavailable(f"The queue is full ({waiting} runs are waiting); try again in a few seconds.")
        try:
            # Publishing is blocking I/O in kombu: off the event loop.
            await asyncio.to_thread(self.celery.send_task, TASK, args=[encode_job(job, reply)], retry=False)
        except (KombuError, RedisError, OSError) as error:
            raise _unreachable(error) from error

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
