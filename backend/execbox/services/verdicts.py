"""The steps of a background run, each taken so that no failure leaves its submission pending.

Marking a submission running and running it never raise: the first is only a state on the way,
the second's failure becomes the verdict. Recording the verdict rides out a database outage for a
while; a verdict the database refuses (a value no column holds, say) is replaced by
`internal_error` with a sentence, recorded the same way. Used by local mode's background runs
and by queue workers alike."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from execbox.schemas.execution import ExecutionResult
from execbox.services.errors import Unavailable
from execbox.services.presenter import internal_error
from execbox.services.submission_store import SubmissionStore

log = logging.getLogger(__name__)

RECORD_ATTEMPTS = 12
RECORD_BACKOFF_S = 5.0  # with the attempts: a database outage of about a minute
UNSAVED = "The run ended, but its result could not be saved ({error}); submit the code again."
FAILED = "The service failed this run ({error}); run it again."


def failed(error: Exception) -> ExecutionResult:
    """The verdict of a run that failed on our side, for a reason we did not foresee."""
    return internal_error(FAILED.format(error=type(error).__name__))


async def mark_running(store: SubmissionStore, submission_id: str) -> None:
    """Marks a submission running; never raises, for its verdict matters more than this state."""
    try:
        await store.mark_running(submission_id)
    except Unavailable as error:
        log.warning("run %s: cannot mark it running: %s", submission_id, error)
    except Exception:
        log.exception("run %s: marking it running failed", submission_id)


async def verdict_of(run: Awaitable[ExecutionResult], submission_id: str) -> ExecutionResult:
    """What `run` answers, or `internal_error` saying why it raised: a background run has no
    caller to raise to, and its submission waits for a verdict."""
    try:
        return await run
    except Unavailable as error:
        return internal_error(str(error))
    except Exception as error:
        log.exception("run %s: running it failed", submission_id)
        return failed(error)


async def record_verdict(
    store: SubmissionStore,
    submission_id: str,
    result: ExecutionResult,
    attempts: int = RECORD_ATTEMPTS,
    backoff_s: float = RECORD_BACKOFF_S,
) -> None:
    """Records `result`, or `internal_error` saying why the database refused it. Never raises;
    a submission whose verdict could not be recorded at all is left to the lost-run sweep (queue
    mode) or the next start (local mode), both of which end pending submissions."""
    refusal = await _finish(store, submission_id, result, attempts, backoff_s)
    if refusal is None:
        return
    # Its own tries: an outage that used up the verdict's must not leave the row pending.
    fallback = internal_error(UNSAVED.format(error=type(refusal).__name__))
    if await _finish(store, submission_id, fallback, attempts, backoff_s) is not None:
        log.error("run %s: the database refused even internal_error; it stays pending", submission_id)


async def _finish(
    store: SubmissionStore, submission_id: str, result: ExecutionResult, attempts: int, backoff_s: float
) -> Exception | None:
    """Writes `result`, trying `attempts` times while the database is unavailable. Returns the
    error the database refused it with, or None: written, or the outage outlasted the tries."""
    for attempt in range(1, attempts + 1):
        try:
            await store.finish(submission_id, result)
            return None
        except Unavailable as error:
            log.warning("run %s: cannot record its verdict (try %d): %s", submission_id, attempt, error)
            if attempt < attempts:
                await asyncio.sleep(backoff_s)
        except Exception as error:  # not an outage: the same row would be refused again
            log.exception("run %s: the database refused its verdict (%s)", submission_id, result.status.value)
            return error
    log.error("run %s: its verdict (%s) could not be recorded", submission_id, result.status.value)
    return None
