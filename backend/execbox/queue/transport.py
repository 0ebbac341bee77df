"""kombu's Redis transport, with one redis-py client per channel instead of one per command.

kombu builds a new `redis.Redis` for every publish, every delivery's unacknowledged-message
bookkeeping and every acknowledgement (`Channel.conn_or_acquire`). They all share the channel's
connection pool, so the client holds nothing of its own; building one costs 0.1 to 0.35 ms here,
three times on each run's path between the API and a worker. redis-py clients are safe to share
between threads (a command takes a connection from the pool for its duration), so one serves
the consumer and the task threads alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    _client_for_commands: Any = None

    @contextmanager
    def conn_or_acquire(self, client: Any | None = None) -> Iterator[Any]:
        if client:
            yield client
            return
        shared = self._client_for_commands
        # After kombu replaced a broken pool, the client follows it.
        if shared is None or shared.connection_pool is not self.pool:
            shared = self._client_for_commands = self._create_client()  # type: ignore[attr-defined]
        yield shared


class Transport(redis.Transport):
    Channel = Channel
