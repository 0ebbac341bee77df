"""One run on a ready child: hand over the code, collect output and accounting, judge the end.

What decides the verdict comes from the kernel and the host (wait status, cgroup counters, our
own clocks); the child's own report is believed only about the user's program (its exception,
exit code and displayed results), because user code could forge it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from execbox.sandbox.cgroups import Usage
from execbox.sandbox.child_handle import ChildHandle
from execbox.sandbox.errors import SandboxInternalError
from execbox.sandbox.guest.protocol import MAX_REPORT_FRAME, RunRequest, frame
from execbox.sandbox.limits import RunLimits
from execbox.sandbox.live import LiveIO
from execbox.sandbox.result import (
    CapturedOutput,
    ErrorInfo,
    RichResult,
    RunResult,
    RunStatus,
    is_result_mime,
)
from execbox.sandbox.streams import CappedPipeReader, read_frame, write_all

_DRAIN_TIMEOUT_S = 5.0
_EXIT_STATUS_TIMEOUT_S = 5.0
_CPU_KILL_SIGNALS = (signal.SIGKILL, signal.SIGXCPU)
# A frame's JSON may spell each byte of its data as a six-character escape.
_JSON_ESCAPE_GROWTH = 6


@dataclass
class _Ending:
    report: dict[str, Any] | None = None
    timed_out: bool = False
    stopped: bool = False
    output_overflow: bool = False
    wait_status: int | None = None
    results: list[RichResult] = field(default_factory=list)


async def execute(
    child: ChildHandle,
    code: str,
    stdin: bytes,
    limits: RunLimits,
    max_results: int,
    live: LiveIO | None = None,
) -> RunResult:
    loop = asyncio.get_running_loop()
    ending = _Ending()

    def stop_for_output() -> None:
        ending.output_overflow = True
        child.group.kill()

    try:
        child.group.limit_memory(limits.memory_mb << 20)
        child.group.start_measuring()
    except OSError as error:
        raise SandboxInternalError(f"cannot set the run's cgroup limits: {error}") from error
    request: RunRequest = {
        "code": code,
        "cpu_time_s": limits.cpu_time_s,
        "memory_bytes": limits.memory_mb << 20,
        "live": live is not None,
        "result_bytes": limits.results_bytes,
        "max_results": max_results,
    }
    # Registered only now, and always unregistered below: a reader left on the event loop
    # would keep watching a descriptor number the next child's pipe may reuse.
    on_output = live.on_output if live is not None else None
    stdout = CappedPipeReader(child.stdout_fd, limits.output_bytes, stop_for_output, on_output, "stdout")
    stderr = CappedPipeReader(child.stderr_fd, limits.output_bytes, stop_for_output, on_output, "stderr")
    results = _ResultCollector(ending, limits.results_bytes, max_results, stop_for_output)
    helpers: list[asyncio.Task[Any]] = []
    try:
        started = time.perf_counter()
        child.control_writer.write(frame(request))
        helpers.append(loop.create_task(_feed_stdin(child, stdin, live)))
        reporter = loop.create_task(_read_report(child, results))
        helpers.append(reporter)
        ending_signals: set[asyncio.Future[Any]] = {reporter, child.exited}
        if live is not None:
            stop_request = loop.create_task(live.stopped.wait())
            helpers.append(stop_request)
            ending_signals.add(stop_request)
        done, _ = await asyncio.wait(
            ending_signals, timeout=limits.wall_time_s, return_when=asyncio.FIRST_COMPLETED
        )
        finished = time.perf_counter()
        if not done:
            ending.timed_out = True
        elif not (done & {reporter, child.exited}):
            ending.stopped = True
        # The program's end is the run's end: nothing it started may outlive it.
        child.group.kill()
        if not ending.timed_out:
            # Even when the exit was seen first, a report the child sent before it is kept.
            with contextlib.suppress(TimeoutError):
                ending.report = await asyncio.wait_for(reporter, _EXIT_STATUS_TIMEOUT_S)
        await _drain(stdout, stderr)
        if ending.report is None:
            ending.wait_status = await _wait_status(child)
        usage = child.group.usage()
    finally:
        for task in helpers:
            task.cancel()
        stdout.close()
        stderr.close()
    return _judge(ending, usage, limits, stdout, stderr, (finished - started) * 1000)


class _ResultCollector:
    """Keeps the results the child displays, within the run's count and size limits."""

    def __init__(
        self, ending: _Ending, budget: int, max_results: int, on_overflow: Callable[[], None]
    ) -> None:
        self._ending = ending
        self._left = budget
        self._max_results = max_results
        self._on_overflow = on_overflow

    @property
    def frame_limit(self) -> int:
        return MAX_REPORT_FRAME + _JSON_ESCAPE_GROWTH * self._left

    def add(self, message: dict[str, Any]) -> None:
        mime, data = message.get("mime"), message.get("data")
        if not is_result_mime(mime) or not isinstance(data, str):
            return
        # JSON lets the child send lone surrogates, which no UTF-8 consumer downstream accepts.
        encoded = data.encode(errors="surrogatepass")
        size = len(encoded)
        if size > self._left or len(self._ending.results) >= self._max_results:
            self._on_overflow()
            return
        self._left -= size
        self._ending.results.append(RichResult(mime, encoded.decode(errors="replace")))


