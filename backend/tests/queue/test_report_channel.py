"""Programs that forge their report, in queue mode (API → Redis → two workers): the same clean
verdicts as in local mode, and no submission left pending."""

from __future__ import annotations

import pytest

from tests.queue.conftest import EXECUTE, SUBMISSIONS, Cluster, poll_submissions
from tests.support.report_forgeries import (
    DEEP_NESTING,
    FORGED_SUCCESS_THEN_SEGFAULT,
    HUGE_NUMBERS,
    in_template,
)

TEMPLATES = pytest.mark.parametrize("scientific", [False, True], ids=["plain", "scientific"])


@TEMPLATES
def test_forged_reports_get_clean_verdicts_from_the_workers(cluster: Cluster, scientific: bool) -> None:
    client = cluster.api.client
    expected = {HUGE_NUMBERS: "internal_error", DEEP_NESTING: "internal_error"}
    for code, status in expected.items():
        answer = client.post(EXECUTE, json={"code": in_template(code, scientific)})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["status"], body["exit_code"]) == (status, None), body
        assert "report pipe" in body["stderr"]
    crash = client.post(EXECUTE, json={"code": in_template(FORGED_SUCCESS_THEN_SEGFAULT, scientific)}).json()
    assert (crash["status"], crash["signal"]) == ("runtime_error", "SIGSEGV")


@TEMPLATES
def test_forged_reports_never_leave_a_submission_pending(cluster: Cluster, scientific: bool) -> None:
    client = cluster.api.client
    programs = [HUGE_NUMBERS, DEEP_NESTING, FORGED_SUCCESS_THEN_SEGFAULT] * 2
    ids = []
    for code in programs:
        accepted = client.post(SUBMISSIONS, json={"code": in_template(code, scientific)})
        assert accepted.status_code == 202, accepted.text
        ids.append(accepted.json()["id"])
    bodies = poll_submissions(client, ids, timeout=60)
    statuses = [bodies[submission_id]["status"] for submission_id in ids]
    assert statuses == ["internal_error", "internal_error", "runtime_error"] * 2, statuses
