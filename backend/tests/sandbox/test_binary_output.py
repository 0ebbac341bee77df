"""Output that is not valid UTF-8 is captured, never fatal to the engine."""

from __future__ import annotations

import pytest

from execbox.sandbox.errors import InvalidInput
from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness

pytestmark = IN_BOTH_TEMPLATES


def test_invalid_utf8_bytes_are_replaced(sandbox: SandboxHarness) -> None:
    code = """
import sys
sys.stdout.buffer.write(b"\\xff\\xfe\\x00abc\\x80")
sys.stderr.buffer.write(b"err\\xc3(")
"""
    result = sandbox.run(code, wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    assert result.stdout.text == "\ufffd\ufffd\x00abc\ufffd"
    assert not result.stdout.truncated
    assert result.stderr.text == "err\ufffd("
    sandbox.assert_healthy()


def test_valid_utf8_round_trips(sandbox: SandboxHarness) -> None:
    text = "naïve – 日本語 – 🐍 – \x00\x07"
    result = sandbox.run(f"print({text!r}, end='')", wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    assert result.stdout.text == text
    sandbox.assert_healthy()


def test_lone_surrogate_fails_like_cpython(sandbox: SandboxHarness) -> None:
    code = """
import sys
print("before", flush=True)
print("\\ud800", file=sys.stderr)  # stderr uses backslashreplace, as in CPython
print("\\ud800")
print("after")
"""
    result = sandbox.run(code, wall_time_s=5)
    assert result.status is RunStatus.RUNTIME_ERROR, result
    assert result.exit_code == 1
    assert result.signal is None
    assert result.error is not None
    assert result.error.type == "UnicodeEncodeError"
    assert result.error.line == 5
    assert result.stdout.text == "before\n"
    assert result.stderr.text.startswith("\\ud800\n")
    assert "UnicodeEncodeError" in result.stderr.text
    sandbox.assert_healthy()


def test_stdin_that_is_not_unicode_text_is_refused_before_running(sandbox: SandboxHarness) -> None:
    with pytest.raises(InvalidInput, match="valid Unicode text"):
        sandbox.run("print(1)", stdin="a\udcff")
    sandbox.assert_healthy()
