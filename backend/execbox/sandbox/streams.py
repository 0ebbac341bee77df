"""Non-blocking pipe I/O for the event loop, with hard caps so a run can never flood the host."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from execbox.sandbox.futures import resolve
from execbox.sandbox.live import OutputStream

_CHUNK = 64 * 1024


class CappedPipeReader:
    """Reads a pipe to its end, keeping at most `cap` bytes; `on_overflow` fires once past it.

    `on_chunk`, when given, sees each kept piece as soon as it is read."""

    def __init__(
        self,
        fd: int,
        cap: int,
        on_overflow: Callable[[], None],
        on_chunk: Callable[[OutputStream, bytes], None] | None = None,
        stream: OutputStream = "stdout",
    ) -> None:
        self._fd = fd
        self._cap = cap
        self._on_overflow = on_overflow
        self._on_chunk = on_chunk
        self._stream: OutputStream = stream
        self._loop = asyncio.get_running_loop()
        self.data = bytearray()
        self.truncated = False
        self.finished: asyncio.Future[None] = self._loop.create_future()
        os.set_blocking(fd, False)
        self._loop.add_reader(fd, self._on_readable)

    def _on_readable(self) -> None:
        try:
            chunk = os.read(self._fd, _CHUNK)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.close()
            return
        room = self._cap - len(self.data)
        kept = chunk[:room]
        if kept:
            self.data += kept
            if self._on_chunk is not None:
                self._on_chunk(self._stream, kept)
        if len(chunk) > room and not self.truncated:
            self.truncated = True
            self._on_overflow()

    def close(self) -> None:
        if not self.finished.done():
            self._loop.remove_reader(self._fd)
            self.finished.set_result(None)

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


async def write_all(fd: int, data: bytes) -> None:
    """Feed a child's stdin; a child that exits without reading it is not an error."""
    loop = asyncio.get_running_loop()
    view = memoryview(data)
    try:
        os.set_blocking(fd, False)
        while view:
            try:
                written = os.write(fd, view[:_CHUNK])
                view = view[written:]
            except BlockingIOError:
                writable: asyncio.Future[None] = loop.create_future()
                loop.add_writer(fd, resolve, writable, None)
                try:
                    await writable
                finally:
                    loop.remove_writer(fd)
    except (BrokenPipeError, ConnectionResetError):
        pass
