"""The host's end of a child's report pipe: frames parsed as they arrive on the event loop.

Every frame is bounded by its kind before its body is read (a display by what is left of the
run's results budget, a report by its fixed maximum), and decoding is linear, so whatever a
program writes costs the host at most its limits allow, in memory and in time. The first frame
that breaks the rules ends the reading and is kept as the run's `ChannelProblem`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from execbox.sandbox.futures import reject, resolve
from execbox.sandbox.guest.frames import (
    DISPLAY_HEAD,
    HEADER,
    MAX_REPORT,
    MAX_SETUP_FAILURE,
    BadFrame,
    Kind,
    Report,
    decode_display,
    decode_report,
    decode_setup_failure,
)
from execbox.sandbox.result import RichResult, RunStatus

_CHUNK = 64 * 1024
_SETUP_LIMITS: dict[int, int] = {Kind.READY: 0, Kind.SETUP_FAILED: MAX_SETUP_FAILURE}
# Said of every broken frame: the program, not the runner, wrote it.
_FORGED = "The program wrote to the sandbox's report pipe something the runner never sends"


@dataclass(frozen=True, slots=True)
class ChannelProblem:
    status: RunStatus  # OUTPUT_LIMIT or INTERNAL_ERROR
    reason: str  # a sentence for the user


@dataclass
class RunReports:
    """What a run said on its report pipe: rich results in order, then one report."""

    budget: int
    max_results: int
    results: list[RichResult] = field(default_factory=list)
    report: Report | None = None
    problem: ChannelProblem | None = None


class SetupFailed(Exception):
    """The child could not become ready; the message is its own account, or why not."""


class ReportChannel:
    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._loop = asyncio.get_running_loop()
        self._buffer = bytearray()
        self._reading = False
        self._ready: asyncio.Future[None] | None = None
        self._run: RunReports | None = None
        self._on_problem: Callable[[], None] = lambda: None
        self._on_report: Callable[[], None] = lambda: None
        os.set_blocking(fd, False)

    async def wait_until_ready(self) -> None:
        """The child's first frame: raises `SetupFailed` unless it says the child is ready."""
        self._ready = self._loop.create_future()
        self._start_reading()
        try:
            await self._ready
        finally:
            self._stop_reading()

    def listen_to_run(
        self, budget: int, max_results: int, on_problem: Callable[[], None], on_report: Callable[[], None]
    ) -> RunReports:
        """Collect the run's frames from now on; `on_problem` is called at the first bad one,
        `on_report` once the report is in."""
        self._run = RunReports(budget, max_results)
        self._on_problem = on_problem
        self._on_report = on_report
        self._start_reading()
        return self._run

    def drain(self) -> None:
        """Read now what the pipe holds: once the child is stopped or dead, all it wrote."""
        while self._reading and self._read_once():
            pass

    def close(self) -> None:
        self._stop_reading()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = -1

    def _start_reading(self) -> None:
        if not self._reading and self._fd >= 0:
            self._reading = True
            self._loop.add_reader(self._fd, self._read_once)

    def _stop_reading(self) -> None:
        if self._reading:
            self._reading = False
            self._loop.remove_reader(self._fd)

    def _read_once(self) -> bool:
        """One read and the frames it completes; False once there is nothing more to read now."""
        try:
            chunk = os.read(self._fd, _CHUNK)
        except BlockingIOError:
            return False
        except OSError:
            chunk = b""
        if not chunk:
            self._end_of_file()
            return False
        self._buffer += chunk
        self._parse()
        return self._reading

    def _parse(self) -> None:
        while self._reading and len(self._buffer) >= HEADER.size:
            length, kind = HEADER.unpack_from(self._buffer)
            try:
                self._check_size(kind, length)
            except BadFrame as error:
                self._fail(error)
                return
            end = HEADER.size + length
            if len(self._buffer) < end:
                return
            body = bytes(self._buffer[HEADER.size : end])
            del self._buffer[:end]
            try:
                self._deliver(kind, body)
            except BadFrame as error:
                self._fail(error)

    def _check_size(self, kind: int, length: int) -> None:
        if self._run is None:
            limit = _SETUP_LIMITS.get(kind)
        elif kind == Kind.DISPLAY:
            if length > DISPLAY_HEAD + self._run.budget:
                raise _OverLimit(f"of {length - DISPLAY_HEAD} bytes, more than the {self._run.budget} left")
            return
        else:
            limit = MAX_REPORT if kind == Kind.REPORT else None
        if limit is None:
            raise BadFrame(f"a frame of kind {kind}, unknown here")
        if length > limit:
            raise BadFrame(f"a frame of kind {kind} and {length} bytes, over its limit of {limit}")

    def _deliver(self, kind: int, body: bytes) -> None:
        if self._run is None:
            self._stop_reading()
            assert self._ready is not None
            if kind == Kind.READY:
                resolve(self._ready, None)
            else:
                reject(self._ready, SetupFailed(decode_setup_failure(body)))
            return
        run = self._run
        if kind == Kind.REPORT:
            run.report = decode_report(body)
            self._stop_reading()  # nothing after the report counts
            self._on_report()
            return
        if len(run.results) >= run.max_results:
            raise _OverLimit(f"beyond the run's limit of {run.max_results} results")
        run.results.append(decode_display(body))
        run.budget -= len(body) - DISPLAY_HEAD

    def _fail(self, error: BadFrame) -> None:
        self._stop_reading()
        self._buffer.clear()
        if self._run is None:
            if self._ready is not None:
                reject(self._ready, SetupFailed(f"the child sent a broken frame: {error}"))
            return
        if isinstance(error, _OverLimit):
            problem = ChannelProblem(
                RunStatus.OUTPUT_LIMIT, f"The program sent a rich result {error}; the run was stopped."
            )
        else:
            problem = ChannelProblem(RunStatus.INTERNAL_ERROR, f"{_FORGED} ({error}); the run was stopped.")
        self._run.problem = problem
        self._on_problem()

    def _end_of_file(self) -> None:
        self._stop_reading()
        if self._ready is not None:
            reject(self._ready, SetupFailed("the child closed its report pipe before it was ready"))


class _OverLimit(BadFrame):
    """A well-formed result the run's limits leave no room for."""
