"""The outcomes of runs as exceptions, for callers that prefer them to a `RunResult`'s status."""

from __future__ import annotations

from execbox.sandbox.errors import SandboxError
from execbox.sandbox.result import RunResult, RunStatus


class RunFailed(SandboxError):
    """A run ended in something other than success."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        super().__init__(f"run ended with status {result.status.value}")


class RuntimeErrorOutcome(RunFailed):
    """The program raised, exited non-zero or was killed by a signal."""


class TimeLimitExceeded(RunFailed):
    """Wall-clock or CPU time ran out."""


class MemoryLimitExceeded(RunFailed):
    """The program wanted more memory than allowed."""


class OutputLimitExceeded(RunFailed):
    """The program printed more than allowed."""


class RunStopped(RunFailed):
    """The client of a live run asked to end it."""


class InternalRunError(RunFailed):
    """The sandbox failed this run."""


_FAILURES: dict[RunStatus, type[RunFailed]] = {
    RunStatus.RUNTIME_ERROR: RuntimeErrorOutcome,
    RunStatus.TIMEOUT: TimeLimitExceeded,
    RunStatus.MEMORY_LIMIT: MemoryLimitExceeded,
    RunStatus.OUTPUT_LIMIT: OutputLimitExceeded,
    RunStatus.STOPPED: RunStopped,
    RunStatus.INTERNAL_ERROR: InternalRunError,
}


def raise_for_status(result: RunResult) -> RunResult:
    """`result` if it succeeded; else raise the `RunFailed` subclass of its status."""
    failure = _FAILURES.get(result.status)
    if failure is not None:
        raise failure(result)
    return result
