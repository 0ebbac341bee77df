"""A full server says so at once, and a client that has gone is not served (issue 27, step 2).

Servers of their own with two live runs: two programs waiting at `input()` fill them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.api.conftest import serving
from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.metrics import metric_sum
from tests.support.raw_requests import sent_execute
from tests.support.stream_client import LiveRun, StreamClient
from tests.support.submissions import final_submission

EXECUTE = "/api/v1/code/execute"
SUBMIT = "/api/v1/code/submit"
SUBMISSIONS = "/api/v1/code/submissions"
LIVE_RUNS = 2
WAITER = "print('waiting', flush=True)\nprint('got', input())\n"
FULL = f"all {LIVE_RUNS} of its sandboxes are running programs"


@pytest.fixture(scope="module")
def server(make_database: MakeDatabase) -> Iterator[ApiServer]:
    yield from serving(make_database, SANDBOX_LIVE_RUNS=str(LIVE_RUNS))


def _fill(streams: StreamClient) -> list[LiveRun]:
    """Both live runs taken by programs waiting for a line."""
    waiting = [streams.start(code=WAITER) for _ in range(LIVE_RUNS)]
    for live in waiting:
        assert live.until("output")["data"] == "waiting\n"
    return waiting


def _refused_as_full(response: httpx.Response, took_s: float) -> None:
    assert response.status_code == 503, response.text
    assert took_s < 1.0, f"the refusal took {took_s:.2f} s"
    body = response.json()
    assert FULL in body["detail"] and "not started" in body["detail"]
    assert body["retry_after_s"] == int(response.headers["retry-after"]) > 0
    assert body["reason"] == "server_full"


def _refused_as_full_so_far(server: ApiServer) -> float:
    return metric_sum(server.metrics(), 'execbox_runs_refused_total{reason="node_full"}')


def test_a_run_past_the_live_runs_is_refused_at_once_and_a_freed_one_serves_at_once(
    server: ApiServer,
) -> None:
    refused_before = _refused_as_full_so_far(server)
    with StreamClient(server.url) as streams:
        first, second = _fill(streams)
        assert metric_sum(server.metrics(), "execbox_runs_admitted_total") >= LIVE_RUNS
        for path in (EXECUTE, SUBMIT):
            asked = time.perf_counter()
            response = server.client.post(path, json={"code": "print('past the limit')"})
            _refused_as_full(response, time.perf_counter() - asked)

        refused = streams.start(code="print('past the limit')")
        error = refused.finish(timeout=1)
        assert (error["type"], error["status"], error["retry_after_s"]) == ("error", 503, 2)
        assert FULL in error["detail"]
        assert refused.close_code() == 4503
        assert _refused_as_full_so_far(server) == refused_before + 3

        first.send({"type": "stdin", "data": "one\n"})
        assert first.finish()["stdout"] == "waiting\ngot one\n"
        # The verdict is out: its live run is free for the very next request.
        freed = server.client.post(EXECUTE, json={"code": "print('in the freed one')"})
        assert (freed.status_code, freed.json()["stdout"]) == (200, "in the freed one\n")

        second.send({"type": "stdin", "data": "two\n"})
        assert second.finish()["stdout"] == "waiting\ngot two\n"


def test_a_waiting_submission_keeps_its_place_ahead_of_runs_asked_for_later(server: ApiServer) -> None:
    """An asynchronous submission waits for a live run; a synchronous one asked for after it
    is refused rather than overtaking it."""
    with StreamClient(server.url) as streams:
        first, second = _fill(streams)
        queued = server.client.post(SUBMISSIONS, json={"code": "print('my turn came')"})
        assert queued.status_code == 202, queued.text
        first.send({"type": "stdin", "data": "one\n"})
        first.finish()
        assert final_submission(server.client, queued.json()["id"])["stdout"] == "my turn came\n"

        # One live run is free again, and nothing waits: a run starts at once.
        ran = server.client.post(EXECUTE, json={"code": "print('room')"})
        assert ran.json()["stdout"] == "room\n"
        second.send({"type": "stdin", "data": "two\n"})
        second.finish()


def _wait_for(condition: Callable[[], bool], within_s: float, what: str) -> float:
    """Seconds until `condition()` held; fails past `within_s`."""
    start = time.perf_counter()
    while not condition():
        assert time.perf_counter() - start < within_s, f"{what} took over {within_s} s"
        time.sleep(0.02)
    return time.perf_counter() - start


def test_clients_that_hang_up_have_their_runs_stopped_and_nothing_of_theirs_runs_later(
    server: ApiServer,
) -> None:
    """50 clients send a 5 s program and close their connection 1 s later: two ran (and were
    stopped within a second of the hang-up, their live runs free again), the rest were refused
    at once, and none of them runs afterwards."""
    abandoned = server.metrics().get("execbox_runs_abandoned_total", 0.0)
    ended = metric_sum(server.metrics(), "execbox_runs_total")
    connections = [sent_execute(server, "import time\ntime.sleep(5)\nprint('ran')") for _ in range(50)]
    try:
        _wait_for(lambda: server.metrics()["execbox_runs_in_progress"] == LIVE_RUNS, 5, "starting two runs")
        answers = []
        for connection in connections:
            connection.settimeout(0.5)
            with contextlib.suppress(TimeoutError):
                answers.append(connection.recv(4096).split(b"\r\n", 1)[0])
        assert answers == [b"HTTP/1.1 503 Service Unavailable"] * (50 - LIVE_RUNS)
    finally:
        for connection in connections:
            connection.close()
    took = _wait_for(lambda: server.metrics()["execbox_runs_in_progress"] == 0, 1.0, "stopping the runs")
    assert server.metrics().get("execbox_runs_abandoned_total", 0.0) == abandoned + LIVE_RUNS, took
    together = _in_parallel(server, "import time\ntime.sleep(0.5)\nprint(1)")
    assert [r.json()["status"] for r in together] == ["success"] * LIVE_RUNS

    time.sleep(5)  # as long as the programs would have run
    assert (
        metric_sum(server.metrics(), "execbox_runs_total") == ended + LIVE_RUNS
    )  # only the two just above: nothing ran late


def _in_parallel(server: ApiServer, code: str) -> list[httpx.Response]:
    async def both() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            calls = (client.post(EXECUTE, json={"code": code}) for _ in range(LIVE_RUNS))
            return list(await asyncio.gather(*calls))

    return asyncio.run(both())
