"""LostRunSweeper, on a real Redis and a real SQLite database: a pending submission older than the
grace period and not awaited gets internal_error; awaited, younger and finished ones are left
alone; awaited entries past their time to live are dropped."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from redis.asyncio import Redis

from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.queue.lost_runs import LOST, LostRunSweeper
from execbox.queue.protocol import AWAITED_KEY, AWAITED_TTL_S
from execbox.services.owners import NOBODY
from execbox.services.presenter import internal_error
from execbox.services.submission_store import SubmissionStore
from tests.support.redis import RedisServer

GRACE_S = 0.3


def test_only_old_pending_submissions_redis_does_not_await_are_given_a_verdict(
    redis_service: RedisServer, tmp_path: Path
) -> None:
    async def scenario() -> dict[str, tuple[str, str | None]]:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db'}")
        redis = Redis.from_url(redis_service.url)
        try:
            await upgrade_to_head(database)
            await redis.flushdb()
            store = SubmissionStore(database.sessions)
            for submission_id in ("lost", "awaited", "finished"):
                await store.save_queued(submission_id, "print(1)", "", "client", NOBODY)
            await store.finish("finished", internal_error("its own verdict"))
            now = time.time()
            await redis.zadd(AWAITED_KEY, {"awaited": now, "expired": now - AWAITED_TTL_S - 1})
            await asyncio.sleep(GRACE_S)
            await store.save_queued("young", "print(1)", "", "client", NOBODY)  # not awaited yet: on its way
            sweeper = LostRunSweeper(store, redis, GRACE_S)
            assert await sweeper.sweep() == 1
            assert await sweeper.sweep() == 0  # it has its verdict now
            assert await redis.zrange(AWAITED_KEY, 0, -1) == [b"awaited"]
            submissions = [await store.get(i, NOBODY) for i in ("lost", "awaited", "finished", "young")]
            return {s.id: (str(s.status), s.stderr) for s in submissions}
        finally:
            await redis.aclose()
            await database.close()

    assert asyncio.run(scenario()) == {
        "lost": ("internal_error", LOST),
        "awaited": ("queued", None),
        "finished": ("internal_error", "its own verdict"),
        "young": ("queued", None),
    }
