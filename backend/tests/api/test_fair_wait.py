"""Runs sent with `wait` (issue 30): past the client's share or when every sandbox is busy they
wait for a turn instead of being refused; turns go round-robin between clients; a live run says
its place in line; a run whose client leaves, or that is stopped, while it waits never runs; and
every wait is bounded (in count per client and in time)."""

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
TOO_MANY_WAITING = "1 of your runs is already waiting for its turn, as many as one client may have waiting"
# Prints when it started (the host's clock is the sandbox's), then holds its sandbox.
STAMPED = "import time\nprint(time.time())\ntime.sleep({hold})"


def _stamped(hold: float) -> dict[str, object]:
    return {"code": STAMPED.format(hold=hold), "wait": True}


def _start_time(answer: httpx.Response) -> float:
    assert answer.status_code == 200, answer.text
    return float(answer.json()["stdout"])


def _hold(client: httpx.Client, runs: int, seconds: float) -> list[threading.Thread]:
    """`runs` runs of `client` that hold a sandbox each for `seconds`, started."""
    holding = [
        threading.Thread(target=client.post, args=(EXECUTE,), kwargs={"json": _stamped(seconds)})
        for _ in range(runs)
    ]
    for thread in holding:
        thread.start()
    return holding


def _runs_finished(server: ApiServer) -> float:
    return metric_sum(server.metrics(), "execbox_runs_total")


@pytest.fixture(scope="module", params=["2", "0"], ids=["share-2", "share-off"])
def two_sandboxes(request: pytest.FixtureRequest, make_database: MakeDatabase) -> Iterator[ApiServer]:
    """Two sandboxes; a share of 2 runs per client (or none: then only the sandboxes' turns)."""
    yield from serving(make_database, SANDBOX_LIVE_RUNS="2", CLIENT_RUNS_ALIVE=request.param)


def test_one_clients_burst_cannot_push_another_clients_run_back(two_sandboxes: ApiServer) -> None:
    with new_client(two_sandboxes) as burst_client, new_client(two_sandboxes) as other_client:
        burst: list[httpx.Response] = []

        def send() -> None:
            burst.append(burst_client.post(EXECUTE, json=_stamped(0.5)))

        senders = [threading.Thread(target=send) for _ in range(20)]
        for thread in senders:
            thread.start()
        time.sleep(0.4)  # two running, eighteen waiting
        other = _start_time(other_client.post(EXECUTE, json=_stamped(0)))
        for thread in senders:
            thread.join(60)
    starts = sorted(_start_time(answer) for answer in burst)
    assert len(starts) == 20
    assert other < starts[4], f"the other client's run started after the burst's fifth: {other} vs {starts}"


def test_a_live_run_hears_its_place_fall_to_zero_then_starts(two_sandboxes: ApiServer) -> None:
    with StreamClient(two_sandboxes.url) as streams, new_client(two_sandboxes) as holder:
        holding = _hold(holder, 2, 1.5)
        time.sleep(0.5)
        ahead = streams.start(code="print('ahead')", wait=True)
        ahead.until("queued")
        mine = streams.start(code="print('mine')", wait=True)
        final = mine.finish()
        # Before the streams close: the run ahead may well end after this one.
        ahead_final = ahead.finish()
        for thread in holding:
            thread.join(30)
    assert final["status"] == "success" and mine.output() == "mine\n"
    kinds = [r.message["type"] for r in mine.received]
    positions = [r.message["position"] for r in mine.received if r.message["type"] == "queued"]
    assert positions == [1, 0], mine.received
    assert kinds.index("started") > kinds.index("queued") and kinds.index("started") < kinds.index("output")
    assert {r.message["reason"] for r in mine.received if r.message["type"] == "queued"} == {"server_full"}
    assert ahead_final["stdout"] == "ahead\n"


def test_a_run_stopped_or_left_while_it_waits_never_runs(two_sandboxes: ApiServer) -> None:
    with StreamClient(two_sandboxes.url) as streams, new_client(two_sandboxes) as holder:
        holding = _hold(holder, 2, 1.5)
        time.sleep(0.5)
        before = _runs_finished(two_sandboxes)
        stopped = streams.start(code="print('never')", wait=True)
        stopped.until("queued")
        stopped.send({"type": "stop"})
        assert stopped.close_code() == 1000
        with new_client(two_sandboxes) as leaving, pytest.raises(httpx.ReadTimeout):
            leaving.post(EXECUTE, json={"code": "print('never')", "wait": True}, timeout=0.3)
        for thread in holding:
            thread.join(30)
        time.sleep(0.5)
        assert _runs_finished(two_sandboxes) == before + 2  # the two that held the sandboxes
    assert [r.message["type"] for r in stopped.received] == ["queued"]


@pytest.fixture(scope="module")
def one_sandbox(make_database: MakeDatabase) -> Iterator[ApiServer]:
    """One sandbox, one run per client, one waiting; a wait of at most 1.5 s."""
    yield from serving(
        make_database,
        SANDBOX_LIVE_RUNS="1",
        CLIENT_RUNS_ALIVE="1",
        CLIENT_RUNS_WAITING="1",
        RUN_WAIT_MAX_S="1.5",
    )


def test_waits_are_bounded_in_count_per_client_and_in_time(one_sandbox: ApiServer) -> None:
    with new_client(one_sandbox) as mine, new_client(one_sandbox) as theirs:
        answers: dict[str, httpx.Response] = {}

        def send(name: str, hold: float, client: httpx.Client) -> None:
            answers[name] = client.post(EXECUTE, json=_stamped(hold))

        holder = threading.Thread(target=send, args=("holder", 4, mine))
        holder.start()
        time.sleep(0.5)
        waiter = threading.Thread(target=send, args=("waiter", 0, mine))
        waiter.start()
        time.sleep(0.3)
        too_many = mine.post(EXECUTE, json=_stamped(0))
        assert too_many.status_code == 429, too_many.text
        assert TOO_MANY_WAITING in too_many.json()["detail"] and too_many.json()["reason"] == "client_waiting"
        asked = time.perf_counter()
        late = theirs.post(EXECUTE, json=_stamped(0))  # waits for the one sandbox, in vain
        waited = time.perf_counter() - asked
        waiter.join(30)
        holder.join(30)
    assert late.status_code == 503, late.text
    assert "No turn came for your run within the longest wait this server allows" in late.json()["detail"]
    assert late.headers["retry-after"] == "2" and late.json()["reason"] == "no_turn"
    assert 1.3 < waited < 3.0
    assert answers["waiter"].status_code == 503  # behind its own run, which held on past its wait
    assert _start_time(answers["holder"]) > 0
    metrics = one_sandbox.metrics()
    assert metric_sum(metrics, 'execbox_runs_refused_total{reason="client_waiting"}') == 1
    assert 'execbox_runs_waiting{reason="node_full"}' in metrics
