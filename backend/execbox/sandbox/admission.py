"""Which programs may start: at most `capacity` alive at once, the rest in turn, fairly.

Runs that wait are queued per client (an opaque key the caller gives) and served round-robin
across clients, first come first served within one client: a client's burst of runs cannot push
back another client's single run. A waiter may follow its place (`on_position`: how many runs
start before it). A run that will not wait is refused at once when none is free, or when others
already wait: it never overtakes them. Once the engine stops admitting (a graceful shutdown), runs
still waiting and runs asked for later are refused, while the ones alive finish.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from execbox.sandbox.errors import SandboxBusy, SandboxClosed, SandboxFull

PositionSink = Callable[[int], None]


def _ignore(position: int) -> None:
    pass


@dataclass(eq=False, slots=True)
class _Waiter:
    client: str
    on_position: PositionSink
    turn: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    told: int | None = None  # the position last told


class Admission:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.alive = 0
        # Clients in the order they are served next; each with its runs waiting, oldest first.
        self._queues: dict[str, deque[_Waiter]] = {}
        self._refusal: str | None = None  # why nothing starts any more, once it is so

    @property
    def waiting(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def enter_now(self) -> None:
        """Start now, or raise `SandboxFull`."""
        self._check_open()
        if self.alive >= self.capacity or self._queues:
            raise SandboxFull(f"all {self.capacity} sandboxes are in use")
        self.alive += 1

    async def enter(
        self, start_by: float | None = None, client: str = "", on_position: PositionSink | None = None
    ) -> None:
        """Start once it is this run's turn; `SandboxBusy` if that is after `start_by` (a
        `time.time()`). While it waits, `on_position` hears each change of its place."""
        self._check_open()
        if self.alive < self.capacity and not self._queues:
            self.alive += 1
            return
        waiter = _Waiter(client, on_position or _ignore)
        self._queues.setdefault(client, deque()).append(waiter)
        self._tell_positions()
        try:
            # The turn is handed over counted: `leave` of the run before keeps `alive` as is.
            timeout = None if start_by is None else start_by - time.time()
            await asyncio.wait_for(asyncio.shield(waiter.turn), timeout)
        except TimeoutError:
            self._drop(waiter)
            raise SandboxBusy("no sandbox came free before the run's start deadline") from None
        except asyncio.CancelledError:
            self._drop(waiter)
            raise

    def leave(self) -> None:
        """A run admitted has ended: its turn goes to the next waiting, round-robin by client."""
        if not self._queues:
            self.alive -= 1
            return
        client, queue = next(iter(self._queues.items()))
        waiter = queue.popleft()
        del self._queues[client]
        if queue:
            self._queues[client] = queue  # to the back of the round
        waiter.turn.set_result(None)
        self._tell_positions()

    def refuse_new(self, reason: str) -> None:
        """From now on nothing starts: the runs waiting and those asked for later raise
        `SandboxClosed(reason)`; the runs alive go on."""
        self._refusal = reason
        waiters = [waiter for queue in self._queues.values() for waiter in queue]
        self._queues.clear()
        for waiter in waiters:
            waiter.turn.set_exception(SandboxClosed(reason))

    def _drop(self, waiter: _Waiter) -> None:
        """A waiter gave up (cancelled, or past its deadline). If its turn came meanwhile, the
        turn goes on to the next one; else it leaves its queue."""
        if waiter.turn.done():
            if not waiter.turn.cancelled() and waiter.turn.exception() is None:
                self.leave()
            return
        waiter.turn.cancel()
        queue = self._queues.get(waiter.client)
        if queue is not None:
            queue.remove(waiter)
            if not queue:
                del self._queues[waiter.client]
        self._tell_positions()

    def _in_turn_order(self) -> Iterator[_Waiter]:
        """The waiters in the order they will start if nobody else comes: one per client a round."""
        rounds = itertools.zip_longest(*self._queues.values())
        return (waiter for round_ in rounds for waiter in round_ if waiter is not None)

    def _tell_positions(self) -> None:
        for position, waiter in enumerate(self._in_turn_order()):
            if waiter.told != position:
                waiter.told = position
                waiter.on_position(position)

    def _check_open(self) -> None:
        if self._refusal is not None:
            raise SandboxClosed(self._refusal)
