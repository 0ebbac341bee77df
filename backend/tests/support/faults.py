"""Failures injected into real components, for the tests of runs whose every step may fail."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from execbox.sandbox.result import RunStatus
from execbox.schemas.execution import ExecutionResult
from execbox.services.errors import Unavailable
from execbox.services.presenter import internal_error
from execbox.services.submission_store import SubmissionStore

DATABASE_DOWN = "The database is unavailable (OperationalError); nothing was changed, try again shortly."


def beyond_any_column() -> ExecutionResult:
    """A verdict with an exit code no database integer holds, as a forged report once made."""
    return internal_error("x").model_copy(update={"status": RunStatus.RUNTIME_ERROR, "exit_code": 2**80})


def answering(result: ExecutionResult) -> Callable[..., Coroutine[Any, Any, ExecutionResult]]:
    """A stand-in for a runner's `run` (or the engine's) that answers `result` without running."""

    async def answer(*_args: Any, **_kwargs: Any) -> ExecutionResult:
        return result

    return answer


async def broken(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("broken")


async def database_down(*_args: Any, **_kwargs: Any) -> Any:
    raise Unavailable(DATABASE_DOWN)


def finish_failing(store: SubmissionStore, *failures: Exception | None) -> list[ExecutionResult]:
    """Makes `store.finish` raise `failures` in turn (None: the real one), then work as it does.

    Returns the verdicts it was asked to record, in order."""
    finish = store.finish
    pending = list(failures)
    asked: list[ExecutionResult] = []

    async def failing(submission_id: str, result: ExecutionResult) -> bool:
        asked.append(result)
        failure = pending.pop(0) if pending else None
        if failure is not None:
            raise failure
        return await finish(submission_id, result)

    store.finish = failing  # type: ignore[method-assign]
    return asked
