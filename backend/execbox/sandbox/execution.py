"""One run on a ready child: hand over the code, collect output and accounting, judge the end.

What decides the verdict comes from the kernel and the host: the wait status, cgroup counters,
our own clocks. A finished program reports how it ended and then stops itself; the report is
believed only when the kernel says the child is stopped, not dead of a signal, and then only
about the user's own program (its exception, exit code and displayed results). A child that
exits instead is judged by its wait status alone, whatever it reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from execbox.sandbox.cgroups import Usage
from execbox.sandbox.child_handle import ChildHandle
from execbox.sandbox.errors import SandboxInternalError
from execbox.sandbox.guest.frames import Report
from execbox.sandbox.guest.input_files import InputFile
from execbox.sandbox.guest.protocol import RunRequest, frame
from execbox.sandbox.limits import RunLimits
from execbox.sandbox.live import LiveIO
from execbox.sandbox.report_channel import RunReports
from execbox.sandbox.result import CapturedOutput, ErrorInfo, LimitHit, RunResult, RunStatus
from execbox.sandbox.streams import CappedPipeReader, write_all

_DRAIN_TIMEOUT_S = 5.0
_EXIT_STATUS_TIMEOUT_S = 5.0
_PIPE_SIZE = 64 * 1024  # Linux's default pipe buffer
_WIDE_PIPE_BYTES = 1024 * 1024  # the default pipe-max-size: no privilege needed
_CPU_KILL_SIGNALS = (signal.SIGKILL, signal.SIGXCPU)
# After the report, how often and how long the host looks for the child's stop itself.
_STOP_CHECK_INTERVAL_S = 0.0002
_STOP_CHECKS = 25
# How often a live run's program is looked at for a blocked read of its stdin (one small read
# of /proc each time): a person sees "waiting for input" within this.
_INPUT_WATCH_INTERVAL_S = 0.2


@dataclass
class _Ending:
    timed_out: bool = False
    stopped_by_client: bool = False
    output_overflow: bool = False
    stop_signal: int | None = None  # the child stopped: how a finished program ends
    wait_status: int | None = None  # the child exited (or was killed)
    waiting_for_input: bool = False  # when the engine or the client stopped it


async def execute(
    child: ChildHandle,
    code: str,
    stdin: bytes,
    limits: RunLimits,
    max_results: int,
    live: LiveIO | None = None,
    files: Sequence[InputFile] = (),
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
        "files": [{"name": file.name, "size": len(file.content)} for file in files],
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
    seen_stopped: asyncio.Future[None] = loop.create_future()
    reports = child.reports.listen_to_run(
        limits.results_bytes, max_results, child.group.kill, lambda: _look_for_stop(child, seen_stopped)
    )
    helpers: list[asyncio.Task[Any]] = []
    try:
        started = time.perf_counter()
        # The files' bytes follow the request on its pipe (see guest.protocol).
        message = b"".join([frame(request), *(file.content for file in files)])
        if len(message) > _PIPE_SIZE:
            _widen_pipe(child.request_fd)
        helpers.append(loop.create_task(write_all(child.request_fd, message)))
        helpers.append(loop.create_task(_feed_stdin(child, stdin, live)))
        ending_signals: set[asyncio.Future[Any]] = {seen_stopped, child.stopped, child.exited}
        if live is not None:
            stop_request = loop.create_task(live.stopped.wait())
            helpers.append(stop_request)
            ending_signals.add(stop_request)
            helpers.append(loop.create_task(_watch_for_input(child, live)))
        done, _ = await asyncio.wait(
            ending_signals, timeout=limits.wall_time_s, return_when=asyncio.FIRST_COMPLETED
        )
        finished = time.perf_counter()
        if not done:
            ending.timed_out = True
            ending.waiting_for_input = child.is_reading_stdin()
        elif seen_stopped in done:
            ending.stop_signal = signal.SIGSTOP
        elif child.stopped in done:
            ending.stop_signal = _outcome(child.stopped)
        elif child.exited in done:
            ending.wait_status = _outcome(child.exited)
        else:
            ending.stopped_by_client = True
            ending.waiting_for_input = child.is_reading_stdin()
        # The program's end is the run's end: nothing it started may outlive it.
        child.group.kill()
        # The child is stopped or dead: everything it wrote is in the pipe already.
        child.reports.drain()
        await _drain(stdout, stderr)
        if ending.stop_signal is None and ending.wait_status is None:
            ending.wait_status = await _wait_status(child)
        usage = child.group.usage()
    finally:
        for task in helpers:
            task.cancel()
        stdout.close()
        stderr.close()
    return _judge(ending, reports, usage, limits, stdout, stderr, (finished - started) * 1000)


def _widen_pipe(fd: int) -> None:
    """A larger pipe for input files: fewer wake-ups of the child and of us per MiB. Where the
    kernel refuses (pipe-max-size), the default pipe only takes longer."""
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _WIDE_PIPE_BYTES)


def _look_for_stop(child: ChildHandle, seen: asyncio.Future[None], checks_left: int = _STOP_CHECKS) -> None:
    """A reporting program stops itself at once: seeing that in /proc saves waiting for the
    template, which may be busy forking (up to ~7 ms under load). The template still tells."""
    if seen.done():
        return
    if child.is_stopped():
        seen.set_result(None)
    elif checks_left > 1:
        loop = asyncio.get_running_loop()
        loop.call_later(_STOP_CHECK_INTERVAL_S, _look_for_stop, child, seen, checks_left - 1)


def _outcome(future: asyncio.Future[int]) -> int | None:
    """A template event's value; None when the template died instead of telling."""
    return None if future.exception() is not None else future.result()


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


