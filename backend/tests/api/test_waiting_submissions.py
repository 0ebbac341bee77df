"""Asynchronous submissions are bounded: how many wait, per client and in all, how long one may
wait to start, and how long a failed one is kept (security issue 26, finding 8: 200 submissions
from 200 addresses were all accepted, and another client's run then waited 23.7 s).

One sandbox slot, so that a sleeping program keeps the others waiting; clients are source
addresses of their own on loopback.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from execbox.services.runners.local import NOT_STARTED
from tests.api.conftest import serving
from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.loopback_clients import new_client
from tests.support.submissions import final_submission

SUBMISSIONS = "/api/v1/code/submissions"
EXECUTE = "/api/v1/code/execute"
SHARES = "/api/v1/code/shares"
SLEEPER = {"code": "import time\ntime.sleep(2)\nprint('slept')"}
DEADLINE_S = 1.0
RETENTION_S = 2.0


@pytest.fixture(scope="module")
def server(make_database: MakeDatabase) -> Iterator[ApiServer]:
    yield from serving(
        make_database,
        SANDBOX_LIVE_RUNS="1",
        ASYNC_MAX_WAITING_PER_CLIENT="2",
        ASYNC_MAX_WAITING="3",
        ASYNC_START_DEADLINE=str(DEADLINE_S),
        FAILED_SUBMISSION_RETENTION_DAYS=str(RETENTION_S / 86400),
    )


def test_a_client_may_have_so_many_waiting_and_all_clients_so_many(server: ApiServer) -> None:
    with new_client(server) as first, new_client(server) as second, new_client(server) as third:
        mine = [first.post(SUBMISSIONS, json=SLEEPER) for _ in range(2)]
        assert [response.status_code for response in mine] == [202, 202]
        over_share = first.post(SUBMISSIONS, json=SLEEPER)
        assert over_share.status_code == 429, over_share.text
        assert "Too many submissions waiting for a verdict from your address" in over_share.json()["detail"]
        assert "2 waiting at once" in over_share.json()["detail"]
        assert int(over_share.headers["retry-after"]) > 0

        theirs = second.post(SUBMISSIONS, json=SLEEPER)
        assert theirs.status_code == 202, theirs.text
        full = third.post(SUBMISSIONS, json=SLEEPER)
        assert full.status_code == 503, full.text
        assert "queue of submissions is full (3 are waiting)" in full.json()["detail"]
        assert int(full.headers["retry-after"]) > 0

        for response in (*mine, theirs):
            final_submission(first, response.json()["id"])
        # With the waiting ones done, there is room again.
        again = first.post(SUBMISSIONS, json={"code": "print('again')"})
        assert again.status_code == 202, again.text
        assert final_submission(first, again.json()["id"])["stdout"] == "again\n"


def test_a_submission_that_cannot_start_in_time_ends_saying_so(server: ApiServer) -> None:
    with new_client(server) as first, new_client(server) as second:
        running = first.post(SUBMISSIONS, json=SLEEPER).json()["id"]
        time.sleep(0.3)  # the sleeper holds the only sandbox
        waiting = second.post(SUBMISSIONS, json={"code": "print('never')"}).json()["id"]
        expired = final_submission(second, waiting)
        assert (expired["status"], expired["stderr"]) == ("internal_error", NOT_STARTED)
        assert expired["stdout"] == ""  # never ran
        assert final_submission(first, running)["stdout"] == "slept\n"


def test_failed_submissions_are_forgotten_after_the_retention_and_successes_and_shares_kept(
    server: ApiServer,
) -> None:
    with new_client(server) as client:
        failed = client.post(SUBMISSIONS, json={"code": "1 / 0"}).json()["id"]
        kept = client.post(SUBMISSIONS, json={"code": "print('kept')"}).json()["id"]
        # It waits for the one sandbox the two submissions take in turn (else 503, no receipt).
        ran = client.post(EXECUTE, json={"code": "1 / 0", "wait": True}).json()
        shared = client.post(SHARES, json={"code": "1 / 0", "result": ran, "receipt": ran["receipt"]})
        assert shared.status_code == 201, shared.text
        assert final_submission(client, failed)["status"] == "runtime_error"  # readable at first
        final_submission(client, kept)
        deadline = time.monotonic() + 10 * RETENTION_S
        while client.get(f"{SUBMISSIONS}/{failed}").status_code != 404:
            assert time.monotonic() < deadline, "the failed submission was never forgotten"
            time.sleep(0.2)
        assert client.get(f"{SUBMISSIONS}/{kept}").json()["stdout"] == "kept\n"
        assert client.get(f"{SUBMISSIONS}/{shared.json()['id']}").json()["status"] == "runtime_error"
