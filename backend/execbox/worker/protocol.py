"""What travels between the API and the workers, and the Redis keys both use.

A run travels as a Celery task message. A synchronous caller's verdict comes back on a Redis
list the caller waits on (`reply_key`); an asynchronous submission's verdict goes to the database.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from execbox.sandbox.limits import RunLimits
from execbox.schemas.execution import ExecutionResult
from execbox.services.runners.base import Job, RuntimeVersions

QUEUE = "execbox"  # the Celery queue, which is also the Redis list holding waiting runs
TASK = "execbox.run"
RUNTIME_KEY = "execbox:runtime"
WORKER_KEY_PREFIX = "execbox:worker:"
# A run whose worker died is delivered again once; a second loss is recorded as internal_error.
MAX_ATTEMPTS = 2
REPLY_TTL_S = 300
ATTEMPTS_TTL_S = 86_400


def reply_key(job_id: str) -> str:
    return f"execbox:reply:{job_id}"


def attempts_key(job_id: str) -> str:
    return f"execbox:attempts:{job_id}"


def encode_job(job: Job, reply: bool) -> dict[str, Any]:
    return {"job": {**dataclasses.asdict(job), "limits": dataclasses.asdict(job.limits)}, "reply": reply}


def decode_job(message: dict[str, Any]) -> tuple[Job, bool]:
    fields = dict(message["job"])
    fields["limits"] = RunLimits(**fields["limits"])
    return Job(**fields), bool(message["reply"])


def encode_result(result: ExecutionResult) -> str:
    return result.model_dump_json()


def decode_result(payload: str | bytes) -> ExecutionResult:
    return ExecutionResult.model_validate_json(payload)


def encode_versions(versions: RuntimeVersions) -> str:
    return json.dumps(dataclasses.asdict(versions))


def decode_versions(payload: str | bytes) -> RuntimeVersions:
    return RuntimeVersions(**json.loads(payload))
