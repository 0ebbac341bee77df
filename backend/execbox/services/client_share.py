"""A share per client: at most `per_client` runs alive at once for one client on this node, so
that one address cannot hold every sandbox while others wait (issue 30).

Synchronous runs only (execute, submit, the live stream): asynchronous submissions wait their
turn under their own per-client bound. Counted per node: in queue mode each API node keeps its
own count (a count shared through Redis is the next step of issue 30). 0 turns the share off.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

from execbox import metrics
from execbox.services.errors import ClientShareFull

# What a client refused for its share is told to wait: about a short run.
_RETRY_AFTER_S = 2


class ClientShare:
    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._alive: Counter[str] = Counter()

    def check(self, client: str) -> None:
        """Raise `ClientShareFull` if `client` has its share alive now (before it is counted for
        anything else, such as the rate limit)."""
        if self.per_client and self._alive[client] >= self.per_client:
            metrics.RUNS_REFUSED.labels("client_share").inc()
            raise ClientShareFull(self.per_client, _RETRY_AFTER_S)

    @contextlib.contextmanager
    def holding(self, client: str) -> Iterator[None]:
        """One of `client`'s runs, alive for the duration."""
        self.check(client)
        self._alive[client] += 1
        try:
            yield
        finally:
            self._alive[client] -= 1
            if not self._alive[client]:
                del self._alive[client]
