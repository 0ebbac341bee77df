"""The refusals an operation can answer, as the OpenAPI document lists them: every one with the
one `Problem` body, so a generated client reads every refusal the same way."""

from __future__ import annotations

from typing import Any

from execbox.schemas.errors import Problem

_WHY = {
    400: "the Host is not one this server serves, or the body is not JSON encoded as UTF-8",
    401: "the credentials sent (access token or API key) are not valid, or none were sent where "
    "they are needed (see WWW-Authenticate): sign in",
    403: "the credentials are valid but may not do this: an administrator's, signed in with a password",
    404: "there is nothing with that id",
    409: "there is one already (an account with that e-mail address)",
    413: "the request body is larger than this server takes",
    422: "the request is invalid (`errors` says where), or the code breaks the code policy (`violations`)",
    429: "too many runs, runs alive or refused requests from this client; see Retry-After",
    503: "every sandbox is busy, or the sandbox or a store is unavailable; see Retry-After",
}

# What any request under /api/v1 may be answered, before its route runs (front_door, body_limit,
# refusal_limit).
ANY_API_REQUEST = (400, 413, 429)


def problem_responses(*statuses: int, **why: str) -> dict[int | str, dict[str, Any]]:
    """`statuses` with the `Problem` body, each described as usual or as `why["s<status>"]`."""
    return {
        status: {"model": Problem, "description": why.get(f"s{status}", _WHY[status])} for status in statuses
    }