async def _feed_stdin(child: ChildHandle, data: bytes, live: LiveIO | None) -> None:
    """Writes the request's stdin, then (in a live run) what the client types until it closes."""
    try:
        if data:
            await write_all(child.stdin_fd, data)
        while live is not None and child.stdin_fd >= 0:
            more = await live.next_stdin()
            if more is None:
                break
            await write_all(child.stdin_fd, more)
    finally:
        child.close_stdin()


async def _read_report(child: ChildHandle, results: _ResultCollector) -> dict[str, Any] | None:
    """The child's displayed results (kept in `results`), then its final report."""
    try:
        while True:
            message = await read_frame(child.control_reader, results.frame_limit)
            if message.get("type") != "display":
                return message
            results.add(message)
    except (asyncio.IncompleteReadError, ValueError, ConnectionError):
        # No (valid) report: the child died first, or the program scribbled on the channel.
        await asyncio.shield(child.exited)
        return None


async def _drain(*readers: CappedPipeReader) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(r.finished for r in readers)), _DRAIN_TIMEOUT_S)


async def _wait_status(child: ChildHandle) -> int | None:
    try:
        return await asyncio.wait_for(asyncio.shield(child.exited), _EXIT_STATUS_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - the template is gone: the verdict becomes internal_error
        return None


def _error_info(report: dict[str, Any] | None) -> ErrorInfo | None:
    error = report.get("error") if report else None
    if not isinstance(error, dict):
        return None
    line = error.get("line")
    return ErrorInfo(
        type=str(error.get("type", ""))[:200],
        message=str(error.get("message", ""))[:2000],
        line=line if isinstance(line, int) and not isinstance(line, bool) else None,
    )


def _reported_exit_code(report: dict[str, Any] | None) -> int | None:
    code = report.get("exit_code") if report else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _signal_name(number: int | None) -> str | None:
    if number is None:
        return None
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"SIG{number}"


def _judge(
    ending: _Ending,
    usage: Usage,
    limits: RunLimits,
    stdout: CappedPipeReader,
    stderr: CappedPipeReader,
    wall_ms: float,
) -> RunResult:
    error = _error_info(ending.report)
    exit_code = _reported_exit_code(ending.report)
    signal_number: int | None = None
    if ending.wait_status is not None:
        if os.WIFSIGNALED(ending.wait_status):
            signal_number = os.WTERMSIG(ending.wait_status)
        else:
            exit_code = os.waitstatus_to_exitcode(ending.wait_status)
    cpu_ms = usage.cpu_ns / 1e6
    if ending.output_overflow:
        status = RunStatus.OUTPUT_LIMIT
    elif ending.timed_out:
        status = RunStatus.TIMEOUT
    elif ending.stopped:
        status = RunStatus.STOPPED
    elif usage.oom_kills > 0 or (error is not None and error.type == "MemoryError"):
        status = RunStatus.MEMORY_LIMIT
    elif signal_number in _CPU_KILL_SIGNALS and cpu_ms >= limits.cpu_time_s * 1000 * 0.9:
        status = RunStatus.TIMEOUT
    elif exit_code is None and signal_number is None:
        status = RunStatus.INTERNAL_ERROR
    elif exit_code == 0:
        status = RunStatus.SUCCESS
    else:
        status = RunStatus.RUNTIME_ERROR
    return RunResult(
        status=status,
        exit_code=exit_code,
        signal=_signal_name(signal_number),
        stdout=CapturedOutput(stdout.text(), stdout.truncated),
        stderr=CapturedOutput(stderr.text(), stderr.truncated),
        error=error,
        wall_ms=round(wall_ms, 3),
        cpu_ms=round(cpu_ms, 3),
        memory_kb=usage.memory_peak_bytes // 1024,
        results=tuple(ending.results),
    )
