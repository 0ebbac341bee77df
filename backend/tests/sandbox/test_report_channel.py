"""A program that writes to its report pipe itself: never a stall, a crash or a believed lie.

The report pipe (fd 4) is the runner's, but user code can write anything to it. These programs
forge frames, old-style JSON and new-style binary, with the runtime's own encoder where that
helps, and then end in every way a program can. The engine knows no code policy: every test
here holds with the static checks off.
"""

from __future__ import annotations

import struct
import time

import pytest

from execbox.sandbox.guest.frames import HEADER, MAX_ERROR_MESSAGE, Kind
from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness

pytestmark = IN_BOTH_TEMPLATES

_FRAMES = "import sys\nframes = sys.modules['execbox.sandbox.guest.frames']\n"
_SEGFAULT = "import ctypes\nctypes.string_at(0)\n"


def _writes(data: bytes) -> str:
    return f"import os\nos.write(4, {data!r})\n"


def _forged_frame(kind: int, body: bytes) -> bytes:
    return HEADER.pack(len(body), kind) + body


def _assert_forgery_refused(sandbox: SandboxHarness, code: str, detail: str) -> None:
    result = sandbox.run(code, wall_time_s=10)
    assert result.status is RunStatus.INTERNAL_ERROR, result
    assert result.reason is not None and "report pipe" in result.reason and detail in result.reason
    assert result.exit_code is None
    sandbox.assert_healthy()


def test_an_old_style_json_report_with_a_huge_exit_code_is_refused(sandbox: SandboxHarness) -> None:
    forged = b'{"type":"report","exit_code":1208925819614629174706176,"error":null}'
    _assert_forgery_refused(sandbox, _writes(struct.pack(">I", len(forged)) + forged), "unknown here")


def test_a_report_naming_a_line_past_any_program_is_refused(sandbox: SandboxHarness) -> None:
    body = struct.pack(">BIH", 0, 2**32 - 1, 5) + b"Error" + b"message"
    _assert_forgery_refused(sandbox, _writes(_forged_frame(Kind.REPORT, body)), "beyond any program")


def test_a_deeply_nested_frame_is_refused_unread(sandbox: SandboxHarness) -> None:
    nested = b"[" * 200_000
    _assert_forgery_refused(sandbox, _writes(_forged_frame(Kind.REPORT, nested)), "over its limit")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"\x07<b>hi</b>", "no known MIME type"),
        (b"\x01\xff\xfe not UTF-8", "not valid UTF-8"),
        (b"", "no known MIME type"),
        (b"\x00", "carries no data"),
    ],
    ids=["unknown-mime", "invalid-utf8", "empty", "no-data"],
)
def test_a_broken_display_is_refused(sandbox: SandboxHarness, body: bytes, detail: str) -> None:
    _assert_forgery_refused(sandbox, _writes(_forged_frame(Kind.DISPLAY, body)), detail)


def test_garbage_and_a_second_ready_are_refused(sandbox: SandboxHarness) -> None:
    _assert_forgery_refused(sandbox, _writes(b"\x00\x00\x00\x00\x01"), "kind 1")
    _assert_forgery_refused(sandbox, _writes(b"garbage!" * 1000), "unknown here")


def test_a_display_larger_than_the_budget_is_stopped_before_its_body_is_read(sandbox: SandboxHarness) -> None:
    # 48 MiB of nested JSON announced and written: the host reads its header, then stops, so
    # not even the first MiB gets through the pipe (which holds 64 KiB).
    size = 48 << 20
    code = (
        f"import os\nos.write(4, {HEADER.pack(size + 1, Kind.DISPLAY)!r} + b'\\x01')\n"
        f"chunk = b'[' * (1 << 20)\nfor mib in range({size >> 20}):\n"
        "    os.write(4, chunk)\n    print(mib, flush=True)\n"
    )
    started = time.monotonic()
    result = sandbox.run(code, wall_time_s=20)
    assert time.monotonic() - started < 5
    assert result.status is RunStatus.OUTPUT_LIMIT, result
    assert result.reason is not None and "more than the" in result.reason
    assert result.stdout.text == ""
    sandbox.assert_healthy()


def test_results_over_the_budget_together_are_an_output_limit(sandbox: SandboxHarness) -> None:
    frame = _forged_frame(Kind.DISPLAY, b"\x00" + b"x" * 60_000)
    code = f"import os\nfor _ in range(30):\n    os.write(4, {frame!r})\n"
    result = sandbox.run(code, results_bytes=1_000_000)
    assert result.status is RunStatus.OUTPUT_LIMIT, result
    assert sum(len(item.data) for item in result.results) <= 1_000_000


