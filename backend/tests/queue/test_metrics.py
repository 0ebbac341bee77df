"""/metrics of the API and of the workers: Prometheus text with the runs by verdict, the latency
histogram, the queue's depth and the workers' state."""

from __future__ import annotations

from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from tests.queue.conftest import EXECUTE, SUBMISSIONS, Cluster, poll_submissions, sleeper, wait_until
from tests.support.api_server import METRICS_AUTH
from tests.support.metrics import parse_metrics


def _families(text: str) -> dict[str, Metric]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _check_runs_and_latency(families: dict[str, Metric], statuses: set[str]) -> None:
    runs = families["execbox_runs"]
    assert runs.type == "counter"
    counted = {
        sample.labels["status"]: sample.value
        for sample in runs.samples
        if sample.name == "execbox_runs_total"
    }
    assert statuses <= set(counted), counted
    assert all(counted[status] >= 1 for status in statuses), counted

    latency = families["execbox_run_seconds"]
    assert latency.type == "histogram"
    samples = {(sample.name, sample.labels.get("le")): sample.value for sample in latency.samples}
    count = samples[("execbox_run_seconds_count", None)]
    assert count >= len(statuses)
    assert samples[("execbox_run_seconds_bucket", "+Inf")] == count
    assert samples[("execbox_run_seconds_sum", None)] > 0
    buckets = [value for (name, _), value in samples.items() if name == "execbox_run_seconds_bucket"]
    assert buckets == sorted(buckets), "bucket counts are cumulative"


def test_the_api_metrics(cluster: Cluster) -> None:
    client = cluster.api.client
    assert client.post(EXECUTE, json={"code": "print('ok')"}).json()["status"] == "success"
    assert client.post(EXECUTE, json={"code": "1 / 0"}).json()["status"] == "runtime_error"

    response = client.get("/metrics", headers=METRICS_AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = _families(response.text)
    # The API counts the runs it waited for (POST /execute), by verdict, and how long each took.
    _check_runs_and_latency(families, {"success", "runtime_error"})
    for gauge in (
        "execbox_queue_depth",
        "execbox_workers",
        "execbox_workers_busy",
        "execbox_runs_in_progress",
    ):
        assert families[gauge].type == "gauge", gauge
    samples = parse_metrics(response.text)
    assert samples["execbox_workers"] == 2
    assert samples["execbox_queue_depth"] == 0
    assert samples["execbox_workers_busy"] == 0


def test_the_worker_metrics(cluster: Cluster) -> None:
    client = cluster.api.client
    # Queued runs: only the workers count them (the API does not wait for them).
    ids = [
        client.post(SUBMISSIONS, json={"code": code}).json()["id"] for code in ["print('ok')", "1 / 0"] * 4
    ]
    finals = poll_submissions(client, ids, 20)
    assert sorted(body["status"] for body in finals.values()) == ["runtime_error"] * 4 + ["success"] * 4

    counted: dict[str, float] = {}
    for worker in cluster.workers:
        families = _families(worker.metrics_text())
        assert families["execbox_runs"].type == "counter"
        assert families["execbox_run_seconds"].type == "histogram"
        assert families["execbox_runs_in_progress"].type == "gauge"
        statuses = {
            sample.labels["status"]
            for sample in families["execbox_runs"].samples
            if sample.name == "execbox_runs_total"
        }
        if statuses:  # a worker that ran something has its latency too
            _check_runs_and_latency(families, statuses)
        for sample in families["execbox_runs"].samples:
            if sample.name == "execbox_runs_total":
                counted[sample.labels["status"]] = counted.get(sample.labels["status"], 0) + sample.value
    assert counted.get("success", 0) >= 4 and counted.get("runtime_error", 0) >= 4, counted


def test_busy_workers_are_counted_while_a_run_goes_on(cluster: Cluster) -> None:
    client = cluster.api.client

    def workers_busy() -> float:
        return parse_metrics(client.get("/metrics", headers=METRICS_AUTH).text)["execbox_workers_busy"]

    # Workers report how busy they are in their heartbeat, every 5 s: let the heartbeats of
    # earlier tests' runs age out first, or they would be counted with this one.
    wait_until(lambda: workers_busy() == 0 or None, 12, "the workers' earlier runs to be forgotten")
    accepted = client.post(SUBMISSIONS, json={"code": sleeper(6, "done")}).json()

    def busy() -> float | None:
        value = workers_busy()
        return value if value >= 1 else None

    assert wait_until(busy, 8, "the API's execbox_workers_busy to count the running run") == 1
    in_progress = [worker.metrics()["execbox_runs_in_progress"] for worker in cluster.workers]
    assert sorted(in_progress) == [0, 1]
    final = poll_submissions(client, [accepted["id"]], 15)[accepted["id"]]
    assert (final["status"], final["stdout"]) == ("success", "done\n")
    wait_until(
        lambda: all(worker.metrics()["execbox_runs_in_progress"] == 0 for worker in cluster.workers),
        5,
        "the workers' execbox_runs_in_progress to come back to 0",
    )
