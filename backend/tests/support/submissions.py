"""Reading submissions back until they have a verdict (asynchronous submissions, queue mode)."""

from __future__ import annotations

import time
from typing import Any

import httpx

SUBMISSIONS = "/api/v1/code/submissions"
FINAL = frozenset(
    {"success", "runtime_error", "timeout", "memory_limit", "output_limit", "stopped", "internal_error"}
)


def poll_submissions(
    client: httpx.Client, ids: list[str], timeout: float, headers: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Each submission's body once all are final, or as they are when `timeout` runs out."""
    deadline = time.monotonic() + timeout
    bodies: dict[str, dict[str, Any]] = {}
    while True:
        for submission_id in ids:
            if bodies.get(submission_id, {}).get("status") not in FINAL:
                response = client.get(f"{SUBMISSIONS}/{submission_id}", headers=headers)
                assert response.status_code == 200, response.text
                bodies[submission_id] = response.json()
        if all(body["status"] in FINAL for body in bodies.values()) or time.monotonic() > deadline:
            return bodies
        time.sleep(0.2)


def final_submission(
    client: httpx.Client, submission_id: str, timeout: float = 30, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """One submission's body once it has its verdict; fails the test if none comes in time."""
    body = poll_submissions(client, [submission_id], timeout, headers)[submission_id]
    assert body["status"] in FINAL, f"still {body['status']} after {timeout} s: {body}"
    return body
