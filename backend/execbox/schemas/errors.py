"""Error bodies: always a `detail` sentence a person can act on, plus specifics where useful."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    detail: str


class FieldProblem(BaseModel):
    field: str = Field(description="where in the request, e.g. 'body.limits.memory_mb'")
    message: str


class InvalidRequestBody(ErrorBody):
    errors: list[FieldProblem]


class ViolationOut(BaseModel):
    line: int = Field(description="1-based")
    col: int = Field(description="1-based")
    end_line: int | None
    end_col: int | None
    rule: str = Field(description="stable id, e.g. import-not-allowed")
    message: str


class PolicyRejection(ErrorBody):
    violations: list[ViolationOut]


class RetryLater(ErrorBody):
    retry_after_s: int = Field(description="seconds to wait before trying again, as in Retry-After")


class RateLimited(RetryLater):
    """Too many requests from one client (429)."""
