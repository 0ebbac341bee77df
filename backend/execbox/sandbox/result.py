"""What a run produced, as the engine reports it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal, TypeGuard, get_args


class RunStatus(enum.StrEnum):
    SUCCESS = "success"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    STOPPED = "stopped"  # a live run its client ended
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """The exception that ended the program; `line` is in the user's code when known."""

    type: str
    message: str
    line: int | None


@dataclass(frozen=True, slots=True)
class CapturedOutput:
    text: str  # decoded as UTF-8; undecodable bytes become U+FFFD
    truncated: bool


ResultMime = Literal["text/html", "image/png", "text/plain"]
_RESULT_MIMES: frozenset[object] = frozenset(get_args(ResultMime))


def is_result_mime(value: object) -> TypeGuard[ResultMime]:
    return value in _RESULT_MIMES


@dataclass(frozen=True, slots=True)
class RichResult:
    """A value the program displayed: `data` is text, or base64 for images."""

    mime: ResultMime
    data: str


@dataclass(frozen=True, slots=True)
class LimitHit:
    """The limit that ended a run: its name as a request gives it (`LimitRequest`) and value."""

    name: str  # wall_time_s, cpu_time_s, memory_mb, output_bytes or results_bytes
    value: float


@dataclass(frozen=True, slots=True)
class RunResult:
    status: RunStatus
    exit_code: int | None
    signal: str | None
    stdout: CapturedOutput
    stderr: CapturedOutput
    error: ErrorInfo | None
    wall_ms: float
    cpu_ms: float
    memory_kb: int
    results: tuple[RichResult, ...] = ()
    # Why the engine ended the run itself, when the program's own output cannot say (a sentence).
    reason: str | None = None
    limit_hit: LimitHit | None = None
    # Blocked reading its stdin when a time limit or the client stopped it.
    waiting_for_input: bool = False

    @property
    def truncated(self) -> bool:
        return self.stdout.truncated or self.stderr.truncated
