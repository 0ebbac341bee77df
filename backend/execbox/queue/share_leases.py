"""A client's share counted across every API node and worker (queue mode), as leases in Redis.

One sorted set per client: its synchronous runs in flight, each scored by the time its lease
lapses. An API node adds a run when it admits it (leased for as long as the node waits for its
verdict), and removes it when the verdict comes or the caller gives up. The worker that starts
the run shortens its lease to SHARE_LEASE_TTL_S and renews it while the run lives (worker/leases.py),
so a run whose worker died stops counting within one lease period. Lapsed runs are dropped
whenever the set is read.

A worker only renews runs already in the set: a run that was never counted (its client has no
share) is never counted by a worker either; a run restored after its worker died,
whose lease lapsed meanwhile, is not counted again.

A run sent with `wait` asks again every _POLL_S until the client is under its share: between
nodes there is no line, only this node's count of the client's runs waiting is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from execbox import metrics
from execbox.services.allowances import RunClient
from execbox.services.client_share import PositionSink, ignore_position, refuse, refuse_waiting
from execbox.services.errors import NoTurnInTime, Unavailable

T = TypeVar("T")
_POLL_S = 0.25

SHARE_KEY_PREFIX = "execbox:share:"
# As the worker's own run leases (queue/protocol.py): renewed every 2 s, lapsed after 6.
SHARE_LEASE_TTL_S = 6

# KEYS[1] the client's set; ARGV: now, share, lease end, run id, key TTL. 1 if taken, else 0.
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


def share_key(client: str) -> str:
    return SHARE_KEY_PREFIX + client


class SharedShare:
    """The share counted over the whole deployment (see client_share.Share for the promises);
    each client's is its own (services/allowances.py)."""

    def __init__(self, redis: Redis, waiting_per_client: int, verdict_wait_s: float) -> None:
        self.redis = redis
        self.waiting_per_client = waiting_per_client
        # An API node waits this long at most for a verdict: the lease until a worker starts it.
        self.verdict_wait_s = verdict_wait_s
        self._take = redis.register_script(_TAKE)
        self._waiting: Counter[str] = Counter()

    async def check(self, client: RunClient, wait: bool = False) -> None:
        share = client.allowance.runs_alive
        if not share:
            return
        if wait:
            if self._waiting[client.key] >= self.waiting_per_client:
                refuse_waiting(self.waiting_per_client)
        elif await _asking(self.count(client.key)) >= share:
            refuse(share)

    @contextlib.asynccontextmanager
    async def holding(
        self,
        client: RunClient,
        run_id: str,
        wait_until: float | None = None,
        on_position: PositionSink = ignore_position,
    ) -> AsyncIterator[None]:
        share = client.allowance.runs_alive
        if not share:  # not counted, so no worker renews it either
            yield
            return
        # `take` counts and refuses in one round trip: `check`'s count would only repeat it.
        if wait_until is not None and self._waiting[client.key] >= self.waiting_per_client:
            refuse_waiting(self.waiting_per_client)
        if not await _asking(self.take(client.key, run_id, share)):
            if wait_until is None:
                refuse(share)
            await self._wait(client.key, run_id, share, wait_until, on_position)
        try:
            yield
        finally:
            with contextlib.suppress(RedisError):  # else it lapses with its lease
                await asyncio.shield(self.give_back(client.key, run_id))

    async def _wait(
        self, client: str, run_id: str, share: int, wait_until: float, on_position: PositionSink
    ) -> None:
        on_position(0)  # other nodes' runs are not in a line this node can see
        self._waiting[client] += 1
        metrics.RUNS_WAITING.labels("client_share").inc()
        try:
            while time.time() + _POLL_S < wait_until:
                await asyncio.sleep(_POLL_S)
                if await _asking(self.take(client, run_id, share)):
                    return
            raise NoTurnInTime
        finally:
            metrics.RUNS_WAITING.labels("client_share").dec()
            self._waiting[client] -= 1
            if not self._waiting[client]:
                del self._waiting[client]

    async def count(self, client: str) -> int:
        return int(await self.redis.zcount(share_key(client), time.time(), "+inf"))

    async def take(self, client: str, run_id: str, share: int) -> bool:
        """Count `run_id` for `client` if the client is under its `share`: whether it was."""
        now = time.time()
        lease_until = now + self.verdict_wait_s
        key_ttl = int(self.verdict_wait_s) + SHARE_LEASE_TTL_S
        arguments: list[float | int | str] = [now, share, lease_until, run_id, key_ttl]
        return bool(await self._take(keys=[share_key(client)], args=arguments))

    async def give_back(self, client: str, run_id: str) -> None:
        await self.redis.zrem(share_key(client), run_id)


async def _asking(answer: Awaitable[T]) -> T:
    """Redis's answer, or `Unavailable` if Redis cannot give it."""
    try:
        return await answer
    except RedisError as error:
        raise Unavailable(
            f"The count of runs per client (in Redis) cannot be read ({type(error).__name__}); "
            "try again shortly."
        ) from error
