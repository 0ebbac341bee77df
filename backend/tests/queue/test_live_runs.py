"""A worker holds as many runs at once as it has live runs, whatever its cores, and takes no more
from Redis than that: the rest stay queued for the other workers (issue 27, queue mode)."""

from __future__ import annotations

import threading
import time

import redis

from tests.queue.conftest import SUBMISSIONS, Launcher, poll_submissions, sleeper

SLEEPERS = 50
BURST = 8
SMALL = 2  # live runs of each small worker (tests/support/worker_process.py)


def test_one_worker_runs_fifty_sleepers_together(launcher: Launcher) -> None:
    settings = launcher.settings()
    api = launcher.api(settings)
    launcher.worker("roomy", {**settings, "SANDBOX_LIVE_RUNS": "60"})
    started = time.monotonic()
    ids = [
        api.client.post(SUBMISSIONS, json={"code": sleeper(3, "awake")}).json()["id"] for _ in range(SLEEPERS)
    ]
    finals = poll_submissions(api.client, ids, 30)
    took = time.monotonic() - started
    assert [(f["status"], f["stdout"]) for f in finals.values()] == [("success", "awake\n")] * SLEEPERS
    assert took < 10, f"{SLEEPERS} sleepers of 3 s took {took:.1f} s on one worker"


def test_two_small_workers_share_a_burst_and_neither_takes_more_than_its_live_runs(
    launcher: Launcher,
) -> None:
    settings = launcher.settings()
    api = launcher.api(settings)
    workers = [launcher.worker(name, settings) for name in ("small-1", "small-2")]
    most_in_progress = [0.0, 0.0]
    most_taken = 0  # runs handed out by Redis and not yet acknowledged, both workers together
    sampling = threading.Event()

    def sample() -> None:
        nonlocal most_taken
        with redis.Redis.from_url(settings["REDIS_URL"]) as broker:
            while not sampling.is_set():
                most_taken = max(most_taken, int(broker.hlen("unacked")))
                for index, worker in enumerate(workers):
                    in_progress = worker.metrics()["execbox_runs_in_progress"]
                    most_in_progress[index] = max(most_in_progress[index], in_progress)
                time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        started = time.monotonic()
        ids = [
            api.client.post(SUBMISSIONS, json={"code": sleeper(2, "done")}).json()["id"] for _ in range(BURST)
        ]
        finals = poll_submissions(api.client, ids, 30)
        took = time.monotonic() - started
    finally:
        sampling.set()
        sampler.join()
    assert [f["status"] for f in finals.values()] == ["success"] * BURST
    assert most_in_progress == [SMALL, SMALL], most_in_progress  # both busy, neither past its slots
    assert most_taken <= 2 * SMALL, f"the workers held {most_taken} runs from Redis at once"
    # Four at a time: two rounds of 2 s. Had one worker hoarded runs, the other would idle.
    assert took < 2 * BURST / (2 * SMALL) + 3, f"{BURST} runs of 2 s took {took:.1f} s"
