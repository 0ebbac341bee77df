"""What travels between the API and the workers, and the Redis keys both use.

A run travels as a Celery task message. A synchronous caller's verdict comes back on a Redis
list the caller waits on (`reply_key`); an asynchronous submission's verdict goes to the database.
A live run's output and then its verdict come back as events on its `output_key` list, and the
client's stdin and stop requests travel to the worker on its `input_key` list. A synchronous
caller that hangs up sets its run's `abandoned_key`: a worker does not start it, or stops it.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
from typing import Any

from execbox.sandbox.guest.input_files import InputFile
from execbox.sandbox.limits import RunLimits
from execbox.schemas.execution import ExecutionResult
from execbox.services.live_session import InputWanted, LiveEvent, Queued, Started
from execbox.services.runners.base import Job, RuntimeVersions

QUEUE = "execbox"  # the Celery queue, which is also the Redis list holding waiting runs
TASK = "execbox.run"
RUNTIME_KEY = "execbox:runtime"
# The asynchronous submissions whose run is on its way (queued, running, or its verdict being
# written), a sorted set scored by when each was queued: added after the run is queued, removed
# once its verdict is in the database. A pending submission missing from it was lost by Redis
# (restarted without its data). Entries older than AWAITED_TTL_S are dropped, so one left by a
# race (a verdict recorded before its entry was added) does not stay for ever.
AWAITED_KEY = "execbox:awaited"
AWAITED_TTL_S = 7 * 86_400
WORKER_KEY_PREFIX = "execbox:worker:"
# A run whose worker died is delivered again once; a second loss is recorded as internal_error.
MAX_REDELIVERIES = 1
REPLY_TTL_S = 300
LIVE_TTL_S = 300  # a live run's event lists, renewed with each push
REDELIVERIES_TTL_S = 86_400
# A worker holds a lease on each run it has started (worker/leases.py): renewed this often, it
# lapses this long after its worker stopped, and the run is then put back on the queue.
LEASE_RENEW_S = 2.0
LEASE_TTL_S = 6
ABANDONED_TTL_S = 3_600  # longer than a run waits in the queue and runs


def reply_key(job_id: str) -> str:
    return f"execbox:reply:{job_id}"


def redeliveries_key(job_id: str) -> str:
    return f"execbox:redeliveries:{job_id}"


def lease_key(task_id: str) -> str:
    """A worker's lease on a run, by its Celery task id (the `id` header of its message)."""
    return f"execbox:lease:{task_id}"


def abandoned_key(job_id: str) -> str:
    return f"execbox:abandoned:{job_id}"


def output_key(job_id: str) -> str:
    return f"execbox:live:{job_id}:output"


def input_key(job_id: str) -> str:
    return f"execbox:live:{job_id}:input"


class Reply(enum.StrEnum):
    """Where a worker sends a run's verdict."""

    LIST = "list"  # to `reply_key`: a caller waits for it
    DATABASE = "database"  # to the submission: nobody waits
    LIVE = "live"  # after the output events on `output_key`: a live caller relays them


def encode_job(job: Job, reply: Reply) -> dict[str, Any]:
    # Input files travel inside the task message (JSON: their bytes in base64), so they cross
    # Redis once, with the run; nothing is left behind for a run that is never taken.
    fields = {field.name: getattr(job, field.name) for field in dataclasses.fields(job)}
    return {
        "job": {
            **fields,
            "limits": dataclasses.asdict(job.limits),
            "files": [[file.name, base64.b64encode(file.content).decode()] for file in job.files],
        },
        "reply": reply.value,
    }


def decode_job(message: dict[str, Any]) -> tuple[Job, Reply]:
    fields = dict(message["job"])
    fields["limits"] = RunLimits(**fields["limits"])
    fields["files"] = tuple(
        InputFile(name, base64.b64decode(content)) for name, content in fields.get("files", ())
    )
    return Job(**fields), Reply(message["reply"])


# Events of a live run, on `output_key`: {"queued": [position, reason]} while it waits for a
# sandbox of the worker, {"started": true}, then {"output": [stream, text]} and {"waiting": bool}
# ... then {"result": {...}}.
# Requests to its worker, on `input_key`: {"stdin": text}, {"close_stdin": true}, {"stop": true}.


def encode_event(event: LiveEvent) -> str:
    if isinstance(event, InputWanted):
        return json.dumps({"waiting": event.waiting})
    if isinstance(event, Queued):
        return json.dumps({"queued": [event.position, event.reason]})
    if isinstance(event, Started):
        return '{"started":true}'
    return json.dumps({"output": list(event)})


def encode_final(result: ExecutionResult) -> str:
    return '{"result":' + result.model_dump_json() + "}"


def decode_event(payload: str | bytes) -> LiveEvent | ExecutionResult:
    """A place in line, the start, an output piece (stream, text), a change of waiting for
    input, or the verdict that ends the run."""
    event = json.loads(payload)
    if "result" in event:
        return ExecutionResult.model_validate(event["result"])
    if "waiting" in event:
        return InputWanted(bool(event["waiting"]))
    if "queued" in event:
        position, reason = event["queued"]
        return Queued(max(0, int(position)), "client_share" if reason == "client_share" else "server_full")
    if "started" in event:
        return Started()
    stream, text = event["output"]
    return ("stderr" if stream == "stderr" else "stdout"), str(text)


def encode_result(result: ExecutionResult) -> str:
    return result.model_dump_json()


def decode_result(payload: str | bytes) -> ExecutionResult:
    return ExecutionResult.model_validate_json(payload)


def encode_versions(versions: RuntimeVersions) -> str:
    return json.dumps(dataclasses.asdict(versions))


def decode_versions(payload: str | bytes) -> RuntimeVersions:
    return RuntimeVersions(**json.loads(payload))
