"""QueueDepth answers at once, reads Redis in the background at most every max_age_s, and a reading
that raced with this node's own enqueues never raises its estimate.

The queue's length comes from a small stand-in whose readings the test releases one by one, so each
interleaving is exact; tests/queue/test_full_queue.py checks the guard against a real Redis."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from execbox.queue.depth import QueueDepth

P = ParamSpec("P")


class Lengths:
    """A queue length that answers only when the test says what it is."""

    def __init__(self) -> None:
        self.asked = 0
        self._answers: asyncio.Queue[int | Exception] = asyncio.Queue()

    async def __call__(self) -> int:
        self.asked += 1
        answer = await self._answers.get()
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def answer(self, length: int | Exception) -> None:
        self._answers.put_nowait(length)
        await settle()


async def settle() -> None:
    """Lets the readings started so far run as far as they can."""
    for _ in range(5):
        await asyncio.sleep(0)


def in_event_loop(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


@in_event_loop
async def test_the_estimate_starts_at_zero_and_follows_a_reading_taken_in_the_background() -> None:
    lengths = Lengths()
    depth = QueueDepth(lengths, max_age_s=60)
    assert depth.estimate() == 0  # answered without waiting for Redis
    await settle()
    assert depth.estimate() == 0
    await lengths.answer(7)
    assert lengths.asked == 1  # one reading in flight at a time
    assert depth.estimate() == 7
    assert lengths.asked == 1  # fresh: no new reading


@in_event_loop
async def test_a_stale_estimate_starts_one_new_reading() -> None:
    lengths = Lengths()
    depth = QueueDepth(lengths, max_age_s=0)
    depth.estimate()
    await lengths.answer(3)
    assert depth.estimate() == 3
    assert depth.estimate() == 3
    await settle()
    assert lengths.asked == 2
    await lengths.answer(1)
    assert depth.estimate() == 1


@in_event_loop
async def test_own_enqueues_count_until_a_clean_reading_replaces_them() -> None:
    lengths = Lengths()
    depth = QueueDepth(lengths, max_age_s=0)
    depth.estimate()
    await lengths.answer(0)
    depth.enqueued()
    depth.enqueued()
    assert depth.estimate() == 2  # and a reading starts, with no enqueue during it
    await lengths.answer(0)  # a worker took both
    assert depth.estimate() == 0


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (0, 1),  # taken before the enqueue reached Redis: the enqueue still counts
        (1, 1),  # taken after: the enqueue is not counted twice
        (5, 1),  # other nodes enqueued too: a raced reading does not raise the estimate...
    ],
)
@in_event_loop
async def test_a_reading_that_raced_with_an_enqueue_never_raises_the_estimate(
    length: int, expected: int
) -> None:
    lengths = Lengths()
    depth = QueueDepth(lengths, max_age_s=0)
    depth.estimate()  # a reading starts
    depth.enqueued()  # and this node enqueues while it is in flight
    await lengths.answer(length)
    assert depth.estimate() == expected
    await lengths.answer(length)  # ...the next, clean reading does
    assert depth.estimate() == length


@in_event_loop
async def test_read_waits_for_a_fresh_number_only_when_the_last_is_stale() -> None:
    lengths = Lengths()
    depth = QueueDepth(lengths, max_age_s=60)
    reading = asyncio.ensure_future(depth.read())
    await lengths.answer(4)
    assert await reading == 4
    assert await depth.read() == 4  # fresh: Redis is not asked again
    assert lengths.asked == 1


@in_event_loop
async def test_a_failed_reading_keeps_the_estimate_and_read_reports_the_failure() -> None:
    lengths = Lengths()
    depth = QueueDepth(lengths, max_age_s=60)
    depth.enqueued()
    depth.estimate()
    await lengths.answer(RedisConnectionError("refused"))  # in the background: swallowed
    assert depth.estimate() == 1  # unchanged, and a new reading starts at once
    await settle()
    assert lengths.asked == 2
    reading = asyncio.ensure_future(depth.read())  # joins it: Redis is not asked a third time
    await lengths.answer(RedisConnectionError("refused"))
    with pytest.raises(RedisConnectionError):
        await reading
    assert lengths.asked == 2
