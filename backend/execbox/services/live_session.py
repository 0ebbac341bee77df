"""A live run as the services see it: text out as the program writes it; stdin and stop in.

The engine speaks bytes (`LiveIO`); a session turns its output into text: UTF-8 decoded per
stream without ever splitting a character, and stderr cleaned of host paths by the runner that
knows them. Relays that receive text already clean (queue mode) hand it to `emit` directly.
"""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import AsyncIterator, Callable

from execbox.sandbox.live import LiveIO, OutputStream

OutputSink = Callable[[OutputStream, str], None]


def _unchanged(text: str) -> str:
    return text


class LiveSession:
    def __init__(self, on_output: OutputSink) -> None:
        self.emit = on_output
        self.io = LiveIO(self._on_bytes)
        # Set by the runner that runs the program, which knows the runtime's host paths.
        self.clean_stderr: Callable[[str], str] = _unchanged
        self._decoders: dict[OutputStream, codecs.IncrementalDecoder] = {
            "stdout": codecs.getincrementaldecoder("utf-8")(errors="replace"),
            "stderr": codecs.getincrementaldecoder("utf-8")(errors="replace"),
        }
        self.stdin_chars = 0
        self._typed: list[str] = []  # bounded by the stream's stdin limit

    @property
    def typed_stdin(self) -> str:
        """All the input sent during the run, in order."""
        return "".join(self._typed)

    def send_stdin(self, text: str) -> None:
        self.stdin_chars += len(text)
        self._typed.append(text)
        self.io.send_stdin(text.encode())

    def close_stdin(self) -> None:
        self.io.close_stdin()

    def stop(self) -> None:
        self.io.stop()

    def flush(self) -> None:
        """The end of the run: what the decoders still hold (an unfinished character)."""
        for stream in self._decoders:
            self._on_bytes(stream, b"", final=True)

    def _on_bytes(self, stream: OutputStream, data: bytes, final: bool = False) -> None:
        text = self._decoders[stream].decode(data, final)
        if text:
            self.emit(stream, self.clean_stderr(text) if stream == "stderr" else text)


class Outbox:
    """Output waiting to be passed on, merged while it waits: a slow consumer gets fewer,
    larger pieces instead of a growing backlog of small ones (its size is bounded by the
    run's output limits)."""

    def __init__(self) -> None:
        self._pieces: list[tuple[OutputStream, list[str]]] = []
        self._ready = asyncio.Event()
        self._closed = False

    def put(self, stream: OutputStream, text: str) -> None:
        if self._pieces and self._pieces[-1][0] == stream:
            self._pieces[-1][1].append(text)
        else:
            self._pieces.append((stream, [text]))
        self._ready.set()

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    async def batches(self) -> AsyncIterator[list[tuple[OutputStream, str]]]:
        """Everything put so far, as it comes, until closed and empty."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            pieces, self._pieces = self._pieces, []
            if pieces:
                yield [(stream, "".join(texts)) for stream, texts in pieces]
            if self._closed and not self._pieces:
                return
