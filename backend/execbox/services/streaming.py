"""Live runs over a two-way connection: output out as it is written; stdin and stop in.

The connection (a WebSocket in the API) is seen through `LiveConnection`, so this dialogue is
the same whichever transport carries it; docs/streaming.md describes it for clients.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from pydantic import BaseModel

from execbox.schemas.execution import ExecutionResult
from execbox.schemas.stream import (
    CloseStdinMessage,
    ControlMessage,
    OutputMessage,
    QueuedMessage,
    ResultMessage,
    RunMessage,
    StartedMessage,
    StdinMessage,
    WaitingMessage,
)
from execbox.services.allowances import RunClient
from execbox.services.errors import InvalidRequest, ServiceError
from execbox.services.execution import ExecutionService
from execbox.services.live_session import InputWanted, LiveEvent, LiveSession, Outbox, Queued, Started
from execbox.services.runners.base import Job


class ClientGone(Exception):
    """The client closed the connection."""


class LiveConnection(Protocol):
    async def receive_control(self) -> ControlMessage:
        """The client's next message; raises ClientGone, or InvalidRequest for a bad one."""
        ...

    async def send(self, message: BaseModel) -> None:
        """Raises ClientGone when the client is no longer there."""
        ...


class StreamService:
    def __init__(self, execution: ExecutionService, max_stdin_length: int) -> None:
        self.execution = execution
        self.max_stdin_length = max_stdin_length

    async def serve(self, request: RunMessage, connection: LiveConnection, client: RunClient) -> None:
        """Run `request` live: the same checks as `execute`, its place in line while it waits
        (with `wait`), then output as it comes, then the verdict. Raises ServiceError when the
        run is refused or the client breaks the protocol. A run stopped, or whose client left,
        before it started is withdrawn: it never runs and nothing more is sent."""
        job = await self.execution.admit(request, client)
        outbox = Outbox()
        session = LiveSession(outbox.put, outbox.put_waiting, outbox.put_queue)
        session.stdin_chars = len(request.stdin)
        loop = asyncio.get_running_loop()
        sender = loop.create_task(_pass_output(outbox, connection, session))
        listener = loop.create_task(self._listen(connection, session))
        work = loop.create_task(self._run(job, session, client))
        stopped = loop.create_task(session.io.stopped.wait())
        try:
            await asyncio.wait([work, stopped], return_when=asyncio.FIRST_COMPLETED)
            if not work.done() and not session.has_started:
                work.cancel()
            await asyncio.wait([work])
        finally:
            for task in (work, stopped, listener):
                task.cancel()
            outbox.close()
            await asyncio.wait([sender, listener, stopped])
        refusal = None if listener.cancelled() else listener.result()
        if refusal is not None:
            raise refusal
        if work.cancelled():
            return
        await connection.send(ResultMessage(**work.result().model_dump()))

    async def _run(self, job: Job, session: LiveSession, client: RunClient) -> ExecutionResult:
        def place(position: int) -> None:
            session.queued(position, "client_share")

        async with self.execution.share.holding(client, job.id, job.start_by, place):
            return await self.execution.run(job, session)

    async def _listen(self, connection: LiveConnection, session: LiveSession) -> ServiceError | None:
        """Applies the client's messages until it leaves; a broken message stops the run."""
        while True:
            try:
                message = await connection.receive_control()
            except ClientGone:
                session.stop()
                return None
            except InvalidRequest as error:
                session.stop()
                return error
            if isinstance(message, StdinMessage):
                if session.stdin_chars + len(message.data) > self.max_stdin_length:
                    session.stop()
                    return InvalidRequest(
                        f"stdin is over {self.max_stdin_length} characters in all; the run was stopped"
                    )
                session.send_stdin(message.data)
            elif isinstance(message, CloseStdinMessage):
                session.close_stdin()
            else:
                session.stop()


async def _pass_output(outbox: Outbox, connection: LiveConnection, session: LiveSession) -> None:
    try:
        async for batch in outbox.batches():
            for event in batch:
                await connection.send(_message(event))
    except ClientGone:
        session.stop()


def _message(event: LiveEvent) -> BaseModel:
    if isinstance(event, InputWanted):
        return WaitingMessage(waiting=event.waiting)
    if isinstance(event, Queued):
        return QueuedMessage(position=event.position, reason=event.reason)
    if isinstance(event, Started):
        return StartedMessage()
    return OutputMessage(stream=event[0], data=event[1])
