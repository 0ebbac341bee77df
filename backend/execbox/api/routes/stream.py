"""The live stream: one run per WebSocket (docs/streaming.md)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, TypeAdapter, ValidationError

from execbox.api.deps import BEARER_SUBPROTOCOL, ServicesDep, offered_subprotocols, request_caller, run_client
from execbox.api.errors import MAX_LISTED_PROBLEMS, describe_service_error, field_problems
from execbox.api.front_door import origin_allowed
from execbox.schemas.stream import ControlMessage, ErrorMessage, RunMessage
from execbox.services.errors import InvalidRequest, ServiceError
from execbox.services.streaming import ClientGone

router = APIRouter(prefix="/code", tags=["code"])
log = logging.getLogger(__name__)

_FIRST_MESSAGE_TIMEOUT_S = 10.0
_CONTROL = TypeAdapter[ControlMessage](ControlMessage)
# A close frame's reason has room for 123 bytes of UTF-8.
_CLOSE_REASON_BYTES = 120


@router.websocket("/stream")
async def stream(websocket: WebSocket, services: ServicesDep) -> None:
    """Run code live: output as it is printed, stdin while it runs, stop at will."""
    # A browser that offered its credential this way drops a connection that selects no subprotocol.
    bearer = offered_subprotocols(websocket)[0] == BEARER_SUBPROTOCOL
    await websocket.accept(subprotocol=BEARER_SUBPROTOCOL if bearer else None)
    connection = _WebSocketConnection(websocket)
    origin = websocket.headers.get("origin")
    if not origin_allowed(origin, websocket.headers.get("host", ""), services.settings.ALLOWED_ORIGINS):
        detail = (
            f"Pages from {(origin or '')[:100]!r} may not run code on this server; open its own web UI, "
            "or ask its operator to list that origin in ALLOWED_ORIGINS."
        )
        await connection.refuse(403, {"detail": detail})
        return
    try:
        # A refusal is an error message, as any.
        client = await run_client(websocket, services, await request_caller(websocket, services))
        request = await asyncio.wait_for(connection.receive_run(), _FIRST_MESSAGE_TIMEOUT_S)
        await services.streaming.serve(request, connection, client)
    except ClientGone:
        return
    except TimeoutError:
        detail = f"No run message came within {_FIRST_MESSAGE_TIMEOUT_S:.0f} s of connecting; send it first."
        await connection.refuse(408, {"detail": detail})
    except ServiceError as error:
        status, body, _headers = describe_service_error(error)
        await connection.refuse(status, body)
    except Exception:
        log.exception("the live stream failed")
        await connection.refuse(500, {"detail": "The server failed unexpectedly; the error was logged."})
    else:
        await connection.close(1000)


class _WebSocketConnection:
    """A WebSocket as the stream service sees it: typed messages in, models out."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def receive_run(self) -> RunMessage:
        text = await self._receive_text()
        try:
            return RunMessage.model_validate_json(text)
        except ValidationError as error:
            raise _invalid("The run message is invalid", error) from None

    async def receive_control(self) -> ControlMessage:
        text = await self._receive_text()
        try:
            return _CONTROL.validate_json(text)
        except ValidationError as error:
            raise _invalid("The message is not one this stream understands", error) from None

    async def send(self, message: BaseModel) -> None:
        await self._send_text(message.model_dump_json())

    async def refuse(self, status: int, body: dict[str, Any]) -> None:
        """An error message, then the close code 4000 + status (e.g. 4422)."""
        try:
            await self._send_text(json.dumps(ErrorMessage.model_validate({**body, "status": status}).body()))
            reason = str(body.get("detail", "")).encode()[:_CLOSE_REASON_BYTES].decode(errors="ignore")
            await self.close(4000 + status, reason)
        except ClientGone:
            pass

    async def close(self, code: int, reason: str = "") -> None:
        try:
            await self.websocket.close(code, reason)
        except (WebSocketDisconnect, RuntimeError, OSError):
            raise ClientGone from None

    async def _receive_text(self) -> str:
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise ClientGone
        text = message.get("text")
        if text is None:
            raise InvalidRequest("Send messages as JSON text frames, not binary ones.")
        return str(text)

    async def _send_text(self, text: str) -> None:
        try:
            await self.websocket.send_text(text)
        except (WebSocketDisconnect, RuntimeError, OSError):
            raise ClientGone from None


def _invalid(what: str, error: ValidationError) -> InvalidRequest:
    problems = field_problems(error.errors())
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:3])
    listed = [(p.field, p.message) for p in problems[:MAX_LISTED_PROBLEMS]]
    return InvalidRequest(f"{what}. {summary}", listed)
