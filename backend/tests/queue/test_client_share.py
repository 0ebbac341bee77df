"""A client's share in queue mode (issue 30): counted over every API node and worker through
Redis, so a client's runs on one API node count on the other; a run sent with `wait` waits for
the client's runs elsewhere to end; and the runs of a worker that died stop counting within one
lease period, while nothing restarts them."""

from __future__ import annotations

import contextlib
import threading
import time

import httpx

from execbox.queue.protocol import LEASE_RENEW_S
from execbox.queue.share_leases import SHARE_LEASE_TTL_S
from tests.queue.conftest import EXECUTE, Launcher, sleeper, wait_until
from tests.support.api_server import ApiServer
from tests.support.loopback_clients import new_address, new_client
from tests.support.worker_process import WorkerProcess

SHARE = {"CLIENT_RUNS_ALIVE": "2"}
SENTENCE = "2 of your runs are still running, as many as one client may have at once"


def _sleep_twice(client: httpx.Client, seconds: float, ended: list[float]) -> list[threading.Thread]:
    """Two runs of `client` that sleep `seconds` each, sent; `ended` gets when each answer came."""
    body = {"code": sleeper(seconds, "slept")}

    def sleep() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the client closed under a run left waiting
            client.post(EXECUTE, json=body)
            ended.append(time.monotonic())

    sleepers = [threading.Thread(target=sleep) for _ in range(2)]
    for thread in sleepers:
        thread.start()
    return sleepers


def _busy(worker: WorkerProcess, runs: int) -> bool:
    return worker.metrics()["execbox_runs_in_progress"] >= runs


def test_a_clients_runs_on_one_api_node_count_on_the_other(launcher: Launcher) -> None:
    settings = launcher.settings(**SHARE)
    worker = launcher.worker("worker", settings)
    first, second = launcher.api(settings), launcher.api(settings)
    address = new_address()
    ended: list[float] = []
    with (
        new_client(first, address) as on_first,
        new_client(second, address) as on_second,
        new_client(second) as other,
    ):
        sleepers = _sleep_twice(on_first, 4, ended)
        wait_until(lambda: _busy(worker, 2), 10, "both runs running on the worker")
        refused = on_second.post(EXECUTE, json={"code": "print('third')"})
        assert refused.status_code == 429 and SENTENCE in refused.json()["detail"], refused.text
        served = other.post(EXECUTE, json={"code": "print('other')"})
        assert served.status_code == 200 and served.json()["stdout"] == "other\n", served.text
        waited = on_second.post(EXECUTE, json={"code": "print('waited')", "wait": True})
        answered = time.monotonic()
        assert waited.status_code == 200 and waited.json()["stdout"] == "waited\n", waited.text
        for thread in sleepers:
            thread.join(30)
    assert len(ended) == 2 and answered > min(ended)  # it waited for a sleeper to end


def _admitted(client: httpx.Client) -> bool:
    """Whether a run of `client` is admitted: refused at once (429), or still waiting for a
    worker after 1 s (there is none)."""
    try:
        answer = client.post(EXECUTE, json={"code": "print(1)"}, timeout=1.0)
    except httpx.ReadTimeout:
        return True
    assert answer.status_code == 429, answer.text
    return False


def test_the_runs_of_a_killed_worker_stop_counting_within_one_lease_period(launcher: Launcher) -> None:
    settings = launcher.settings(**SHARE)
    worker = launcher.worker("worker", settings)
    api: ApiServer = launcher.api(settings)
    with new_client(api) as mine:
        sleepers = _sleep_twice(mine, 8, [])
        wait_until(lambda: _busy(worker, 2), 10, "both runs running on the worker")
        assert not _admitted(mine)
        worker.kill()
        killed_at = time.monotonic()
        wait_until(lambda: _admitted(mine), SHARE_LEASE_TTL_S + 5, "the client's share free again")
        freed_after = time.monotonic() - killed_at
        for thread in sleepers:
            thread.join(1)  # they wait for verdicts no worker will give; the server's close ends them
    # The last renewal came at most LEASE_RENEW_S before the kill; each try takes up to 1 s.
    assert freed_after <= SHARE_LEASE_TTL_S + 1.5, freed_after
    assert freed_after >= SHARE_LEASE_TTL_S - LEASE_RENEW_S - 1.0, freed_after
