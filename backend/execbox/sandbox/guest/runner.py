"""Run one user program inside an isolated child and report how it ended.

The program runs as `__main__` from the file name `<main.py>`, like `python main.py` would run
it: atexit handlers run, non-daemon threads are waited for, `sys.exit(n)` sets the exit code.
As in a notebook cell, the value of a final expression statement is displayed (not printed),
and so are the figures still open at the end.
"""

from __future__ import annotations
import __future__

import ast
import atexit
import contextlib
import functools
import io
import linecache
import math
import operator
import os
import resource
import sys
import threading
import traceback
import types
from collections.abc import Callable
from typing import NoReturn

from execbox.sandbox.guest.display import ResultChannel
from execbox.sandbox.guest.frames import encode_report, write_blocking
from execbox.sandbox.guest.input_files import InputFile, InputFileError, write_input_files
from execbox.sandbox.guest.protocol import CHILD_REPORT_FD, CHILD_STDERR_FD, CHILD_STDOUT_FD, RunRequest
from execbox.sandbox.result import ErrorInfo

USER_FILENAME = "<main.py>"
_MESSAGE_LIMIT = 2000
# Room for the interpreter's own growth on top of the user's budget: reserved, mostly untouched
# address space such as thread stacks (8 MiB each, up to the 64-task limit) and malloc arenas.
_ADDRESS_SPACE_SLACK = 1024 * 1024 * 1024
# Tracebacks keep this many of the user's frames from each end, as CPython's own repeats
# folding would: a million-frame RecursionError must not take longer to report than to raise.
_FRAMES_KEPT = 30
_FUTURE_FLAGS = functools.reduce(
    operator.or_, (getattr(__future__, name).compiler_flag for name in __future__.all_feature_names)
)


def run(request: RunRequest, files: list[InputFile], stop_self: Callable[[], None]) -> NoReturn:
    """Writes the input `files` into the working directory (emptying the list: their bytes are
    not kept beside the files), runs the program, reports how it ended, then stops: the
    kernel's word that this process is stopped, not dead of a signal, is what makes the host
    believe the report. `stop_self` returns only if the stop did not hold; exiting with the
    code is the host's next-best word."""
    _apply_limits(request)
    report_pipe = os.fstat(CHILD_REPORT_FD)
    # Block buffering is faster, but someone watching a live run must see each line at once.
    sys.stdout = io.TextIOWrapper(
        os.fdopen(CHILD_STDOUT_FD, "wb", closefd=False), encoding="utf-8", line_buffering=request["live"]
    )
    sys.stderr = io.TextIOWrapper(
        os.fdopen(CHILD_STDERR_FD, "wb", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    results = ResultChannel(CHILD_REPORT_FD, request["result_bytes"], request["max_results"])
    results.install()
    placed = _place_input_files(files)
    exit_code, error = _execute(request["code"], results) if placed is None else placed
    results.finish()
    for stream in (sys.stdout, sys.stderr):
        # OSError: the host stopped reading (output limit); ValueError: the user closed it.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    # Closing our ends first lets the host see end-of-output without waiting for our teardown.
    for fd in (CHILD_STDOUT_FD, CHILD_STDERR_FD):
        with contextlib.suppress(OSError):
            os.close(fd)
    if _send_report(exit_code, error, report_pipe):
        stop_self()
    os._exit(exit_code)


def _send_report(exit_code: int, error: ErrorInfo | None, report_pipe: os.stat_result) -> bool:
    """False when the program closed or replaced the report pipe: then the exit code is all
    the host learns, from the kernel."""
    try:
        now = os.fstat(CHILD_REPORT_FD)
        if (now.st_dev, now.st_ino) != (report_pipe.st_dev, report_pipe.st_ino):
            return False
        write_blocking(CHILD_REPORT_FD, encode_report(exit_code, error))
    except OSError:
        return False
    return True


def _place_input_files(files: list[InputFile]) -> tuple[int, ErrorInfo] | None:
    """Writes the input files; when one cannot be (the run's tmpfs is full, say), the program
    is not run, and its end says which file and why, as an uncaught exception would."""
    try:
        if files:
            write_input_files(files)
    except InputFileError as failure:
        message = str(failure.strerror)
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"InputFileError: {message} The program was not run.\n")
        return 1, ErrorInfo("InputFileError", message, None)
    finally:
        files.clear()
    return None


def _apply_limits(request: RunRequest) -> None:
    # RLIMIT_CPU counts the process's whole life, set-up and warm-up included, and only in
    # whole seconds: the budget starts from what is used already, rounded up.
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = math.ceil(used.ru_utime + used.ru_stime + request["cpu_time_s"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    with open("/proc/self/statm") as statm:
        current_size = int(statm.read().split()[0]) * resource.getpagesize()
    address_space = current_size + request["memory_bytes"] + _ADDRESS_SPACE_SLACK
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))


def _execute(code: str, results: ResultChannel) -> tuple[int, ErrorInfo | None]:
    main = types.ModuleType("__main__")
    main.__dict__["__file__"] = USER_FILENAME
    sys.modules["__main__"] = main
    sys.argv = ["main.py"]
    linecache.cache[USER_FILENAME] = (len(code), None, code.splitlines(keepends=True), USER_FILENAME)
    try:
        try:
            body, final_expression = _compile(code)
            exec(body, main.__dict__)  # noqa: S102 - this is the product
            if final_expression is not None:
                value = eval(final_expression, main.__dict__)  # noqa: S307 - the user's own code
                if value is not None:
                    results.display(value)
            _wait_for_threads()
        finally:
            # Before the exit functions: matplotlib's own closes every figure.
            results.show_remaining_figures()
        atexit._run_exitfuncs()
    except SystemExit as exit_request:
        return _exit_code(exit_request), None
    except BaseException as exc:  # noqa: BLE001 - every user failure becomes a report
        frames, omitted = _user_frames(exc)
        _print_user_traceback(exc, frames, omitted)
        return 1, _describe(exc, frames)
    return 0, None


def _compile(code: str) -> tuple[types.CodeType, types.CodeType | None]:
    """The program, and apart from it its final expression statement, if it ends with one.

    Both are compiled before either runs, so a syntax error anywhere stops the program before
    its first line, as it would in one piece. Positions come from the one parse, so line numbers
    are the program's own."""
    tree = ast.parse(code, USER_FILENAME)
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr) or _silenced(code, last):
        return compile(tree, USER_FILENAME, "exec", dont_inherit=True), None
    tree.body.pop()
    body = compile(tree, USER_FILENAME, "exec", dont_inherit=True)
    # The program's `from __future__` imports apply to its last line too.
    flags = body.co_flags & _FUTURE_FLAGS
    final = compile(ast.Expression(last.value), USER_FILENAME, "eval", flags=flags, dont_inherit=True)
    return body, final


