"""SIGTERM to a worker: it finishes the run it is running and exits 0; a run queued meanwhile
is either done by it before it exits or left to the queue for the next worker: done once, not lost."""

from __future__ import annotations

import time

import redis

from execbox.queue.protocol import redeliveries_key
from tests.queue.conftest import SUBMISSIONS, Launcher, database_rows, poll_submissions, sleeper, wait_until


def test_sigterm_lets_the_running_run_finish_then_the_worker_exits_0(launcher: Launcher) -> None:
    settings = launcher.settings()
    api = launcher.api(settings)
    worker = launcher.worker("graceful", settings)
    client = api.client

    accepted = client.post(SUBMISSIONS, json={"code": sleeper(3, "finished")}).json()
    wait_until(lambda: worker.metrics()["execbox_runs_in_progress"] == 1, 10, "the run in progress")
    worker.terminate()
    terminated = time.monotonic()
    later = client.post(SUBMISSIONS, json={"code": "print('after the shutdown')"}).json()
    code = worker.wait(timeout=30)
    exited_after_s = time.monotonic() - terminated

    assert code == 0, f"exit code {code}; log:\n{worker.log_text()[-3000:]}"
    # The verdict was written before the worker exited: no other worker exists to have done it.
    rows = dict(database_rows(settings["DATABASE_URL"]))
    assert rows[accepted["id"]] == "success"
    assert rows[later["id"]] in ("queued", "success"), rows
    final = poll_submissions(client, [accepted["id"]], 0)[accepted["id"]]
    assert (final["status"], final["stdout"]) == ("success", "finished\n")
    assert exited_after_s < 15, f"the worker took {exited_after_s:.1f} s to exit"
    with redis.Redis.from_url(settings["REDIS_URL"]) as broker:
        assert broker.get(redeliveries_key(accepted["id"])) is None  # run once, never handed out again
    assert worker.heartbeat() is None  # it said goodbye: /health no longer counts it
    assert client.get("/health").json()["sandbox"] == "no workers"

    if rows[later["id"]] == "queued":
        launcher.worker("next", settings)
    final = poll_submissions(client, [later["id"]], 15)[later["id"]]
    assert (final["status"], final["stdout"]) == ("success", "after the shutdown\n")
    with redis.Redis.from_url(settings["REDIS_URL"]) as broker:
        assert broker.get(redeliveries_key(later["id"])) is None
