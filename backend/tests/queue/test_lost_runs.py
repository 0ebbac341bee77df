"""Redis restarted without its data: the asynchronous submissions it held end internal_error
after QUEUE_LOST_RUN_AFTER instead of staying queued; the ones it still holds are left alone and
run once a worker comes, and their entries among the awaited runs go with their verdicts."""

from __future__ import annotations

import time

import redis

from execbox.queue.lost_runs import LOST
from execbox.queue.protocol import AWAITED_KEY
from tests.queue.conftest import SUBMISSIONS, Launcher, poll_submissions, wait_until
from tests.support.api_server import METRICS_AUTH
from tests.support.metrics import parse_metrics

LOST_AFTER_S = 2


def test_submissions_redis_forgot_end_internal_error_and_the_others_still_run(launcher: Launcher) -> None:
    settings = launcher.settings(QUEUE_LOST_RUN_AFTER=str(LOST_AFTER_S))
    client = launcher.api(settings).client  # and no worker yet
    broker = redis.Redis.from_url(settings["REDIS_URL"])

    forgotten = [client.post(SUBMISSIONS, json={"code": f"print('lost {n}')"}).json()["id"] for n in range(2)]
    assert broker.zcard(AWAITED_KEY) == 2
    broker.flushdb()  # what a restart without persistence leaves: no queued runs, nothing awaited
    kept = client.post(SUBMISSIONS, json={"code": "print('kept')"}).json()["id"]
    kept_at = time.monotonic()

    finals = poll_submissions(client, forgotten, 10 * LOST_AFTER_S)  # swept every LOST_AFTER_S / 2
    for submission_id in forgotten:
        assert (finals[submission_id]["status"], finals[submission_id]["stderr"]) == ("internal_error", LOST)
    time.sleep(max(0.0, kept_at + 3 * LOST_AFTER_S - time.monotonic()))  # old enough, and swept since
    assert poll_submissions(client, [kept], 0)[kept]["status"] == "queued"
    assert parse_metrics(client.get("/metrics", headers=METRICS_AUTH).text)["execbox_lost_runs_total"] == 2

    launcher.worker("late", settings)
    done = poll_submissions(client, [kept], 30)[kept]
    assert (done["status"], done["stdout"]) == ("success", "kept\n")
    # The worker forgets it just after writing its verdict.
    wait_until(lambda: broker.zcard(AWAITED_KEY) == 0, 5, "the run no longer awaited")