def _silenced(code: str, statement: ast.stmt) -> bool:
    """A notebook's convention: a final expression followed by `;` is not displayed."""
    lines = io.StringIO(code, newline=None).readlines()  # the line ends the parser knows
    end = statement.end_lineno
    if end is None or statement.end_col_offset is None or end > len(lines):
        return False
    after = lines[end - 1].encode()[statement.end_col_offset :]  # offsets count UTF-8 bytes
    return after.lstrip().startswith(b";")


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


def _user_frames(exc: BaseException) -> tuple[traceback.StackSummary, int]:
    """The user's own frames (the runner and library internals are noise), and how many of
    them were left out of the middle."""
    frames = [
        (f, line) for f, line in traceback.walk_tb(exc.__traceback__) if f.f_code.co_filename == USER_FILENAME
    ]
    omitted = max(0, len(frames) - 2 * _FRAMES_KEPT)
    if omitted:
        frames = frames[:_FRAMES_KEPT] + frames[-_FRAMES_KEPT:]
    return traceback.StackSummary.extract(iter(frames)), omitted


def _print_user_traceback(exc: BaseException, frames: traceback.StackSummary, omitted: int) -> None:
    lines = ["Traceback (most recent call last):\n"] if frames else []
    formatted = frames.format()
    if omitted:
        formatted.insert(_FRAMES_KEPT, f"  [... {omitted} more frames ...]\n")
    lines += formatted
    lines += traceback.format_exception_only(type(exc), exc)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("".join(lines))


def _describe(exc: BaseException, frames: traceback.StackSummary) -> ErrorInfo:
    line: int | None = None
    if isinstance(exc, SyntaxError) and exc.filename == USER_FILENAME:
        line = exc.lineno
    elif frames:
        line = frames[-1].lineno
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not break the report
        message = "<unprintable message>"
    return ErrorInfo(type(exc).__name__, message[:_MESSAGE_LIMIT], line)
