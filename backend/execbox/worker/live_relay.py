"""A live run on a worker: its output to the API through Redis as it comes, and the client's
stdin and stop from Redis to the run (keys and events in `queue.protocol`)."""

from __future__ import annotations

import asyncio
import json
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from execbox.queue.protocol import LIVE_TTL_S, encode_event, input_key, output_key
from execbox.schemas.execution import ExecutionResult
from execbox.services.errors import Unavailable
from execbox.services.live_session import LiveSession, Outbox
from execbox.services.presenter import internal_error
from execbox.services.runners.base import Job
from execbox.services.runners.local import LocalRunner

log = logging.getLogger(__name__)

_INPUT_POLL_S = 1.0
_OUTAGE_PAUSE_S = 0.5
# Listeners outlive their runs by up to one poll (see run_relayed); held here until they end.
_listeners: set[asyncio.Task[None]] = set()


async def run_relayed(runner: LocalRunner, redis: Redis, job: Job) -> ExecutionResult:
    """Runs `job` live; the caller pushes the verdict after the output (the run's last event)."""
    outbox = Outbox()
    session = LiveSession(outbox.put, outbox.put_waiting, outbox.put_queue)
    loop = asyncio.get_running_loop()
    sender = loop.create_task(_send_output(redis, output_key(job.id), outbox))
    # Ended by a flag, not cancelled: redis-py (8.1) can swallow the cancellation of a BLPOP in
    # flight and then never return, which would hang the run's verdict.
    ended = asyncio.Event()
    listener = loop.create_task(_apply_input(redis, input_key(job.id), session, ended))
    _listeners.add(listener)
    listener.add_done_callback(_listeners.discard)
    try:
        result = await runner.run(job, session)
    except Unavailable as error:
        result = internal_error(str(error))
    finally:
        ended.set()
        outbox.close()
        await sender
    return result


async def _send_output(redis: Redis, key: str, outbox: Outbox) -> None:
    async for batch in outbox.batches():
        try:
            pipe = redis.pipeline(transaction=False)
            pipe.rpush(key, *(encode_event(event) for event in batch))
            pipe.expire(key, LIVE_TTL_S)
            await pipe.execute()
        except RedisError as error:
            # The verdict still carries the whole output; only its live view has a gap.
            log.warning("live run %s: output not relayed: %s", key, error)


async def _apply_input(redis: Redis, key: str, session: LiveSession, ended: asyncio.Event) -> None:
    while not ended.is_set():
        try:
            request = await redis.blpop([key], timeout=_INPUT_POLL_S)
        except RedisError as error:
            log.warning("live run %s: cannot read the client's input: %s", key, error)
            await asyncio.sleep(_OUTAGE_PAUSE_S)
            continue
        if request is None or ended.is_set():
            continue
        message = json.loads(request[1])
        if "stdin" in message:
            session.send_stdin(str(message["stdin"]))
        elif "close_stdin" in message:
            session.close_stdin()
        else:
            session.stop()
