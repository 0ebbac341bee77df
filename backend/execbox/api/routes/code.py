"""Run code, save runs, read saved ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from execbox.api.client_presence import while_connected
from execbox.api.deps import ClientDep, OwnerDep, ServicesDep
from execbox.api.responses import problem_responses
from execbox.schemas.execution import (
    CURSOR_PATTERN,
    MAX_SEARCH_LENGTH,
    MIN_SEARCH_LENGTH,
    ExecuteRequest,
    ExecutionResult,
    SharedRun,
    ShareRequest,
    Submission,
    SubmissionAccepted,
    SubmissionPage,
    SubmitRequest,
    SubmitResult,
)
from execbox.schemas.text import PlainText

router = APIRouter(prefix="/code", tags=["code"])

# 401: only with accounts on (ACCOUNTS_ENABLED), for credentials that are not valid, or none
# where ANONYMOUS_RUNS=false.
_RUN_RESPONSES = problem_responses(401, 422, 503)


@router.post("/execute", responses=_RUN_RESPONSES)
async def execute(
    body: ExecuteRequest, services: ServicesDep, client: ClientDep, request: Request
) -> ExecutionResult:
    """Run the code in the sandbox and return its verdict and output."""
    return await while_connected(request, services.execution.execute(body, client))


@router.post("/submit", responses=_RUN_RESPONSES)
async def submit(
    body: SubmitRequest, services: ServicesDep, client: ClientDep, owner: OwnerDep, request: Request
) -> SubmitResult:
    """Run the code; when it succeeds, save it and return the submission's `id`."""
    return await while_connected(request, services.submissions.submit(body, client, owner))


@router.post("/submissions", status_code=202, responses=_RUN_RESPONSES)
async def submit_later(
    body: SubmitRequest, services: ServicesDep, client: ClientDep, owner: OwnerDep, request: Request
) -> SubmissionAccepted:
    """Queue the code and answer at once; GET the submission until its status is final."""
    url = _submission_url(request, services)
    return await services.submissions.submit_later(body, client, owner, url)


@router.post(
    "/shares",
    status_code=201,
    responses=problem_responses(
        401,
        422,
        503,
        s422="the receipt does not match the run or has expired (`errors`), or the body is invalid",
        s503="the database is unavailable; see Retry-After",
    ),
)
async def share(
    body: ShareRequest, services: ServicesDep, client: ClientDep, owner: OwnerDep, request: Request
) -> SharedRun:
    """Save a run as it ended (failing, timed out or stopped included) without running it again:
    its code, input and result as `/execute` or the stream returned them, with their `receipt`.
    Its `id` is its permalink; it is kept whatever its verdict."""
    return await services.submissions.share(body, client, owner, _submission_url(request, services))


def _submission_url(request: Request, services: ServicesDep) -> str:
    """A saved submission's URL, with `{id}` to fill in."""
    path = request.app.url_path_for("get_submission", submission_id="{id}").replace("%7Bid%7D", "{id}")
    # From configuration, never from the request's Host (a poisoned link).
    return f"{services.settings.PUBLIC_URL or ''}{path}"


_SubmissionId = Annotated[str, Path(max_length=64)]


@router.get("/submissions/{submission_id}", responses=problem_responses(401, 404, 422))
async def get_submission(submission_id: _SubmissionId, services: ServicesDep, reader: OwnerDep) -> Submission:
    """A saved submission: its code, input, output and verdict. A private one is shown to its
    account alone: to anybody else it does not exist (404)."""
    return await services.submissions.get(submission_id, reader)


@router.delete(
    "/submissions/{submission_id}",
    status_code=204,
    responses=problem_responses(401, 404, 409, 422, s409="the submission has no verdict yet"),
)
async def delete_submission(submission_id: _SubmissionId, services: ServicesDep, owner: OwnerDep) -> Response:
    """Delete one of your submissions (your account's, or your X-Owner-Token's) for good, once it
    has its verdict."""
    await services.submissions.delete(submission_id, owner)
    return Response(status_code=204)


@router.get("/submissions", responses=problem_responses(401, 422))
async def list_submissions(
    services: ServicesDep,
    owner: OwnerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    # The format is published, checked by the store: a cursor of another form is named as such.
    cursor: Annotated[str | None, Query(max_length=64, json_schema_extra={"pattern": CURSOR_PATTERN})] = None,
    mine: Annotated[
        bool, Query(description="list your account's submissions, and refuse (401) without credentials")
    ] = False,
    # PlainText: saved code holds no NUL (it would not parse), and PostgreSQL's text could not take one.
    q: Annotated[
        PlainText | None,
        Query(
            min_length=MIN_SEARCH_LENGTH,
            max_length=MAX_SEARCH_LENGTH,
            description="only the submissions whose code contains this text (3 to 100 characters), "
            "ignoring case (ASCII letters everywhere); `%` and `_` are taken literally",
        ),
    ] = None,
) -> SubmissionPage:
    """Your saved submissions, newest first: your account's (with credentials), else those made
    with your `X-Owner-Token`; follow `next_cursor` for older ones, with the same `q`. There is no
    public list: nobody lists anybody else's, and without credentials or a token the list is empty."""
    return await services.submissions.page(owner, limit, cursor, mine=mine, search=q)
