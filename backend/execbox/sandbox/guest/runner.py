"""Run one user program inside an isolated child and report how it ended.

The program runs as `__main__` from the file name `<main.py>`, like `python main.py` would run
it: atexit handlers run, non-daemon threads are waited for, `sys.exit(n)` sets the exit code.
"""

from __future__ import annotations

import atexit
import io
import linecache
import os
import resource
import socket
import sys
import threading
import traceback
import types
from typing import NoReturn

from execbox.sandbox.guest.protocol import (
    CHILD_STDERR_FD,
    CHILD_STDOUT_FD,
    ExceptionReport,
    RunReport,
    RunRequest,
    frame,
)

USER_FILENAME = "<main.py>"
_MESSAGE_LIMIT = 2000
# Room for the interpreter's own growth (thread stacks, arenas) on top of the user's budget.
_ADDRESS_SPACE_SLACK = 256 * 1024 * 1024


def run(request: RunRequest, control: socket.socket) -> NoReturn:
    _apply_limits(request)
    sys.stdout = io.TextIOWrapper(os.fdopen(CHILD_STDOUT_FD, "wb", closefd=False), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(
        os.fdopen(CHILD_STDERR_FD, "wb", closefd=False), encoding="utf-8", errors="backslashreplace"
    )
    exit_code, error = _execute(request["code"])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # the host stopped reading (output limit) or the user closed the stream
    # Closing our ends first lets the host see end-of-output without waiting for our teardown.
    for fd in (CHILD_STDOUT_FD, CHILD_STDERR_FD):
        try:
            os.close(fd)
        except OSError:
            pass
    report: RunReport = {"type": "report", "exit_code": exit_code, "error": error}
    try:
        control.sendall(frame(report))
    except OSError:
        pass
    os._exit(exit_code)


def _apply_limits(request: RunRequest) -> None:
    cpu_seconds = max(1, int(request["cpu_time_s"] + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    with open("/proc/self/statm") as statm:
        current_size = int(statm.read().split()[0]) * resource.getpagesize()
    address_space = current_size + request["memory_bytes"] + _ADDRESS_SPACE_SLACK
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))


def _execute(code: str) -> tuple[int, ExceptionReport | None]:
    main = types.ModuleType("__main__")
    main.__dict__["__file__"] = USER_FILENAME
    sys.modules["__main__"] = main
    sys.argv = ["main.py"]
    linecache.cache[USER_FILENAME] = (len(code), None, code.splitlines(keepends=True), USER_FILENAME)
    try:
        exec(compile(code, USER_FILENAME, "exec"), main.__dict__)  # noqa: S102 - this is the product
        _wait_for_threads()
        atexit._run_exitfuncs()
    except SystemExit as exit_request:
        return _exit_code(exit_request), None
    except BaseException as exc:  # noqa: BLE001 - every user failure becomes a report
        _print_user_traceback(exc)
        return 1, _describe(exc)
    return 0, None


def _wait_for_threads() -> None:
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon:
            thread.join()


def _exit_code(exit_request: SystemExit) -> int:
    code = exit_request.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _user_frames(exc: BaseException) -> traceback.StackSummary:
    frames = traceback.extract_tb(exc.__traceback__)
    return traceback.StackSummary.from_list([f for f in frames if f.filename == USER_FILENAME])


def _print_user_traceback(exc: BaseException) -> None:
    """A traceback cut to the user's own frames: the runner and library internals are noise."""
    lines = ["Traceback (most recent call last):\n"] if _user_frames(exc) else []
    lines += _user_frames(exc).format()
    lines += traceback.format_exception_only(type(exc), exc)
    try:
        sys.stderr.write("".join(lines))
    except (OSError, ValueError):
        pass


def _describe(exc: BaseException) -> ExceptionReport:
    line: int | None = None
    if isinstance(exc, SyntaxError) and exc.filename == USER_FILENAME:
        line = exc.lineno
    else:
        user_frames = _user_frames(exc)
        if user_frames:
            line = user_frames[-1].lineno
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not break the report
        message = "<unprintable message>"
    return {"type": type(exc).__name__, "message": message[:_MESSAGE_LIMIT], "line": line}