def test_more_results_than_allowed_are_an_output_limit(sandbox: SandboxHarness) -> None:
    frame = _forged_frame(Kind.DISPLAY, b"\x00one")
    result = sandbox.run(f"import os\nos.write(4, {frame!r} * 60)\n")
    assert result.status is RunStatus.OUTPUT_LIMIT, result
    assert len(result.results) == sandbox.engine.config.max_results


def test_a_forged_success_followed_by_a_segfault_is_the_segfault(sandbox: SandboxHarness) -> None:
    code = _FRAMES + "import os\nos.write(4, frames.encode_report(0, None))\n" + _SEGFAULT
    result = sandbox.run(code)
    assert (result.status, result.signal, result.exit_code) == (RunStatus.RUNTIME_ERROR, "SIGSEGV", None)
    assert result.error is None


def test_a_forged_report_followed_by_another_exit_code_is_the_exit_code(sandbox: SandboxHarness) -> None:
    code = (
        _FRAMES
        + "from execbox.sandbox.result import ErrorInfo\nimport os\n"
        + "os.write(4, frames.encode_report(0, ErrorInfo('Forged', 'all is well', 1)))\nos._exit(3)\n"
    )
    result = sandbox.run(code)
    assert (result.status, result.exit_code, result.signal, result.error) == (
        RunStatus.RUNTIME_ERROR,
        3,
        None,
        None,
    )


def test_a_forged_report_from_a_program_that_goes_on_is_a_timeout(sandbox: SandboxHarness) -> None:
    code = _FRAMES + "import os\nos.write(4, frames.encode_report(0, None))\nwhile True:\n    pass\n"
    result = sandbox.run(code, wall_time_s=1)
    assert result.status is RunStatus.TIMEOUT, result


def test_a_program_that_closes_the_pipe_is_judged_by_its_exit(sandbox: SandboxHarness) -> None:
    result = sandbox.run("import os\nos.close(4)\nprint('done')\n")
    assert (result.status, result.exit_code, result.stdout.text) == (RunStatus.SUCCESS, 0, "done\n")
    replacing = "import os\nos.close(4)\nfiles = [open(f'/tmp/{n}', 'w') for n in range(2)]\n"
    replaced = sandbox.run(replacing + "assert files[-1].fileno() == 4\nraise SystemExit(4)\n")
    assert (replaced.status, replaced.exit_code, replaced.signal) == (RunStatus.RUNTIME_ERROR, 4, None)


def test_an_honest_long_message_and_a_huge_exit_code_stay_in_range(sandbox: SandboxHarness) -> None:
    result = sandbox.run("raise ValueError('é' * 100_000)")
    assert result.error is not None and result.error.type == "ValueError"
    assert len(result.error.message.encode()) <= MAX_ERROR_MESSAGE
    exited = sandbox.run("import sys\nsys.exit(2**80 + 7)\n")
    assert (exited.status, exited.exit_code) == (RunStatus.RUNTIME_ERROR, 7)


def test_a_truncated_report_then_a_clean_exit_is_the_exit(sandbox: SandboxHarness) -> None:
    partial = HEADER.pack(100, Kind.REPORT) + b"\x00" * 10
    result = sandbox.run(_writes(partial) + "os._exit(0)\n")
    assert (result.status, result.exit_code, result.reason) == (RunStatus.SUCCESS, 0, None)


def test_no_descriptor_in_the_sandbox_is_a_socket_to_the_host(sandbox: SandboxHarness) -> None:
    """Pipes, not a socketpair: the program cannot ask the other end's pid and uid
    (SO_PEERCRED) or pass descriptors to it."""
    code = (
        "import os, socket, stat\n"
        "kinds = {fd: stat.S_ISFIFO(os.fstat(fd).st_mode) for fd in (0, 1, 2, 4)}\n"
        "try:\n"
        "    socket.socket(fileno=4).getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)\n"
        "    print('peer credentials readable')\n"
        "except OSError as error:\n"
        "    print(error.errno == 88, kinds)\n"  # ENOTSOCK
    )
    result = sandbox.run(code)
    assert result.stdout.text == "True {0: True, 1: True, 2: True, 4: True}\n", result
