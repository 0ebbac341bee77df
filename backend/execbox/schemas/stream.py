"""Messages of the live stream (`/api/v1/code/stream`); docs/streaming.md describes the dialogue.

They are published in the OpenAPI document's components (`StreamClientMessage`,
`StreamServerMessage`: api/published_schema.py), so clients type them from the schema too."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from execbox.schemas.errors import Problem
from execbox.schemas.execution import ExecuteRequest, ExecutionResult
from execbox.schemas.strict import StrictBody
from execbox.schemas.text import PlainText


class RunMessage(ExecuteRequest):
    """The first message: what `POST /api/v1/code/execute` takes, and `type`."""

    type: Literal["run"]


class _Control(StrictBody):
    pass


class StdinMessage(_Control):
    type: Literal["stdin"]
    data: PlainText = Field(description='appended to the program\'s stdin as is, e.g. "line\\n"')


class CloseStdinMessage(_Control):
    type: Literal["close_stdin"]


class StopMessage(_Control):
    type: Literal["stop"]


ControlMessage = Annotated[StdinMessage | CloseStdinMessage | StopMessage, Field(discriminator="type")]


class QueuedMessage(BaseModel):
    """The run (sent with `wait`) waits for its turn; sent again as its place changes, then
    `started`."""

    type: Literal["queued"] = "queued"
    position: int = Field(ge=0, description="runs that start before this one (0: it is next)")
    reason: Literal["server_full", "client_share"] = Field(
        description="server_full: every sandbox is busy; client_share: the client's other runs hold its share"
    )


class StartedMessage(BaseModel):
    type: Literal["started"] = "started"


class OutputMessage(BaseModel):
    type: Literal["output"] = "output"
    stream: Literal["stdout", "stderr"]
    data: str


class WaitingMessage(BaseModel):
    """The program started (`waiting`: true) or stopped waiting for input: blocked reading its
    stdin, as the host sees it (whatever it reads with), within 0.2 s."""

    type: Literal["waiting_for_input"] = "waiting_for_input"
    waiting: bool


class ResultMessage(ExecutionResult):
    type: Literal["result"] = "result"


class ErrorMessage(Problem):
    """Refused, or the client broke the protocol: the HTTP API's body for `status`; the server
    then closes the socket with 4000 + status (e.g. 4422)."""

    type: Literal["error"] = "error"
    status: int = Field(ge=400, le=599, description="the HTTP status the same refusal would have")


ClientMessage = Annotated[RunMessage | ControlMessage, Field(discriminator="type")]
ServerMessage = Annotated[
    QueuedMessage | StartedMessage | OutputMessage | WaitingMessage | ResultMessage | ErrorMessage,
    Field(discriminator="type"),
]
