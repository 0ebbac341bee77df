"""The interactive side of a run: its output as it is read, stdin as it is typed, a stop button.

The engine reads from and writes to a `LiveIO` on its own event loop; whoever drives the run
(a WebSocket, a queue worker relaying Redis) calls its methods from that same loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

OutputStream = Literal["stdout", "stderr"]


def _ignore(waiting: bool) -> None:
    pass


def _ignore_position(position: int) -> None:
    pass


def _nothing() -> None:
    pass


class LiveIO:
    def __init__(
        self,
        on_output: Callable[[OutputStream, bytes], None],
        on_waiting: Callable[[bool], None] | None = None,
        on_queued: Callable[[int], None] | None = None,
        on_started: Callable[[], None] | None = None,
    ) -> None:
        # Called with each piece of output as it is read (within the run's output limits).
        self.on_output = on_output
        # Called when the program starts (True) or stops (False) being blocked reading stdin.
        self.on_waiting = on_waiting or _ignore
        # Called while the run waits for a sandbox, with each change of how many start before it.
        self.on_queued = on_queued or _ignore_position
        # Called once, as the run gets its sandbox.
        self.on_started = on_started or _nothing
        self._stdin: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.stopped = asyncio.Event()

    def send_stdin(self, data: bytes) -> None:
        self._stdin.put_nowait(data)

    def close_stdin(self) -> None:
        self._stdin.put_nowait(None)

    def stop(self) -> None:
        self.stopped.set()

    async def next_stdin(self) -> bytes | None:
        """The next piece of stdin, or None once it is closed."""
        return await self._stdin.get()
