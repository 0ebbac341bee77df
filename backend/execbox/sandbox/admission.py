"""Which programs may start: at most `capacity` alive at once, the rest first come first served.

A run that will not wait is refused at once when none is free, or when others already wait: it
never overtakes them. Once the engine stops admitting (a graceful shutdown), runs still waiting
and runs asked for later are refused, while the ones alive finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

from execbox.sandbox.errors import SandboxBusy, SandboxClosed, SandboxFull


class Admission:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.alive = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._refusal: str | None = None  # why nothing starts any more, once it is so

    def enter_now(self) -> None:
        """Start now, or raise `SandboxFull`."""
        self._check_open()
        if self.alive >= self.capacity or self._waiting:
            raise SandboxFull(f"all {self.capacity} sandboxes are in use")
        self.alive += 1

    async def enter(self, start_by: float | None = None) -> None:
        """Start once it is this run's turn; `SandboxBusy` if that is after `start_by` (a
        `time.time()`)."""
        self._check_open()
        if self.alive < self.capacity and not self._waiting:
            self.alive += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            # The turn is handed over counted: `leave` of the run before keeps `alive` as is.
            await asyncio.wait_for(turn, None if start_by is None else start_by - time.time())
        except TimeoutError:
            raise SandboxBusy("no sandbox came free before the run's start deadline") from None
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled() and turn.exception() is None:
                self.leave()  # handed over just as its run gave up: to the next one
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiting.remove(turn)

    def leave(self) -> None:
        """A run admitted has ended: its turn goes to the first still waiting."""
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.alive -= 1

    def refuse_new(self, reason: str) -> None:
        """From now on nothing starts: the runs waiting and those asked for later raise
        `SandboxClosed(reason)`; the runs alive go on."""
        self._refusal = reason
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_exception(SandboxClosed(reason))

    def _check_open(self) -> None:
        if self._refusal is not None:
            raise SandboxClosed(self._refusal)
