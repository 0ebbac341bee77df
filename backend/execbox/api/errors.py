"""Every refusal as JSON with a `detail` a person can act on; never a bare 500."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from execbox.schemas.errors import FieldProblem, Problem, ViolationOut
from execbox.services.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    PolicyRejected,
    RateLimitExceeded,
    ServerFull,
    ServiceError,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger(__name__)

# A refusal's size stays bounded whatever the body (schemas/strict.py bounds the count itself).
MAX_LISTED_PROBLEMS = 20


# pydantic's bound checks, as the end of "<name> must be ...".
_BOUNDS = {
    "greater_than": "greater than {gt}",
    "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}",
    "less_than_equal": "at most {le}",
}


_TEXT_LENGTHS = ("string_too_short", "string_too_long")
# Why, where the bound alone does not say it: (field, too short?) -> the end of the message.
_WHY = {
    ("query.q", True): "a search needs 3 characters or more of the code (fewer could not use its "
    "index); type more of it",
}


def _number(value: object) -> object:
    """0.0 as 0: a float field's bound reads as the whole number it is."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _field(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location) or "body"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type")
    if kind == "json_invalid":
        reason = str(error.get("ctx", {}).get("error", "invalid JSON")).removesuffix(" at")
        position = error["loc"][-1] if len(error["loc"]) > 1 else None
        where = f" at character {position}" if isinstance(position, int) else ""
        return f"The body is not valid JSON: {reason}{where}."
    if kind in ("model_attributes_type", "dict_type") and tuple(error["loc"]) == ("body",):
        return "The body must be a JSON object, sent with Content-Type: application/json."
    if kind == "missing" and tuple(error["loc"]) == ("body",):
        return 'The body is empty; send a JSON object such as {"code": "print(1)"}.'
    if kind == "missing":
        return "This field is required."
    name = error["loc"][-1] if error["loc"] else "the value"
    if kind in _BOUNDS:
        bound = _BOUNDS[kind].format(**{key: _number(value) for key, value in error.get("ctx", {}).items()})
        return f"{name} must be {bound}, got {error.get('input')}."
    # A text with a validator of its own (schemas/text.py) is bounded as a sequence: too_short.
    if kind in _TEXT_LENGTHS or (kind in ("too_short", "too_long") and isinstance(error.get("input"), str)):
        return _length_message(name, error)
    if kind == "string_pattern_mismatch":
        # Not the value: a malformed secret (an owner token) is not echoed back.
        return f"{name} must match the pattern {error.get('ctx', {}).get('pattern')}."
    if kind == "int_parsing":
        return f"{name} must be an integer, got {error.get('input')!r}."
    if kind == "extra_forbidden":
        return "This field is not known; check its spelling."
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def _length_message(name: object, error: dict[str, Any]) -> str:
    """The bound and the length sent, never the text (it may be a password): `q must be at most
    100 characters long, got 150.`"""
    context = error.get("ctx", {})
    short = error["type"] in ("string_too_short", "too_short")
    bound = context.get("min_length") if short else context.get("max_length")
    text = error.get("input")
    got = f", got {len(text)}" if isinstance(text, str) else ""
    characters = f"{bound} character{'s' * (bound != 1)}"
    why = _WHY.get((_field(error["loc"]), short))
    because = f": {why}" if why else ""
    return f"{name} must be {'at least' if short else 'at most'} {characters} long{got}{because}."


def field_problems(errors: Sequence[Any]) -> list[FieldProblem]:
    """pydantic's validation errors, each as a field and a sentence saying what to fix."""
    problems = []
    for error in errors:
        location = error["loc"]
        if error.get("type") == "json_invalid":
            location = location[:1]
        problems.append(FieldProblem(field=_field(location), message=_message(error)))
    return problems


async def _invalid_body(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    problems = field_problems(errors[:MAX_LISTED_PROBLEMS])
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:3])
    more = len(errors) - len(problems)
    if more:
        summary += f" ({more} more problem{'s' * (more != 1)} not listed)"
    body = Problem(detail=f"The request is invalid. {summary}", errors=problems)
    return JSONResponse(body.body(), status_code=422)


def _http_detail(request: Request, exc: HTTPException) -> str:
    """Starlette's and FastAPI's own wordings, replaced by ones that say what to do."""
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        return (
            f"The body is not valid UTF-8 (byte 0x{cause.object[cause.start]:02x} at offset {cause.start}); "
            "send JSON encoded as UTF-8."
        )
    if isinstance(cause, RecursionError):
        return "The JSON body is nested too deeply to read; send a flat object."
    if exc.status_code == 400 and cause is not None:
        return f"The body could not be read as JSON ({type(cause).__name__}); send a JSON object."
    if exc.status_code == 404 and exc.detail == "Not Found":
        return f"There is nothing at {request.url.path}; the API lives under /api/v1 (see /docs)."
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return f"{request.method} is not allowed on {request.url.path}; use {allowed or 'another method'}."
    return str(exc.detail)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at the request's path (Starlette's 405 names only those of
    the first route that matched the path, e.g. POST where GET is served too)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    return ", ".join(allowed)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
        exc.headers = headers
    return JSONResponse({"detail": _http_detail(request, exc)}, status_code=exc.status_code, headers=headers)


def describe_service_error(exc: ServiceError) -> tuple[int, dict[str, Any], dict[str, str]]:
    """A refusal's HTTP status, JSON body and headers (the stream sends the same body)."""
    if isinstance(exc, PolicyRejected):
        violations = [
            ViolationOut(
                line=v.line, col=v.col, end_line=v.end_line, end_col=v.end_col, rule=v.rule, message=v.message
            )
            for v in exc.violations
        ]
        return 422, Problem(detail=str(exc), violations=violations).body(), {}
    if isinstance(exc, RateLimitExceeded):
        body = Problem(detail=str(exc), retry_after_s=exc.retry_after_s, reason=exc.reason)
        return 429, body.body(), {"Retry-After": str(exc.retry_after_s)}
    if isinstance(exc, Unavailable):
        if not isinstance(exc, ServerFull):  # a full server is working as meant
            log.warning("unavailable: %s", exc)
        retry = Problem(detail=str(exc), retry_after_s=exc.retry_after_s, reason=exc.reason)
        return 503, retry.body(), {"Retry-After": str(exc.retry_after_s)}
    if isinstance(exc, Unauthorized):
        return 401, {"detail": str(exc)}, {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, InvalidRequest):
        # The same shape as a body that does not validate: clients read one kind of 422.
        problems = [FieldProblem(field=field, message=message) for field, message in exc.problems]
        return 422, Problem(detail=str(exc), errors=problems).body(), {}
    if isinstance(exc, Forbidden):
        return 403, {"detail": str(exc)}, {}
    if isinstance(exc, Conflict):
        return 409, {"detail": str(exc)}, {}
    return (404 if isinstance(exc, NotFound) else 400), {"detail": str(exc)}, {}


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    status, body, headers = describe_service_error(exc)
    return JSONResponse(body, status, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "The server failed unexpectedly; the error was logged. Try again."}, 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_body)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(Exception, _unexpected)
