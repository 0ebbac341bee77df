"""An engine's `RunResult` as the API shows it: host paths of the runtime cleaned away."""

from __future__ import annotations

import dataclasses

from execbox.sandbox.result import RunResult, RunStatus
from execbox.schemas.execution import ErrorOut, ExecutionResult, LimitOut, RichResultOut, TruncatedOut
from execbox.services.sanitize import Sanitizer


def present(result: RunResult, sanitize: Sanitizer) -> ExecutionResult:
    error = None
    if result.error is not None:
        error = ErrorOut(
            type=result.error.type, message=sanitize(result.error.message), line=result.error.line
        )
    return ExecutionResult(
        status=result.status,
        exit_code=result.exit_code,
        signal=result.signal,
        stdout=result.stdout.text,
        stderr=_with_reason(sanitize(result.stderr.text), result.reason),
        truncated=TruncatedOut(stdout=result.stdout.truncated, stderr=result.stderr.truncated),
        error=error,
        wall_ms=round(result.wall_ms, 3),
        cpu_ms=round(result.cpu_ms, 3),
        memory_kb=result.memory_kb,
        results=[
            RichResultOut(mime=item.mime, data=item.data if item.mime == "image/png" else sanitize(item.data))
            for item in result.results
        ],
        limit_hit=None if result.limit_hit is None else LimitOut(**dataclasses.asdict(result.limit_hit)),
        waiting_for_input=result.waiting_for_input,
    )


def _with_reason(stderr: str, reason: str | None) -> str:
    """The engine's own sentence, when it ended the run itself, as the last line of stderr."""
    if reason is None:
        return stderr
    return f"{stderr}{'' if not stderr or stderr.endswith(chr(10)) else chr(10)}{reason}\n"


def internal_error(message: str) -> ExecutionResult:
    """The verdict of a run the service could not carry out (never the program's fault)."""
    return ExecutionResult(
        status=RunStatus.INTERNAL_ERROR,
        exit_code=None,
        signal=None,
        stdout="",
        stderr=message,
        truncated=TruncatedOut(stdout=False, stderr=False),
        error=None,
        wall_ms=0.0,
        cpu_ms=0.0,
        memory_kb=0,
        results=[],
    )
