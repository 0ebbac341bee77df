"""A share per client: at most its allowance's `runs_alive` runs alive at once for one client on
this node, so that one address cannot hold every sandbox while others wait (issue 30). The share
is the client's own (services/allowances.py: by tier, or an account's own), so it comes with
each run.

Past its share a run is refused (`ClientShareFull`, 429), or, if its caller asked to wait, it
waits behind the client's own runs (at most `waiting_per_client` of them), first come first
served, until one of them ends or its deadline passes. Fairness between clients is the
sandbox's admission's (round-robin by client): waiting here only keeps a client's burst out of
it. Synchronous runs only (execute, submit, the live stream): asynchronous submissions wait their
turn under their own per-client bound. A share of 0 is none.

This node's runs only: in queue mode the share is counted over the whole deployment instead
(queue/share_leases.py), behind the same `Share` interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import NoReturn, Protocol

from execbox import metrics
from execbox.services.allowances import RunClient
from execbox.services.errors import ClientLineFull, ClientShareFull, NoTurnInTime

# What a client refused for its share is told to wait: about a short run.
RETRY_AFTER_S = 2

PositionSink = Callable[[int], None]


def ignore_position(position: int) -> None:
    pass


class Share(Protocol):
    async def check(self, client: RunClient, wait: bool = False) -> None:
        """Raise if `client` may not have one more run now (before it is counted for anything
        else, such as the rate limit): `ClientShareFull` past its share, or with `wait`,
        `ClientLineFull` when as many of its runs as may already wait."""
        ...

    def holding(
        self,
        client: RunClient,
        run_id: str,
        wait_until: float | None = None,
        on_position: PositionSink = ignore_position,
    ) -> contextlib.AbstractAsyncContextManager[None]:
        """One of `client`'s runs (`run_id`), alive for the duration. Past the share: refused,
        or with `wait_until` (a `time.time()`), in line until then (`NoTurnInTime` after it);
        `on_position` hears how many of the client's runs wait before this one."""
        ...


def refuse(per_client: int) -> NoReturn:
    metrics.RUNS_REFUSED.labels("client_share").inc()
    raise ClientShareFull(per_client, RETRY_AFTER_S)


def refuse_waiting(waiting_per_client: int) -> NoReturn:
    metrics.RUNS_REFUSED.labels("client_waiting").inc()
    raise ClientLineFull(waiting_per_client, RETRY_AFTER_S)


@dataclass(eq=False, slots=True)
class _Waiter:
    on_position: PositionSink
    turn: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class ClientShare:
    """This node's count (see `Share` for what the methods promise). Runs are counted under a
    share of 0 too, so that a share set meanwhile (an account's own) counts them."""

    def __init__(self, waiting_per_client: int) -> None:
        self.waiting_per_client = waiting_per_client
        self._alive: Counter[str] = Counter()
        self._waiting: dict[str, deque[_Waiter]] = {}

    async def check(self, client: RunClient, wait: bool = False) -> None:
        if not self._full(client):
            return
        if not wait:
            refuse(client.allowance.runs_alive)
        if len(self._waiting.get(client.key, ())) >= self.waiting_per_client:
            refuse_waiting(self.waiting_per_client)

    @contextlib.asynccontextmanager
    async def holding(
        self,
        client: RunClient,
        run_id: str,  # noqa: ARG002 -- counted, not named, on one node
        wait_until: float | None = None,
        on_position: PositionSink = ignore_position,
    ) -> AsyncIterator[None]:
        await self.check(client, wait=wait_until is not None)
        if self._full(client):
            assert wait_until is not None  # else `check` refused it
            try:
                await self._wait(client.key, wait_until, on_position)
            except TimeoutError:
                raise NoTurnInTime from None
        else:
            self._alive[client.key] += 1
        try:
            yield
        finally:
            self._leave(client.key)

    def _full(self, client: RunClient) -> bool:
        share = client.allowance.runs_alive
        return bool(share) and (self._alive[client.key] >= share or client.key in self._waiting)

    async def _wait(self, client: str, wait_until: float, on_position: PositionSink) -> None:
        """Until one of the client's runs hands its place over (counted, see `_leave`)."""
        waiter = _Waiter(on_position)
        line = self._waiting.setdefault(client, deque())
        line.append(waiter)
        on_position(len(line) - 1)
        metrics.RUNS_WAITING.labels("client_share").inc()
        try:
            await asyncio.wait_for(asyncio.shield(waiter.turn), wait_until - time.time())
        except (TimeoutError, asyncio.CancelledError):
            self._drop(client, waiter)
            raise
        finally:
            metrics.RUNS_WAITING.labels("client_share").dec()

    def _leave(self, client: str) -> None:
        """A run ended: its place goes to the client's first waiting run, else it is freed."""
        line = self._waiting.get(client)
        if line:
            line.popleft().turn.set_result(None)
            if not line:
                del self._waiting[client]
            self._tell_positions(client)
            return
        self._alive[client] -= 1
        if not self._alive[client]:
            del self._alive[client]

    def _drop(self, client: str, waiter: _Waiter) -> None:
        """A waiter gave up; if its place came meanwhile, the place goes on."""
        if waiter.turn.done():
            self._leave(client)
            return
        waiter.turn.cancel()
        line = self._waiting[client]
        line.remove(waiter)
        if not line:
            del self._waiting[client]
        self._tell_positions(client)

    def _tell_positions(self, client: str) -> None:
        for position, waiter in enumerate(self._waiting.get(client, ())):
            waiter.on_position(position)
