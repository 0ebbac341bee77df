"""Per-client rate limits (on runs, on refused requests), kept in memory or, shared by every API
node, in Redis."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Awaitable, Callable

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from execbox.schemas.errors import RefusalReason
from execbox.services.errors import RateLimitExceeded, Unavailable

_REDIS_TIMEOUT_S = 2.0  # an unreachable Redis answers clients with 503 quickly, not a hang


@functools.lru_cache(maxsize=256)
def _items(limit: str) -> tuple[RateLimitItem, ...]:
    """`limit` parsed once: a client's own limit (services/allowances.py) comes with each run."""
    return tuple(parse_many(limit))


def _async_storage(uri: str, **options: float | str | bool) -> Storage:
    storage = storage_from_string(uri, **options)
    assert isinstance(storage, Storage), uri  # the async+ scheme selects an asyncio storage
    return storage


class RateLimiter:
    def __init__(
        self, limit: str, redis_url: str | None, counts: str = "runs", reason: RefusalReason = "rate_limit"
    ) -> None:
        self.limit = limit
        self.counts = counts  # what is counted: names the window in the store and in refusals
        self.reason = reason
        _items(limit)  # a limit that does not parse fails here, not at the first run
        self.storage: Storage = (
            _async_storage(
                f"async+{redis_url}",
                implementation="redispy",
                wrap_exceptions=True,
                socket_timeout=_REDIS_TIMEOUT_S,
                socket_connect_timeout=_REDIS_TIMEOUT_S,
            )
            if redis_url
            else MemoryStorage()
        )
        base = self.storage.base_exceptions
        self._storage_errors: tuple[type[Exception], ...] = (
            StorageError,
            *(base if isinstance(base, tuple) else (base,)),
        )
        self.strategy = MovingWindowRateLimiter(self.storage)

    async def hit(self, client: str, limit: str | None = None) -> None:
        """Count one for `client`, or raise `RateLimitExceeded` with the wait until the next.
        `limit`: the client's own, instead of the limiter's."""
        await self._count(client, self.strategy.hit, limit or self.limit)

    async def check(self, client: str, limit: str | None = None) -> None:
        """Raise `RateLimitExceeded` if `client` has nothing left, without counting."""
        await self._count(client, self.strategy.test, limit or self.limit)

    async def _count(
        self, client: str, step: Callable[[RateLimitItem, str, str], Awaitable[bool]], limit: str
    ) -> None:
        # Each window is kept under its own amount and period: a client whose limit changes starts
        # a fresh count under the new one.
        try:
            for item in _items(limit):
                if not await step(item, self.counts, client):
                    stats = await self.strategy.get_window_stats(item, self.counts, client)
                    wait = max(1, math.ceil(stats.reset_time - time.time()))
                    raise RateLimitExceeded(limit, wait, self.counts, client, self.reason)
        except self._storage_errors as error:
            raise Unavailable(
                f"The rate limiter's store is unavailable ({type(error).__name__}); try again shortly."
            ) from error

    async def ready(self) -> bool:
        try:
            return await self.storage.check()
        except self._storage_errors:
            return False
