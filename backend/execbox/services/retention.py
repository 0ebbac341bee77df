"""How long the database keeps what nobody chose to save.

A synchronous Save keeps successes only; an asynchronous submission is stored whatever its
verdict, so that its client can read how it ended. Those that did not succeed are forgotten
`FAILED_SUBMISSION_RETENTION_DAYS` after they ended; successes and shared runs (saved by choice,
whatever their verdict) are kept (until accounts let their owners delete them). Every API node
sweeps: the deletes are idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from execbox.sandbox.result import RunStatus
from execbox.services.errors import Unavailable
from execbox.services.submission_store import SubmissionStore

log = logging.getLogger(__name__)

FAILED = frozenset(status.value for status in RunStatus if status is not RunStatus.SUCCESS)
_MAX_INTERVAL_S = 3600.0


async def forget_failed_submissions(store: SubmissionStore, keep: timedelta) -> None:
    """Runs until cancelled: sweeps at once, then every hour (or twice per `keep` if shorter)."""
    interval = min(_MAX_INTERVAL_S, keep.total_seconds() / 2)
    while True:
        try:
            forgotten = await store.delete_finished_before(datetime.now(UTC) - keep, FAILED)
            if forgotten:
                log.info("forgot %d failed submissions older than %s", forgotten, keep)
        except Unavailable as error:
            log.warning("could not forget old failed submissions now: %s", error)
        await asyncio.sleep(interval)
