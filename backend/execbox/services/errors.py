"""What a service refuses to do, and why; the API layer maps each to an HTTP status."""

from __future__ import annotations

from collections.abc import Sequence

from execbox.policy import Rule, Violation
from execbox.schemas.errors import RefusalReason
from execbox.services.client_key import whose


class ServiceError(Exception):
    """Base class; the message is shown to the client."""


class PolicyRejected(ServiceError):
    """Code the static check refused: broken rules of the policy, or code that does not parse."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        count = len(violations)
        if count == 1 and violations[0].rule == Rule.SYNTAX_ERROR:
            # Python's own words: code that does not parse breaks no rule of the sandbox's.
            super().__init__(f"{violations[0].message}. The code was not run.")
            return
        super().__init__(
            f"The code was not run: it breaks the code policy ({count} problem{'s' * (count != 1)}). "
            "See `violations` for where and why."
        )


class InvalidRequest(ServiceError):
    """Well-formed but unacceptable, e.g. a limit above the operator's maximum.

    `problems` are the fields at fault and what is wrong with each, (field, message), as in the
    `errors` of a 422 for a body that does not validate.
    """

    def __init__(self, message: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """The request conflicts with what is there: a duplicate (an account's e-mail address), or a
    submission that has no verdict yet."""


class Unauthorized(ServiceError):
    """Credentials missing or wrong; the message says which header is expected."""


class Forbidden(ServiceError):
    """Valid credentials that may not do this (an administrator's operation)."""


class Unavailable(ServiceError):
    """A dependency (sandbox, database, rate-limit store) cannot serve right now; try again later."""

    retry_after_s = 5
    reason: RefusalReason = "unavailable"


class ServerFull(Unavailable):
    """Every sandbox of this server is running a program; a run asked for now is not started."""

    retry_after_s = 2
    reason: RefusalReason = "server_full"

    def __init__(self, sandboxes: int) -> None:
        # When to try again travels beside it (Retry-After, `retry_after_s`).
        super().__init__(
            f"The server is full: all {sandboxes} of its sandboxes are running programs, so your code "
            "was not started."
        )


class NoTurnInTime(Unavailable):
    """A run that asked to wait for its turn did not get it within the longest wait allowed."""

    retry_after_s = 2
    reason: RefusalReason = "no_turn"

    def __init__(self) -> None:
        super().__init__(
            "No turn came for your run within the longest wait this server allows (RUN_WAIT_MAX_S), "
            "so your code was not started; try again when the server is less busy."
        )


class RateLimitExceeded(ServiceError):
    reason: RefusalReason = "rate_limit"

    """`client` has used up a limit; the message names what was counted and whose it was."""

    def __init__(
        self, limit: str, retry_after_s: int, counted: str, client: str, reason: RefusalReason = "rate_limit"
    ) -> None:
        self.retry_after_s = retry_after_s
        self.reason = reason
        super().__init__(
            f"Too many {counted} {whose(client)} (limit: {limit}). Try again in {retry_after_s} s."
        )


class ClientShareFull(RateLimitExceeded):
    """The client already has its share of runs alive at once (see services/client_share.py)."""

    reason: RefusalReason = "client_share"

    def __init__(self, share: int, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        runs, which = ("runs is", "it") if share == 1 else ("runs are", "one")
        ServiceError.__init__(
            self,
            f"{share} of your {runs} still running, as many as one client may have at once; wait for "
            f"{which} to finish (try again in {retry_after_s} s).",
        )


class ClientLineFull(RateLimitExceeded):
    """The client already has as many runs waiting for their turn as one client may have."""

    reason: RefusalReason = "client_waiting"

    def __init__(self, waiting: int, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        runs, them = (
            ("runs is already waiting for its", "it")
            if waiting == 1
            else ("runs are already waiting for their", "them")
        )
        ServiceError.__init__(
            self,
            f"{waiting} of your {runs} turn, as many as one client may have waiting; wait for "
            f"{them} to start (try again in {retry_after_s} s).",
        )
