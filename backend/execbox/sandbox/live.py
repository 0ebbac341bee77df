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


class LiveIO:
    def __init__(
        self,
        on_output: Callable[[OutputStream, bytes], None],
        on_waiting: Callable[[bool], None] | None = None,
    ) -> None:
        # Called with each piece of output as it is read (within the run's output limits).
        self.on_output = on_output
        # Called when the program starts (True) or stops (False) being blocked reading stdin.
        self.on_waiting = on_waiting or _ignore
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
