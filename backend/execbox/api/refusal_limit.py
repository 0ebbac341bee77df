"""Refused requests count too: each costs the server parsing and an answer, so a client that
keeps sending broken, oversized or rejected requests runs out of them, like runs.

A 400, 413 or 422 from the API (on the live stream: a close with 4400, 4413 or 4422) counts
against the client's `REFUSAL_RATE_LIMIT` allowance (apart from its runs' `RATE_LIMIT`: a person
fixing a mistake rarely meets it). Once it is spent, the client's API requests get 429 with
`Retry-After` before their bodies are read; a stream gets the stream's `error` message (429)
and close code 4429 before its run message is read.
"""

from __future__ import annotations

import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from execbox.api.errors import describe_service_error
from execbox.services.client_key import client_key
from execbox.services.errors import RateLimitExceeded, Unavailable
from execbox.services.rate_limit import RateLimiter

REFUSALS = frozenset({400, 413, 422})


class RefusalLimit:
    def __init__(self, app: ASGIApp, limiter: RateLimiter | None, secret_key: str, prefix: str) -> None:
        self.app = app
        self.limiter = limiter
        self.secret_key = secret_key
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter
        kind = scope["type"]
        if limiter is None or kind not in ("http", "websocket") or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        # Behind a named proxy, uvicorn has already put the real client's address here.
        address = scope["client"][0] if scope.get("client") else "unknown"
        client = client_key(self.secret_key, address)
        try:
            await limiter.check(client)
        except RateLimitExceeded as error:
            await (_too_many(send, error) if kind == "http" else _too_many_streams(receive, send, error))
            return
        except Unavailable:
            pass  # the run's own limiter answers 503; a refusal counter must not fail requests

        async def counting(message: Message) -> None:
            # Counted before the answer leaves: a client's next request must see this one.
            if _refusal(message) in REFUSALS:
                with contextlib.suppress(RateLimitExceeded, Unavailable):
                    await limiter.hit(client)
            await send(message)

        await self.app(scope, receive, counting)


async def _too_many(send: Send, error: RateLimitExceeded) -> None:
    status, problem, extra_headers = describe_service_error(error)
    body = json.dumps(problem).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in extra_headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _refusal(message: Message) -> int | None:
    """The status a message refuses with: an HTTP status, or a stream's close code 4000 + status."""
    if message["type"] == "http.response.start":
        return int(message["status"])
    if message["type"] == "websocket.close":
        return int(message.get("code", 1000)) - 4000
    return None


async def _too_many_streams(receive: Receive, send: Send, error: RateLimitExceeded) -> None:
    """As the stream refuses (docs/streaming.md): an `error` message, then close code 4429."""
    if (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    status, problem, _headers = describe_service_error(error)
    refusal = {"type": "error", "status": status, **problem}
    await send({"type": "websocket.send", "text": json.dumps(refusal)})
    await send({"type": "websocket.close", "code": 4429, "reason": "too many refused requests"})
