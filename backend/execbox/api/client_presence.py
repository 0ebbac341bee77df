"""A synchronous run is for a client that waits for it: when the client hangs up, its run is
stopped and its sandbox freed, instead of running on for nobody."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request

from execbox import metrics

T = TypeVar("T")

# nginx's "client closed request": written to the access log, never read by the client.
CLIENT_CLOSED_REQUEST = 499


async def while_connected(request: Request, work: Coroutine[Any, Any, T]) -> T:
    """What `work` returns, unless the client disconnects first: then `work` is cancelled (a
    run in the sandbox is killed) and the request ends with 499."""
    loop = asyncio.get_running_loop()
    running = loop.create_task(work)
    leaving = loop.create_task(_disconnect(request))
    try:
        await asyncio.wait((running, leaving), return_when=asyncio.FIRST_COMPLETED)
    finally:
        leaving.cancel()
        if not running.done():
            running.cancel()
            # The run's own clean-up (its sandbox given back) finishes before the answer.
            await asyncio.gather(running, return_exceptions=True)
    if not running.cancelled():
        return running.result()
    metrics.RUNS_ABANDONED.inc()
    raise HTTPException(CLIENT_CLOSED_REQUEST, "The client closed the connection; its run was stopped.")


async def _disconnect(request: Request) -> None:
    # The body is read already: the next message is the disconnect, whenever it comes.
    while (await request.receive())["type"] != "http.disconnect":
        pass
