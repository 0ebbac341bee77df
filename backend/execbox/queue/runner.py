"""Runs on `execbox worker` processes, through a Celery queue on Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncGenerator

from celery import Celery
from kombu.exceptions import KombuError
from prometheus_client import Gauge
from redis.asyncio import Redis
from redis.exceptions import RedisError

from execbox.queue.depth import QueueDepth
from execbox.queue.protocol import (
    ABANDONED_TTL_S,
    AWAITED_KEY,
    LIVE_TTL_S,
    QUEUE,
    RUNTIME_KEY,
    TASK,
    WORKER_KEY_PREFIX,
    Reply,
    abandoned_key,
    decode_event,
    decode_result,
    decode_versions,
    encode_job,
    input_key,
    output_key,
    reply_key,
)
from execbox.schemas.execution import ExecutionResult
from execbox.services.errors import Unavailable
from execbox.services.live_session import InputWanted, LiveSession, Queued, Started
from execbox.services.runners.base import Job, RuntimeVersions

# The API's view of the whole queue (workers have no use for these, so only the API keeps them).
QUEUE_DEPTH = Gauge("execbox_queue_depth", "Runs waiting in the queue for a worker (queue mode)")
WORKERS = Gauge("execbox_workers", "Workers that reported in the last heartbeat period (queue mode)")
WORKERS_BUSY = Gauge("execbox_workers_busy", "Runs the live workers are running now (queue mode)")

# The queue's length is read at most this often: the "queue full" guard needs no exact count.
_DEPTH_MAX_AGE_S = 0.1
_REPLY_POLL_S = 2.0


SHUTTING_DOWN = "The server is shutting down; try again in a few seconds."


class QueueRunner:
    def __init__(self, celery: Celery, redis: Redis, max_waiting: int, wait_timeout_s: float) -> None:
        self.celery = celery
        self.redis = redis
        self.max_waiting = max_waiting
        self.wait_timeout_s = wait_timeout_s
        self._depth = QueueDepth(self.waiting, _DEPTH_MAX_AGE_S)
        self._stopping = False
        self._marking: set[asyncio.Task[None]] = set()

    async def run(self, job: Job, live: LiveSession | None = None) -> ExecutionResult:
        await self._check_room()
        if live is not None:
            return await self._run_live(job, live)
        await self._enqueue(job, Reply.LIST)
        try:
            async with contextlib.aclosing(self._replies(job, reply_key(job.id))) as replies:
                async for reply in replies:
                    return decode_result(reply)
        except asyncio.CancelledError:
            self._abandon(job.id)  # its caller hung up: no worker starts it, or it is stopped
            raise
        self._abandon(job.id)  # nobody will read a verdict that comes later
        raise self._no_verdict(job)

    def _abandon(self, job_id: str) -> None:
        # In a task of its own: the caller's is being cancelled.
        marking = asyncio.get_running_loop().create_task(self._mark_abandoned(job_id))
        self._marking.add(marking)
        marking.add_done_callback(self._marking.discard)

    async def _mark_abandoned(self, job_id: str) -> None:
        with contextlib.suppress(RedisError):  # then it runs for nobody, as it did before
            await self.redis.set(abandoned_key(job_id), 1, ex=ABANDONED_TTL_S)

    async def _run_live(self, job: Job, live: LiveSession) -> ExecutionResult:
        # Runs left in the queue mean every worker is busy: say so (once: the queue cannot say
        # where in it this run is later); `started` comes from the worker that takes it.
        try:
            ahead = await self.waiting()
        except RedisError:
            ahead = 0  # then the run's enqueueing says what is wrong
        if ahead:
            live.queued(ahead, "server_full")
        await self._enqueue(job, Reply.LIVE)
        forwarder = asyncio.get_running_loop().create_task(self._forward_input(job, live))
        try:
            async with contextlib.aclosing(self._replies(job, output_key(job.id))) as events:
                async for payload in events:
                    event = decode_event(payload)
                    if isinstance(event, ExecutionResult):
                        return event
                    if isinstance(event, InputWanted):
                        live.waiting_for_input(event.waiting)
                    elif isinstance(event, Queued):
                        live.queued(event.position, event.reason)
                    elif isinstance(event, Started):
                        live.mark_started()
                    else:
                        live.emit(*event)
            raise self._no_verdict(job)
        finally:
            forwarder.cancel()

    async def _forward_input(self, job: Job, live: LiveSession) -> None:
        """The client's stdin and stop, to the worker's `input_key` list, as they come."""
        key = input_key(job.id)
        stop = asyncio.ensure_future(live.io.stopped.wait())
        try:
            while True:
                more = asyncio.ensure_future(live.io.next_stdin())
                await asyncio.wait([more, stop], return_when=asyncio.FIRST_COMPLETED)
                if stop.done():
                    more.cancel()
                    await self._push_input(key, {"stop": True})
                    return
                data = more.result()
                await self._push_input(
                    key, {"stdin": data.decode()} if data is not None else {"close_stdin": True}
                )
        finally:
            stop.cancel()

    async def _push_input(self, key: str, request: dict[str, object]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.rpush(key, json.dumps(request))
        pipe.expire(key, LIVE_TTL_S)
        with contextlib.suppress(RedisError):  # the output side sees the outage and reports it
            await pipe.execute()

    async def _replies(self, job: Job, key: str) -> AsyncGenerator[bytes | str]:
        """What the worker pushes onto `key`, until the run's deadline.

        Short waits, each well inside the client's socket timeout; the list outlives a reply's
        arrival, so a worker may answer before or between them."""
        deadline = time.monotonic() + job.limits.wall_time_s + self.wait_timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                reply = await self.redis.blpop([key], timeout=min(_REPLY_POLL_S, left))
            except RedisError as error:
                raise _unreachable(error) from error
            if reply is not None:
                yield reply[1]

    def _no_verdict(self, job: Job) -> Unavailable:
        timeout = job.limits.wall_time_s + self.wait_timeout_s
        return Unavailable(f"No worker finished the run within {timeout:.0f} s; try again shortly.")

    async def dispatch(self, job: Job) -> None:
        await self._check_room()
        await self._enqueue(job, Reply.DATABASE)
        try:  # after the run is queued: Redis holds neither or both after a restart
            await self.redis.zadd(AWAITED_KEY, {job.id: time.time()})
        except RedisError as error:
            raise _unreachable(error) from error

    def stop_admitting(self) -> None:
        # Runs already queued are the workers' to finish; this process only queues no more.
        self._stopping = True

    async def _check_room(self) -> None:
        if self._stopping:
            raise Unavailable(SHUTTING_DOWN)
        if self._depth.estimate() < self.max_waiting:
            return
        try:
            waiting = await self._depth.read()
        except RedisError as error:
            raise _unreachable(error) from error
        if waiting >= self.max_waiting:
            raise Unavailable(f"The queue is full ({waiting} runs are waiting); try again in a few seconds.")

    async def _enqueue(self, job: Job, reply: Reply) -> None:
        try:
            # kombu publishes synchronously: in a thread, so that a Redis that stopped answering
            # stalls this request only, not the event loop (~0.45 ms more per run than inline).
            await asyncio.to_thread(
                self.celery.send_task,
                TASK,
                args=[encode_job(job, reply)],
                retry=False,
                # What Celery logs of a task. Its default, a repr of the arguments, would put the
                # user's code in the worker's logs, and costs ~0.3 ms per run.
                argsrepr=f"(run {job.id},)",
                kwargsrepr="{}",
            )
        except (KombuError, RedisError, OSError) as error:
            raise _unreachable(error) from error
        self._depth.enqueued()

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

    async def observe(self) -> None:
        try:
            workers = await self.workers()
            QUEUE_DEPTH.set(await self.waiting())
        except RedisError:
            return  # the gauges keep their last values; /health says Redis is down
        WORKERS.set(len(workers))
        WORKERS_BUSY.set(sum(worker["busy"] for worker in workers))


def _unreachable(error: Exception) -> Unavailable:
    return Unavailable(f"The run queue is unreachable ({type(error).__name__}); try again shortly.")
