"""The verdict of a background run, written so that no submission is left pending.

A database outage is ridden out for a while; a verdict the database refuses (a value no column
holds, say) is replaced by `internal_error` with a sentence, which is recorded instead. Used by
local mode's background runs and by queue workers alike."""

from __future__ import annotations

import asyncio
import logging

from execbox.schemas.execution import ExecutionResult
from execbox.services.errors import Unavailable
from execbox.services.presenter import internal_error
from execbox.services.submission_store import SubmissionStore

log = logging.getLogger(__name__)

RECORD_ATTEMPTS = 12
RECORD_BACKOFF_S = 5.0  # with the attempts: a database outage of about a minute
UNSAVED = "The run ended, but its result could not be saved ({error}); submit the code again."


async def record_verdict(
    store: SubmissionStore,
    submission_id: str,
    result: ExecutionResult,
    attempts: int = RECORD_ATTEMPTS,
    backoff_s: float = RECORD_BACKOFF_S,
) -> None:
    refused = False
    for attempt in range(1, attempts + 1):
        try:
            await store.finish(submission_id, result)
            return
        except Unavailable as error:
            log.warning("run %s: cannot record its verdict (try %d): %s", submission_id, attempt, error)
            await asyncio.sleep(backoff_s)
        except Exception as error:  # whatever the database refuses, a verdict must land
            if refused:
                break
            log.exception("run %s: the database refused its verdict (%s)", submission_id, result.status.value)
            refused = True
            result = internal_error(UNSAVED.format(error=type(error).__name__))
    log.error("run %s: its verdict (%s) could not be recorded", submission_id, result.status.value)