async def _watch_for_input(child: ChildHandle, live: LiveIO) -> None:
    """Tells `live` each time the program starts or stops waiting for input, while its stdin is
    open (after that a read ends at once); runs until then or until cancelled."""
    waiting = False
    while child.stdin_fd >= 0:
        await asyncio.sleep(_INPUT_WATCH_INTERVAL_S)
        if child.is_reading_stdin() != waiting:
            waiting = not waiting
            live.on_waiting(waiting)


async def _drain(*readers: CappedPipeReader) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(r.finished for r in readers)), _DRAIN_TIMEOUT_S)


async def _wait_status(child: ChildHandle) -> int | None:
    try:
        return await asyncio.wait_for(asyncio.shield(child.exited), _EXIT_STATUS_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - the template is gone: the verdict becomes internal_error
        return None


def _how_it_ended(ending: _Ending, report: Report | None) -> tuple[int | None, int | None, ErrorInfo | None]:
    """Exit code, signal and the program's exception, as far as the kernel bears them out."""
    if ending.stop_signal is not None:
        if ending.stop_signal == signal.SIGSTOP and report is not None:
            return report.exit_code, None, report.error
        return None, ending.stop_signal, None
    status = ending.wait_status
    if status is None:
        return None, None, None
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status), None
    exit_code = os.waitstatus_to_exitcode(status)
    # An exception is believed only from a report that agrees with how the process exited.
    error = report.error if report is not None and report.exit_code == exit_code else None
    return exit_code, None, error


def _signal_name(number: int | None) -> str | None:
    if number is None:
        return None
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"SIG{number}"


def _judge(
    ending: _Ending,
    reports: RunReports,
    usage: Usage,
    limits: RunLimits,
    stdout: CappedPipeReader,
    stderr: CappedPipeReader,
    wall_ms: float,
) -> RunResult:
    exit_code, signal_number, error = _how_it_ended(ending, reports.report)
    cpu_ms = usage.cpu_ns / 1e6
    reason = None
    limit_hit = None
    if reports.problem is not None:
        status, reason = reports.problem.status, reports.problem.reason
        if status is RunStatus.OUTPUT_LIMIT:
            limit_hit = LimitHit("results_bytes", limits.results_bytes)
    elif ending.output_overflow:
        status, limit_hit = RunStatus.OUTPUT_LIMIT, LimitHit("output_bytes", limits.output_bytes)
    elif ending.timed_out:
        status, limit_hit = RunStatus.TIMEOUT, LimitHit("wall_time_s", limits.wall_time_s)
    elif ending.stopped_by_client:
        status = RunStatus.STOPPED
    elif usage.oom_kills > 0 or (error is not None and error.type == "MemoryError"):
        status, limit_hit = RunStatus.MEMORY_LIMIT, LimitHit("memory_mb", limits.memory_mb)
    elif signal_number in _CPU_KILL_SIGNALS and cpu_ms >= limits.cpu_time_s * 1000 * 0.9:
        status, limit_hit = RunStatus.TIMEOUT, LimitHit("cpu_time_s", limits.cpu_time_s)
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
        results=tuple(reports.results),
        reason=reason,
        limit_hit=limit_hit,
        waiting_for_input=ending.waiting_for_input,
    )
