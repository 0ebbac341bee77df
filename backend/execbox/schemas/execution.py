"""Bodies of the execute and submit endpoints."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from execbox.sandbox.result import ResultMime, RunStatus
from execbox.schemas.input_files import FILES_DESCRIPTION, InputFileIn
from execbox.schemas.strict import StrictBody
from execbox.schemas.text import PlainText, UnicodeText


class LimitsIn(StrictBody):
    """Lower limits for this run; each may be at most the operator's maximum (see /api/v1/runtime)."""

    # Strict: "512" or true is a client's mistake to point out, not a number to guess.
    model_config = ConfigDict(extra="forbid", strict=True)

    wall_time_s: float | None = Field(None, gt=0, description="wall-clock limit in seconds")
    cpu_time_s: float | None = Field(None, gt=0, description="CPU-time limit in seconds")
    memory_mb: int | None = Field(None, gt=0, description="memory limit in MiB")
    output_bytes: int | None = Field(None, gt=0, description="output limit per stream in bytes")
    results_bytes: int | None = Field(None, gt=0, description="limit on all rich results' data in bytes")


class ExecuteRequest(StrictBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code": "import numpy as np\nprint(np.arange(5).sum())"}]},
    )

    code: UnicodeText = Field(description="the Python program")
    stdin: PlainText = Field("", description="what the program reads from standard input")
    limits: LimitsIn | None = None
    # Optional rather than a default list: clients generated from the schema need not send it.
    files: list[InputFileIn] | None = Field(None, description=FILES_DESCRIPTION)
    wait: StrictBool = Field(
        False,
        description=(
            "when every sandbox is busy, or this client already has its share of runs alive: wait "
            "for a turn (at most RUN_WAIT_MAX_S; turns go round-robin between clients) instead of "
            "being refused with 503 or 429"
        ),
    )


class Visibility(enum.StrEnum):
    """Who may read a saved submission."""

    UNLISTED = "unlisted"  # whoever has its id (its link)
    PRIVATE = "private"  # its account alone: 404 to anybody else


_VISIBILITY_DESCRIPTION = (
    "who may read the saved submission: `unlisted`, whoever has its id (its link); `private`, its "
    "account alone (needs credentials: an access token or an API key)"
)


class SubmitRequest(ExecuteRequest):
    """A run to save (POST /submit, /submissions)."""

    visibility: Visibility = Field(Visibility.UNLISTED, description=_VISIBILITY_DESCRIPTION)


class ErrorOut(BaseModel):
    type: str
    message: str
    line: int | None = Field(description="line in the user's code, when the exception came from it")


class TruncatedOut(BaseModel):
    stdout: bool
    stderr: bool


class RichResultOut(BaseModel):
    """A value the program displayed (see docs/streaming.md): a table, a figure or a repr."""

    mime: ResultMime
    data: str = Field(description="HTML or text; base64 for image/png")


class LimitOut(BaseModel):
    name: str = Field(description="wall_time_s, cpu_time_s, memory_mb, output_bytes or results_bytes")
    value: float = Field(description="the limit's value for this run")


class ExecutionResult(BaseModel):
    status: RunStatus
    exit_code: int | None
    signal: str | None = Field(description="name of the signal that ended the program, e.g. SIGKILL")
    stdout: str
    stderr: str
    truncated: TruncatedOut = Field(description="which streams were cut at the output limit")
    error: ErrorOut | None
    wall_ms: float
    cpu_ms: float
    memory_kb: int = Field(description="peak memory")
    results: list[RichResultOut] = Field(
        description="the final expression's value, display() calls and figures, in order"
    )
    limit_hit: LimitOut | None = Field(
        None, description="the limit that ended the run (timeout, memory_limit, output_limit)"
    )
    waiting_for_input: bool = Field(
        False, description="the program was blocked reading its stdin when it ran out of time or was stopped"
    )
    receipt: str | None = Field(
        None,
        description="the server's signature on this run: to save it as it is, failing or not, send it "
        "back within a day to POST /code/shares with the code, the input the program was given "
        "(for a live run: the first stdin and all that was typed) and this result",
    )


_OWNER_TOKEN_DESCRIPTION = (
    "set when a submission was saved for a request that sent neither credentials nor an X-Owner-Token: "  # noqa: S105
    "a new owner token. "
    "Keep it and send it as the X-Owner-Token header with later submissions: "
    "GET /submissions lists only the submissions made with it. It is shown only this once."
)


class SubmitResult(ExecutionResult):
    saved: bool = Field(description="only successful runs are saved")
    id: str | None = Field(description="the saved submission's id, when saved")
    owner_token: str | None = Field(None, description=_OWNER_TOKEN_DESCRIPTION)


class ShareRequest(StrictBody):
    """A run the server returned, to be saved as it is: no new run."""

    code: UnicodeText
    stdin: PlainText = ""
    result: ExecutionResult = Field(description="the run's result, exactly as the server returned it")
    receipt: str = Field(max_length=128, description="the result's `receipt`")
    visibility: Visibility = Field(Visibility.UNLISTED, description=_VISIBILITY_DESCRIPTION)


class SharedRun(BaseModel):
    id: str
    url: str = Field(description="the saved run's address in the API (GET it to read the run back)")
    owner_token: str | None = Field(None, description=_OWNER_TOKEN_DESCRIPTION)


class PendingStatus(enum.StrEnum):
    """A submission that has no verdict yet."""

    QUEUED = "queued"
    RUNNING = "running"


SubmissionStatus = PendingStatus | RunStatus


class Submission(BaseModel):
    """A saved run. Queued and running ones have no result fields yet (they are null)."""

    id: str
    code: str
    stdin: str
    created_at: datetime
    finished_at: datetime | None
    status: SubmissionStatus
    exit_code: int | None
    signal: str | None
    stdout: str | None
    stderr: str | None
    truncated: TruncatedOut | None
    error: ErrorOut | None
    wall_ms: float | None
    cpu_ms: float | None
    memory_kb: int | None
    results: list[RichResultOut] | None
    visibility: Visibility


class SubmissionAccepted(BaseModel):
    id: str
    status: PendingStatus
    url: str = Field(
        description="where to GET the submission's status and, when done, its result: a path on this "
        "server, or an absolute URL under the operator's PUBLIC_URL"
    )
    owner_token: str | None = Field(None, description=_OWNER_TOKEN_DESCRIPTION)


class SubmissionSummary(BaseModel):
    id: str
    created_at: datetime
    status: SubmissionStatus
    code_preview: str = Field(description="the first line of the code, shortened")
    wall_ms: float | None
    visibility: Visibility


# A page's place in the list: the sequence number of the last submission it showed, at most 18
# digits (every such number fits the database's BIGINT, so every cursor of this form is accepted).
CURSOR_PATTERN = r"^[1-9][0-9]{0,17}$"
# The text a listing searches the code for (`q`): enough for a line of code, and a bound on the
# pattern each row is matched against. At least 3 characters: PostgreSQL's search index holds
# the code's 3-character pieces (trigrams), and cannot narrow down a search for fewer.
MIN_SEARCH_LENGTH = 3
MAX_SEARCH_LENGTH = 100


class SubmissionPage(BaseModel):
    items: list[SubmissionSummary]
    next_cursor: str | None = Field(
        pattern=CURSOR_PATTERN, description="pass as `cursor` for the next page; null on the last"
    )
