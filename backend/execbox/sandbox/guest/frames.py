"""What a child tells the host on its report pipe: typed binary frames, each cheap to check.

A frame is a 4-byte big-endian body length, a one-byte `Kind`, then the body. Once user code
runs, anything on the pipe may be the program's own writing, so the host decodes every field
with a check (`decode_display`, `decode_report`) and bounds each frame by its kind before it
reads the body. Nothing in a frame is parsed recursively: reading one costs time and memory
linear in its length, whatever the bytes are.

- `READY` (empty) and `SETUP_FAILED` (UTF-8 text) are sent before any user code exists.
- `DISPLAY`: one byte naming the MIME type (an index into `MIMES`), then the data as UTF-8,
  never empty (the runner drops a value with nothing to show instead of sending it).
- `REPORT`: how the program ended, in `_REPORT_HEAD` layout (exit code, line of the error or
  0, length of the exception's type name), then the type name and the message, both UTF-8.
"""

from __future__ import annotations

import enum
import os
import struct
from dataclasses import dataclass
from typing import get_args

from execbox.sandbox.result import ErrorInfo, ResultMime, RichResult

HEADER = struct.Struct(">IB")  # body length, kind
_REPORT_HEAD = struct.Struct(">BIH")  # exit code, line (0: none), length of the type name
MIMES: tuple[ResultMime, ...] = get_args(ResultMime)
MAX_SETUP_FAILURE = 64 * 1024
MAX_ERROR_TYPE = 256  # bytes of UTF-8
MAX_ERROR_MESSAGE = 8 * 1024
MAX_REPORT = _REPORT_HEAD.size + MAX_ERROR_TYPE + MAX_ERROR_MESSAGE
MAX_LINE = 2**31 - 1  # what every database's INTEGER holds
DISPLAY_HEAD = 1  # the MIME byte before a display's data


class Kind(enum.IntEnum):
    READY = 1
    SETUP_FAILED = 2
    DISPLAY = 3
    REPORT = 4


class BadFrame(ValueError):
    """A frame no honest child sends; the message says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class Report:
    exit_code: int
    error: ErrorInfo | None


def frame(kind: Kind, body: bytes = b"") -> bytes:
    return HEADER.pack(len(body), kind) + body


def encode_text(text: str) -> bytes:
    # Lone surrogates (which Python strings may hold) are not UTF-8: they become "?".
    return text.encode("utf-8", "replace")


def encode_display(mime: str, data: bytes) -> bytes:
    return frame(Kind.DISPLAY, bytes([MIMES.index(mime)]) + data)


def encode_report(exit_code: int, error: ErrorInfo | None) -> bytes:
    if error is None:
        return frame(Kind.REPORT, _REPORT_HEAD.pack(exit_code, 0, 0))
    kind = _truncate(encode_text(error.type), MAX_ERROR_TYPE)
    message = _truncate(encode_text(error.message), MAX_ERROR_MESSAGE)
    line = error.line if error.line is not None and 0 < error.line <= MAX_LINE else 0
    return frame(Kind.REPORT, _REPORT_HEAD.pack(exit_code & 0xFF, line, len(kind)) + kind + message)


def _truncate(data: bytes, limit: int) -> bytes:
    """At most `limit` bytes, cut at a character boundary."""
    return data[:limit].decode("utf-8", "ignore").encode()


def decode_display(body: bytes) -> RichResult:
    if not body or body[0] >= len(MIMES):
        raise BadFrame("a display frame names no known MIME type")
    if len(body) == DISPLAY_HEAD:
        raise BadFrame("a display frame carries no data")
    return RichResult(MIMES[body[0]], _text(body[DISPLAY_HEAD:], "a display's data"))


def decode_report(body: bytes) -> Report:
    if len(body) < _REPORT_HEAD.size:
        raise BadFrame(f"a report of {len(body)} bytes is shorter than its fixed fields")
    exit_code, line, type_length = _REPORT_HEAD.unpack_from(body)
    if type_length > MAX_ERROR_TYPE or _REPORT_HEAD.size + type_length > len(body):
        raise BadFrame("a report's exception type overruns the report")
    if line > MAX_LINE:
        raise BadFrame(f"a report names line {line}, beyond any program")
    start = _REPORT_HEAD.size + type_length
    if type_length == 0:
        if line or len(body) > start:
            raise BadFrame("a report without an exception carries a line or a message")
        return Report(exit_code, None)
    if len(body) - start > MAX_ERROR_MESSAGE:
        raise BadFrame("a report's message is over its limit")
    error = ErrorInfo(
        _text(body[_REPORT_HEAD.size : start], "an exception type"),
        _text(body[start:], "an exception message"),
        line or None,
    )
    return Report(exit_code, error)


def decode_setup_failure(body: bytes) -> str:
    return body.decode("utf-8", "replace")


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadFrame(f"{what} is not valid UTF-8 (byte {error.start})") from None


def write_blocking(fd: int, data: bytes) -> None:
    """Guest side: the whole of `data`, however many writes the pipe takes."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
