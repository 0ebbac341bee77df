"""Typed exceptions the engine raises (`SandboxUnavailable`, `SandboxInternalError`, ...).

Run outcomes are returned as a `RunResult`, not raised; `outcomes.raise_for_status` turns a failed
one into the matching `RunFailed` subclass for callers that prefer exceptions.
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base class of everything the sandbox engine raises."""


class SandboxUnavailable(SandboxError):
    """This host cannot run the sandbox; `problems` says what is missing and how to fix it."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"execbox cannot sandbox code on this host:\n{listing}")


class SandboxInternalError(SandboxError):
    """The engine itself failed (template died, protocol broken); not the user's fault."""


class SandboxClosed(SandboxError):
    """The engine was stopped, or never started."""


class SandboxBusy(SandboxError):
    """No sandbox came free before the run's start deadline: the run was not started."""


class SandboxFull(SandboxBusy):
    """Every sandbox is in use and the caller would not wait: the run was not started."""


class LimitError(SandboxError, ValueError):
    """A requested limit is invalid or above the operator's maximum."""

    def __init__(self, message: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit  # the name of the limit at fault, when a request's limit is


class InvalidInput(SandboxError, ValueError):
    """Code or stdin the sandbox cannot carry (e.g. text that is not valid Unicode)."""
