"""Asynchronous submissions (POST /api/v1/code/submissions → 202) in the embedded mode, on SQLite
and PostgreSQL: queued at once, then running, then final with the run's output; saved whatever
the verdict; refused by the policy with nothing saved."""

from __future__ import annotations

import time
from typing import Any

from tests.support.api_server import ApiServer
from tests.support.owners import new_owner

SUBMISSIONS = "/api/v1/code/submissions"
PENDING = ("queued", "running")
_RESULT_FIELDS = (
    "exit_code",
    "signal",
    "stdout",
    "stderr",
    "truncated",
    "error",
    "wall_ms",
    "cpu_ms",
    "memory_kb",
)


def _submit(
    api: ApiServer, code: str, stdin: str = "", owner: dict[str, str] | None = None
) -> dict[str, Any]:
    response = api.client.post(SUBMISSIONS, json={"code": code, "stdin": stdin}, headers=owner or new_owner())
    assert response.status_code == 202, response.text
    accepted: dict[str, Any] = response.json()
    assert set(accepted) == {"id", "status", "url", "owner_token"}
    assert accepted["owner_token"] is None  # the client sent its own
    assert accepted["status"] == "queued"
    assert accepted["url"] == f"{SUBMISSIONS}/{accepted['id']}"  # a path: never from the Host
    return accepted


def _until_final(api: ApiServer, url: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = api.client.get(url)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] not in PENDING:
            return body
        assert time.monotonic() < deadline, f"still {body['status']} after {timeout} s"
        time.sleep(0.05)


def test_a_submission_is_queued_then_finishes_with_its_output(api: ApiServer) -> None:
    code = "import pandas as pd\nprint(pd.Series([1, 2, 3]).sum())\nprint(input()[::-1])"
    owner = new_owner()
    accepted = _submit(api, code, stdin="abc\n", owner=owner)
    final = _until_final(api, accepted["url"])
    assert final["id"] == accepted["id"]
    assert (final["status"], final["stdout"], final["stderr"]) == ("success", "6\ncba\n", "")
    assert (final["code"], final["stdin"]) == (code, "abc\n")
    assert final["exit_code"] == 0 and final["error"] is None
    assert final["truncated"] == {"stdout": False, "stderr": False}
    assert final["finished_at"] >= final["created_at"]
    # It is listed to its owner like any saved submission.
    listed = api.client.get(SUBMISSIONS, params={"limit": 5}, headers=owner).json()["items"]
    assert [item["id"] for item in listed] == [accepted["id"]]


def test_a_pending_submission_has_no_result_yet(api: ApiServer) -> None:
    # About a second of pure Python: long enough to be seen before its verdict.
    accepted = _submit(api, "total = 0\nfor i in range(10_000_000):\n    total += i\nprint(total)")
    pending = api.client.get(accepted["url"]).json()
    assert pending["status"] in PENDING, pending
    assert all(pending[name] is None for name in (*_RESULT_FIELDS, "finished_at")), pending
    final = _until_final(api, accepted["url"])
    assert (final["status"], final["stdout"]) == ("success", f"{sum(range(10_000_000))}\n")


def test_a_failing_program_is_saved_with_its_verdict(api: ApiServer) -> None:
    accepted = _submit(api, "print('partial')\n1 / 0")
    final = _until_final(api, accepted["url"])
    assert (final["status"], final["stdout"]) == ("runtime_error", "partial\n")
    assert final["error"]["type"] == "ZeroDivisionError"
    assert final["error"]["line"] == 2
    assert final["exit_code"] == 1


def test_code_the_policy_rejects_is_refused_and_not_saved(api: ApiServer) -> None:
    owner = new_owner()
    response = api.client.post(SUBMISSIONS, json={"code": "import os\nprint(os.getcwd())"}, headers=owner)
    assert response.status_code == 422, response.text
    body = response.json()
    assert [(v["line"], v["col"], v["rule"]) for v in body["violations"]] == [(1, 8, "import-not-allowed")]
    assert "'os'" in body["violations"][0]["message"]
    assert api.client.get(SUBMISSIONS, params={"limit": 1}, headers=owner).json()["items"] == []
