"""A share per client (issue 30, first part): with CLIENT_RUNS_ALIVE=2 a client's third run at
once is refused with a sentence and Retry-After, over HTTP and over the stream, while another
client's run is served at once; the share frees as the runs end."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import serving
from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.loopback_clients import new_client
from tests.support.metrics import metric_sum
from tests.support.stream_client import StreamClient

EXECUTE = "/api/v1/code/execute"
SLEEPER = {"code": "import time\ntime.sleep(2)\nprint('slept')"}
SENTENCE = "2 of your runs are still running, as many as one client may have at once; wait for one to finish"


@pytest.fixture(scope="module")
def server(make_database: MakeDatabase) -> Iterator[ApiServer]:
    yield from serving(make_database, CLIENT_RUNS_ALIVE="2")


def _refused(server: ApiServer) -> float:
    return metric_sum(server.metrics(), 'execbox_runs_refused_total{reason="client_share"}')


def test_a_clients_third_run_at_once_is_refused_and_another_clients_is_not(server: ApiServer) -> None:
    refused_before = _refused(server)
    with new_client(server) as mine, new_client(server) as theirs:
        answers: list[httpx.Response] = []

        def sleep() -> None:
            answers.append(mine.post(EXECUTE, json=SLEEPER))

        sleepers = [threading.Thread(target=sleep) for _ in range(2)]
        for thread in sleepers:
            thread.start()
        time.sleep(0.7)  # both sleeping
        third = mine.post(EXECUTE, json={"code": "print('third')"})
        assert third.status_code == 429, third.text
        assert SENTENCE in third.json()["detail"] and third.json()["reason"] == "client_share"
        assert third.headers["retry-after"] == "2" and third.json()["retry_after_s"] == 2
        started = time.perf_counter()
        other = theirs.post(EXECUTE, json={"code": "print('other')"})
        assert other.status_code == 200 and other.json()["stdout"] == "other\n"
        assert time.perf_counter() - started < 1.5  # served at once, not after the sleepers
        for thread in sleepers:
            thread.join(30)
        assert [answer.json()["stdout"] for answer in answers] == ["slept\n", "slept\n"]
        again = mine.post(EXECUTE, json={"code": "print('again')"})
        assert again.status_code == 200 and again.json()["stdout"] == "again\n"
    assert _refused(server) == refused_before + 1


def test_the_stream_counts_against_the_same_share(server: ApiServer) -> None:
    with StreamClient(server.url) as streams:
        first, second = streams.start(**SLEEPER), streams.start(**SLEEPER)
        first.until("started")
        second.until("started")
        third = streams.start(code="print('third')")
        refusal = third.finish()
        assert refusal["status"] == 429 and SENTENCE in refusal["detail"], refusal
        assert third.close_code() == 4429
        assert first.finish()["stdout"] == second.finish()["stdout"] == "slept\n"


def test_an_asynchronous_submission_is_not_counted_against_the_share(server: ApiServer) -> None:
    with new_client(server) as mine:
        sleepers = [
            threading.Thread(target=mine.post, args=(EXECUTE,), kwargs={"json": SLEEPER}) for _ in range(2)
        ]
        for thread in sleepers:
            thread.start()
        time.sleep(0.7)  # both sleeping: the share is full
        accepted = mine.post("/api/v1/code/submissions", json={"code": "print('later')"})
        assert accepted.status_code == 202, accepted.text
        for thread in sleepers:
            thread.join(30)
        submission = f"/api/v1/code/submissions/{accepted.json()['id']}"
        deadline = time.monotonic() + 30
        while (answer := mine.get(submission).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert answer["stdout"] == "later\n", answer
