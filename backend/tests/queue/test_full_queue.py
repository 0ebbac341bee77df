"""A full queue (QUEUE_MAX_LENGTH runs waiting) refuses new runs with 503 and Retry-After, and
keeps nothing of them; the runs it accepted are done once a worker comes."""

from __future__ import annotations

from tests.queue.conftest import (
    EXECUTE,
    SUBMISSIONS,
    Launcher,
    database_rows,
    poll_submissions,
    wait_until,
)
from tests.support.api_server import METRICS_AUTH
from tests.support.metrics import parse_metrics


def test_a_full_queue_answers_503_and_its_runs_are_done_once_a_worker_comes(launcher: Launcher) -> None:
    settings = launcher.settings(QUEUE_MAX_LENGTH="2")
    api = launcher.api(settings)  # and no worker yet
    client = api.client

    def queue_depth() -> float:
        return parse_metrics(client.get("/metrics", headers=METRICS_AUTH).text)["execbox_queue_depth"]

    accepted = [client.post(SUBMISSIONS, json={"code": f"print('queued {n}')"}) for n in range(2)]
    assert [response.status_code for response in accepted] == [202, 202], [r.text for r in accepted]
    ids = [response.json()["id"] for response in accepted]

    for url in (SUBMISSIONS, EXECUTE):
        refused = client.post(url, json={"code": "print('one too many')"})
        assert refused.status_code == 503, (url, refused.text)
        assert "queue is full" in refused.json()["detail"], refused.json()
        assert int(refused.headers["retry-after"]) > 0

    # Only the accepted submissions are stored, still queued; the queue holds their two runs.
    assert sorted(database_rows(settings["DATABASE_URL"])) == sorted((i, "queued") for i in ids)
    assert queue_depth() == 2
    assert client.get("/health").json()["sandbox"] == "no workers"

    launcher.worker("drain", settings)
    finals = poll_submissions(client, ids, 20)
    assert [(finals[i]["status"], finals[i]["stdout"]) for i in ids] == [
        ("success", "queued 0\n"),
        ("success", "queued 1\n"),
    ]
    assert sorted(database_rows(settings["DATABASE_URL"])) == sorted((i, "success") for i in ids)

    # With room again, runs are accepted.
    wait_until(lambda: queue_depth() == 0, 5, "an empty queue")
    assert client.post(EXECUTE, json={"code": "print('room again')"}).json()["stdout"] == "room again\n"
