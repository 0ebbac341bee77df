"""Error bodies: always a `detail` sentence a person can act on, plus specifics where useful."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# Why a 429 or 503 came, for programs (the `detail` says it to people).
RefusalReason = Literal[
    "rate_limit",  # too many runs a minute (RATE_LIMIT)
    "refusal_limit",  # too many refused requests (REFUSAL_RATE_LIMIT)
    "sign_in_limit",  # too many sign-in or registration attempts (LOGIN_RATE_LIMIT)
    "async_waiting",  # too many asynchronous submissions waiting (ASYNC_MAX_WAITING_PER_CLIENT)
    "client_share",  # as many runs alive as one client may have (CLIENT_RUNS_ALIVE)
    "client_waiting",  # as many runs waiting as one client may have (CLIENT_RUNS_WAITING)
    "server_full",  # every sandbox busy
    "no_turn",  # a run sent with `wait` got no turn within RUN_WAIT_MAX_S
    "unavailable",  # the sandbox, a store or the queue cannot serve now
]


class FieldProblem(BaseModel):
    field: str = Field(description="where in the request, e.g. 'body.limits.memory_mb'")
    message: str


class ViolationOut(BaseModel):
    line: int = Field(description="1-based")
    col: int = Field(description="1-based")
    end_line: int | None
    end_col: int | None
    rule: str = Field(description="stable id, e.g. import-not-allowed")
    message: str


class Problem(BaseModel):
    """The body of every refusal (4xx and 503), whatever refused it: a sentence, and the
    specifics a program needs where there are some (absent otherwise)."""

    detail: str = Field(description="what went wrong and what to do about it, for a person")
    errors: list[FieldProblem] | None = Field(
        None, description="422: each part of the request at fault and what is wrong with it"
    )
    violations: list[ViolationOut] | None = Field(
        None, description="422: where and how the code breaks the code policy"
    )
    retry_after_s: int | None = Field(
        None, description="429 and 503: seconds to wait before trying again, as in Retry-After"
    )
    reason: RefusalReason | None = Field(None, description="429 and 503: why, as a word a program can test")

    def body(self) -> dict[str, object]:
        """As sent: without the specifics it does not have (theirs keep their nulls)."""
        return {name: value for name, value in self.model_dump().items() if value is not None}
