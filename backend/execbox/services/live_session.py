"""A live run as the services see it: its place in line until it starts, then text out as the
program writes it, and when it waits for input; stdin and stop in.

The engine speaks bytes (`LiveIO`); a session turns its output into text: UTF-8 decoded per
stream without ever splitting a character, and stderr cleaned of host paths by the runner that
knows them. Relays that receive text already clean (queue mode) hand it to `emit` directly.
"""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal

from execbox.sandbox.live import LiveIO, OutputStream

QueueReason = Literal["server_full", "client_share"]
OutputSink = Callable[[OutputStream, str], None]
WaitingSink = Callable[[bool], None]


@dataclass(frozen=True, slots=True)
class InputWanted:
    """The program started (or stopped) waiting for input: blocked reading its stdin."""

    waiting: bool


@dataclass(frozen=True, slots=True)
class Queued:
    """The run waits for its turn: `position` runs start before it."""

    position: int
    reason: QueueReason


@dataclass(frozen=True, slots=True)
class Started:
    """The run got its sandbox."""


LiveEvent = tuple[OutputStream, str] | InputWanted | Queued | Started


def _unchanged(text: str) -> str:
    return text


def _ignore(event: object) -> None:
    pass


class LiveSession:
    def __init__(
        self,
        on_output: OutputSink,
        on_waiting: WaitingSink = _ignore,
        on_queue: Callable[[Queued | Started], None] = _ignore,
    ) -> None:
        self.emit = on_output
        # Also called by relays that learn it from elsewhere (queue mode).
        self.waiting_for_input = on_waiting
        self._on_queue = on_queue
        self.has_started = False
        self.io = LiveIO(
            self._on_bytes,
            on_waiting,
            on_queued=lambda position: self.queued(position, "server_full"),
            on_started=self.mark_started,
        )
        # Set by the runner that runs the program, which knows the runtime's host paths.
        self.clean_stderr: Callable[[str], str] = _unchanged
        self._decoders: dict[OutputStream, codecs.IncrementalDecoder] = {
            "stdout": codecs.getincrementaldecoder("utf-8")(errors="replace"),
            "stderr": codecs.getincrementaldecoder("utf-8")(errors="replace"),
        }
        self.stdin_chars = 0
        self._typed: list[str] = []  # bounded by the stream's stdin limit

    def queued(self, position: int, reason: QueueReason) -> None:
        """The run waits for its turn (also called by the services and relays)."""
        self._on_queue(Queued(position, reason))

    def mark_started(self) -> None:
        """The run got its sandbox (also called by relays that learn it from elsewhere)."""
        if not self.has_started:
            self.has_started = True
            self._on_queue(Started())

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
    """Output, input-wanted changes and places in line waiting to be passed on, in order, merged
    while they wait: a slow consumer gets fewer, larger pieces instead of a growing backlog of
    small ones (its size is bounded by the run's output limits), and only the last of successive
    changes."""

    def __init__(self) -> None:
        self._pieces: list[tuple[OutputStream, list[str]] | InputWanted | Queued | Started] = []
        self._ready = asyncio.Event()
        self._closed = False

    def put(self, stream: OutputStream, text: str) -> None:
        last = self._pieces[-1] if self._pieces else None
        if isinstance(last, tuple) and last[0] == stream:
            last[1].append(text)
        else:
            self._pieces.append((stream, [text]))
        self._ready.set()

    def put_waiting(self, waiting: bool) -> None:
        self._put_latest(InputWanted(waiting))

    def put_queue(self, event: Queued | Started) -> None:
        self._put_latest(event)

    def _put_latest(self, event: InputWanted | Queued | Started) -> None:
        """`event`, in place of the one before if that was of its kind (only the last counts)."""
        if self._pieces and type(self._pieces[-1]) is type(event):
            self._pieces.pop()
        self._pieces.append(event)
        self._ready.set()

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    async def batches(self) -> AsyncIterator[list[LiveEvent]]:
        """Everything put so far, as it comes, until closed and empty."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            pieces, self._pieces = self._pieces, []
            if pieces:
                yield [
                    (piece[0], "".join(piece[1])) if isinstance(piece, tuple) else piece for piece in pieces
                ]
            if self._closed and not self._pieces:
                return
