"""Queue mode: asynchronous submissions whose run Redis lost get a verdict instead of waiting for ever.

Redis restarted without its data (no persistence, or the last second before a crash with
`appendfsync everysec`) forgets the runs it held; their submissions would stay `queued` or
`running`. Every API node sweeps: a submission pending for longer than `grace_s` whose id is
not among the awaited runs (`AWAITED_KEY`) is given `internal_error`. The nodes cannot
disagree: a verdict is written only while its submission is still pending.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError

from execbox import metrics
from execbox.queue.protocol import AWAITED_KEY, AWAITED_TTL_S
from execbox.services.errors import Unavailable
from execbox.services.presenter import internal_error
from execbox.services.submission_store import SubmissionStore

log = logging.getLogger(__name__)

LOST = (
    "The run's verdict was lost (the queue restarted without the run, or its worker could not "
    "record the verdict); submit the code again."
)


class LostRunSweeper:
    def __init__(self, store: SubmissionStore, redis: Redis, grace_s: float) -> None:
        # Longer than a submission can take from being saved to being awaited (its publish,
        # bounded by the broker's timeouts), so that none is swept on its way.
        self.grace_s = grace_s
        self.store = store
        self.redis = redis

    async def sweep(self) -> int:
        """Gives every lost submission its verdict; how many there were."""
        await self.redis.zremrangebyscore(AWAITED_KEY, "-inf", time.time() - AWAITED_TTL_S)
        pending = await self.store.pending_since(datetime.now(UTC) - timedelta(seconds=self.grace_s))
        if not pending:
            return 0
        scores = await self.redis.zmscore(AWAITED_KEY, pending)
        lost = 0
        for submission_id, score in zip(pending, scores, strict=True):
            if score is None and await self.store.finish(submission_id, internal_error(LOST)):
                lost += 1
        metrics.LOST_RUNS.inc(lost)
        return lost

    async def run(self) -> None:
        """Sweeps every half grace period until cancelled, riding out Redis and database outages."""
        while True:
            await asyncio.sleep(self.grace_s / 2)
            try:
                lost = await self.sweep()
            except (RedisError, Unavailable) as error:
                log.warning("cannot look for runs Redis lost: %s", error)
                continue
            if lost:
                log.error("%d asynchronous submissions were lost by Redis; marked internal_error", lost)
