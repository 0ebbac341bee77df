"""How many runs wait in the queue, as one API node knows it, for its "queue full" guard."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError


class QueueDepth:
    """The queue's length as last read from Redis, plus the runs this node enqueued since.

    Accepting a run needs no round trip (~0.5 ms of its latency): `estimate` answers at once
    and starts a reading in the background when the last is older than `max_age_s`. Refusing one
    does: `read` makes sure the number is that fresh, so a queue that has drained since is never
    reported full.

    A reading taken while this node enqueued cannot tell whether it counted those runs: it may
    then lower the estimate (to the reading plus those runs), never raise it.
    """

    def __init__(self, length: Callable[[], Awaitable[int]], max_age_s: float) -> None:
        self._length = length
        self._max_age_s = max_age_s
        self._estimate = 0
        self._enqueued = 0  # by this node, since it started
        self._read_at = -math.inf
        self._reading: asyncio.Task[int] | None = None

    def estimate(self) -> int:
        if self._reading is None and self._stale():
            self._start_reading().add_done_callback(_retrieve_error)
        return self._estimate

    async def read(self) -> int:
        """At most `max_age_s` old. Raises RedisError when Redis cannot be read."""
        if self._reading is None and not self._stale():
            return self._estimate
        return await asyncio.shield(self._reading or self._start_reading())

    def enqueued(self) -> None:
        self._enqueued += 1
        self._estimate += 1

    def _stale(self) -> bool:
        return time.monotonic() - self._read_at >= self._max_age_s

    def _start_reading(self) -> asyncio.Task[int]:
        self._reading = asyncio.get_running_loop().create_task(self._read(self._enqueued))
        return self._reading

    async def _read(self, enqueued_before: int) -> int:
        started = time.monotonic()
        try:
            length = await self._length()
        finally:
            self._reading = None
        raced = self._enqueued - enqueued_before
        self._estimate = length if raced == 0 else min(self._estimate, length + raced)
        self._read_at = started
        return self._estimate


def _retrieve_error(reading: asyncio.Task[int]) -> None:
    """A background reading that failed leaves the estimate as it was; the enqueue that follows
    meets the same outage and reports it."""
    if not reading.cancelled():
        with contextlib.suppress(RedisError):
            reading.result()
