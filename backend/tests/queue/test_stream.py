"""The live stream in queue mode: output, stdin and Stop relayed between the API and a worker
through Redis, in order and with nothing lost at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.queue.conftest import Cluster, Launcher, sleeper, wait_until
from tests.support.stream_client import (
    ASKS_FOR_A_NAME,
    TICKER,
    StreamClient,
    expect_a_stopped_run,
    expect_a_timeout_while_waiting,
    expect_to_be_told_about_waiting,
)


@pytest.fixture
def streams(cluster: Cluster) -> Iterator[StreamClient]:
    with StreamClient(cluster.api.url) as client:
        yield client


def test_output_is_relayed_as_it_is_printed(streams: StreamClient) -> None:
    live = streams.start(code=TICKER)
    result = live.finish()
    ticks = live.output_times()
    assert result["status"] == "success"
    assert live.output() == result["stdout"] == "".join(f"tick {i}\n" for i in range(8))
    assert len(ticks) >= 6
    assert ticks[-1] - ticks[0] > 0.5


def test_input_reaches_the_worker_while_the_program_waits(streams: StreamClient) -> None:
    live = streams.start(code="a = input('a? ')\nb = input('b? ')\nprint(int(a) + int(b))\n")
    live.until("output")
    live.send({"type": "stdin", "data": "40\n"})
    while not live.output().endswith("b? "):
        live.next()
    live.send({"type": "stdin", "data": "2\n"})
    result = live.finish()
    assert result["stdout"] == "a? b? 42\n"


def test_waiting_for_input_is_relayed_from_the_worker(streams: StreamClient) -> None:
    expect_to_be_told_about_waiting(streams.start(code=ASKS_FOR_A_NAME))
    expect_a_timeout_while_waiting(streams.start(code=ASKS_FOR_A_NAME, limits={"wall_time_s": 1}))


def test_stop_reaches_the_worker(streams: StreamClient) -> None:
    live = streams.start(code="print('spinning', flush=True)\nwhile True:\n    pass\n")
    result, took = live.stop_after_first_output()
    print(f"stop through the queue took {took * 1000:.1f} ms")
    assert result["status"] == "stopped"
    assert took < 0.5


def test_nothing_is_lost_when_a_run_times_out_or_floods(streams: StreamClient) -> None:
    # Few enough lines to be printed well inside the wall time even on a busy machine.
    code = "for i in range(3000):\n    print(i)\nwhile True:\n    pass\n"
    live = streams.start(code=code, limits={"wall_time_s": 1.5})
    result = live.finish()
    assert result["status"] == "timeout"
    assert live.output() == result["stdout"] == "".join(f"{i}\n" for i in range(3000))


def test_results_and_refusals_are_the_same_as_in_local_mode(streams: StreamClient) -> None:
    assert streams.start(code="[1, 2]\n").finish()["results"] == [{"mime": "text/plain", "data": "[1, 2]"}]
    live = streams.start(code="print(1", limits={"memory_mb": 1})
    error = live.finish()
    assert error["status"] == 422
    assert live.close_code() == 4422


def test_a_client_that_goes_away_stops_its_run_on_the_worker(cluster: Cluster, streams: StreamClient) -> None:
    with expect_a_stopped_run(cluster.api.client):
        live = streams.start(code="print('spinning', flush=True)\nwhile True:\n    pass\n")
        live.until("output")
        live.connection.close()


def test_a_run_behind_busy_workers_says_so_then_starts_when_a_worker_takes_it(launcher: Launcher) -> None:
    settings = launcher.settings(SANDBOX_LIVE_RUNS="1")  # the worker runs one program at a time
    worker = launcher.worker("worker", settings)
    api = launcher.api(settings)
    with StreamClient(api.url) as streams:
        running = streams.start(code=sleeper(2, "first"))
        running.until("started")
        queued = streams.start(code=sleeper(0, "second"))
        wait_until(lambda: worker.metrics()["execbox_runs_in_progress"] == 1, 10, "the first run in progress")
        last = streams.start(code="print('last')")
        assert last.finish()["stdout"] == "last\n"
        assert queued.finish()["stdout"] == "second\n"
        assert running.finish()["stdout"] == "first\n"
    kinds = [r.message["type"] for r in last.received]
    assert kinds[:2] == ["queued", "started"], kinds
    assert last.received[0].message == {"type": "queued", "position": 1, "reason": "server_full"}
    # It started once the two before it were done, not when it was queued.
    assert last.received[1].at > 1.5
