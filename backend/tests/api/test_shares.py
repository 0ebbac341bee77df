"""Share a run as it ended, without running it again: failing, timed out or live, on SQLite and
PostgreSQL; only runs the server returned, unchanged, can be saved this way."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import StartApi
from tests.support.api_server import ApiServer
from tests.support.metrics import metric_sum
from tests.support.owners import new_owner
from tests.support.stream_client import StreamClient

EXECUTE = "/api/v1/code/execute"
SHARES = "/api/v1/code/shares"
SUBMISSIONS = "/api/v1/code/submissions"
RESULT_FIELDS = (
    "status", "exit_code", "signal", "stdout", "stderr", "truncated", "error", "wall_ms", "cpu_ms", "results",
)  # fmt: skip


def _share(api: ApiServer, code: str, stdin: str, result: dict[str, Any], **headers: str) -> dict[str, Any]:
    body = {"code": code, "stdin": stdin, "result": result, "receipt": result["receipt"]}
    response = api.client.post(SHARES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    shared = response.json()
    assert isinstance(shared, dict)
    return shared


@pytest.mark.parametrize(
    ("code", "limits", "status"),
    [
        ("print('partial', input())\n1 / 0", None, "runtime_error"),
        ("print('spinning', flush=True)\nwhile True:\n    pass", {"wall_time_s": 0.5}, "timeout"),
    ],
    ids=["error", "timeout"],
)
def test_a_failing_run_is_saved_as_it_ended(
    api: ApiServer, code: str, limits: dict[str, float] | None, status: str
) -> None:
    owner = new_owner()
    ran = api.client.post(EXECUTE, json={"code": code, "stdin": "in ✓\n", "limits": limits}).json()
    assert ran["status"] == status and ran["receipt"], ran
    runs_before = metric_sum(api.metrics(), "execbox_runs_total")

    shared = _share(api, code, "in ✓\n", ran, **owner)
    assert shared["url"] == f"{SUBMISSIONS}/{shared['id']}"
    assert shared["owner_token"] is None  # the request brought its own
    saved = api.client.get(shared["url"]).json()
    assert (saved["code"], saved["stdin"]) == (code, "in ✓\n")
    assert {field: saved[field] for field in RESULT_FIELDS} == {field: ran[field] for field in RESULT_FIELDS}
    listed = api.client.get(SUBMISSIONS, headers=owner).json()["items"]
    assert [item["id"] for item in listed] == [shared["id"]]
    # Saved, not run again.
    assert metric_sum(api.metrics(), "execbox_runs_total") == runs_before


def test_a_share_without_a_token_gets_one(api: ApiServer) -> None:
    ran = api.client.post(EXECUTE, json={"code": "raise SystemExit(3)"}).json()
    shared = _share(api, "raise SystemExit(3)", "", ran)
    assert shared["owner_token"]
    listed = api.client.get(SUBMISSIONS, headers={"X-Owner-Token": shared["owner_token"]}).json()["items"]
    assert [item["id"] for item in listed] == [shared["id"]]


MISMATCH = "does not match this run"


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        ({"code": "print('other')\n1 / 0"}, "body.receipt", MISMATCH),
        ({"stdin": "typed\n"}, "body.receipt", MISMATCH),
        ({"result": {"stdout": "nothing wrong here\n", "status": "success"}}, "body.receipt", MISMATCH),
        ({"receipt": "1765000000.0123456789abcdef"}, "body.receipt", MISMATCH),
        ({"receipt": None}, "body.receipt", "valid string"),
        ({"result": None}, "body.result", "valid dictionary"),
    ],
    ids=["code", "stdin", "result", "forged receipt", "no receipt", "no result"],
)
def test_a_changed_or_invented_run_is_refused_and_nothing_saved(
    api: ApiServer, change: dict[str, Any], where: str, says: str
) -> None:
    owner = new_owner()
    code = "print('x')\n1 / 0"
    ran = api.client.post(EXECUTE, json={"code": code}).json()
    body: dict[str, Any] = {"code": code, "stdin": "", "result": ran, "receipt": ran["receipt"]}
    for key, value in change.items():
        body[key] = {**ran, **value} if key == "result" and value else value
    response = api.client.post(SHARES, json=body, headers=owner)
    assert response.status_code == 422, response.text
    (problem,) = response.json()["errors"]
    assert problem["field"] == where and says in problem["message"], problem
    assert api.client.get(SUBMISSIONS, headers=owner).json()["items"] == []


def test_a_live_run_is_shared_with_what_was_typed(api: ApiServer) -> None:
    code = "print(input('name? '), input('age? '))\n1 / 0"
    with StreamClient(api.url) as streams:
        live = streams.start(code=code, stdin="Ada\n")
        live.until("output")
        live.send({"type": "stdin", "data": "36\n"})
        ran = live.finish()
    assert ran["status"] == "runtime_error" and ran["stdout"] == "name? age? Ada 36\n"
    shared = _share(api, code, "Ada\n36\n", ran)
    assert api.client.get(shared["url"]).json()["stdin"] == "Ada\n36\n"
    # What the client typed is part of the run: without it, the receipt does not hold.
    without_typed = {"code": code, "stdin": "Ada\n", "result": ran, "receipt": ran["receipt"]}
    refused = api.client.post(SHARES, json=without_typed)
    assert refused.status_code == 422


def test_a_share_body_may_be_larger_than_a_run_request_but_is_bounded(start_api: StartApi) -> None:
    # No input files: a run's body limit is MAX_REQUEST_BYTES alone.
    api = start_api(
        MAX_REQUEST_BYTES="4096", MAX_SHARE_BYTES="65536", MAX_INPUT_FILES="0", MAX_INPUT_FILES_BYTES="0"
    )
    code = "print('y' * 20000)\n1 / 0"
    assert api.client.post(EXECUTE, json={"code": "#" + "x" * 5000}).status_code == 413
    ran = api.client.post(EXECUTE, json={"code": code}).json()
    _share(api, code, "", ran)  # about 20 kB: over the run limit, under the share limit
    big = api.client.post(EXECUTE, json={"code": "print('y' * 70000)\n1 / 0"}).json()
    refused = api.client.post(SHARES, json={"code": "x", "result": big, "receipt": big["receipt"]})
    assert refused.status_code == 413
    assert "larger than 65536 bytes" in refused.json()["detail"]
