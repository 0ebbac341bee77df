"""Queue mode: a synchronous caller that hangs up has its run stopped on the worker, and a run
still queued for it is never started (issue 27)."""

from __future__ import annotations

import time

from tests.queue.conftest import EXECUTE, Launcher, sleeper, wait_until
from tests.support.metrics import metric_sum
from tests.support.raw_requests import sent_execute

CALLERS = 3  # one more than the worker's live runs: two run, one waits in the queue


def test_a_caller_that_hangs_up_has_its_run_stopped_and_its_queued_run_never_started(
    launcher: Launcher,
) -> None:
    settings = launcher.settings()
    api = launcher.api(settings)
    worker = launcher.worker("hung-up-on", settings)

    connections = [sent_execute(api, sleeper(5, "ran")) for _ in range(CALLERS)]
    try:
        wait_until(lambda: worker.metrics()["execbox_runs_in_progress"] == 2, 10, "two runs in progress")
        time.sleep(0.5)
    finally:
        for connection in connections:
            connection.close()
    hung_up = time.monotonic()
    wait_until(lambda: worker.metrics()["execbox_runs_in_progress"] == 0, 3, "the runs to be stopped")
    stopped_in = time.monotonic() - hung_up
    # The queued one reaches the worker once a live run is free, and is not started.
    wait_until(
        lambda: worker.metrics().get("execbox_runs_abandoned_total") == CALLERS, 5, "all three dropped"
    )
    assert stopped_in < 1.5, f"the runs were stopped {stopped_in:.2f} s after their callers hung up"

    answered = api.client.post(EXECUTE, json={"code": "print('next')"})
    assert answered.json()["stdout"] == "next\n"
    time.sleep(5)  # as long as the abandoned programs would have run
    # Only the last run ended with a verdict; none of the three ran to its end.
    assert metric_sum(worker.metrics(), "execbox_runs_total") == 1
