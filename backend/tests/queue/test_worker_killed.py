"""A worker killed (SIGKILL) in the middle of runs: its runs are delivered once more, to the other
worker (or end internal_error), none stays queued or running, none is stored twice; and the
killed worker's sandbox processes do not outlive it.

One kill, observed by the `killed` fixture; each test checks one of its consequences.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from execbox.queue.protocol import LEASE_TTL_S, redeliveries_key
from tests.queue.conftest import (
    FINAL,
    PENDING,
    SUBMISSIONS,
    VISIBILITY_TIMEOUT_S,
    Cluster,
    database_rows,
    poll_submissions,
    sleeper,
    wait_until,
)
from tests.support.metrics import metric_sum
from tests.support.worker_process import WorkerProcess, alive

RUNS = 4  # two per worker: each worker runs two at once
RUN_S = 6
# How long after the kill its sandbox processes may still be there.
ORPHAN_GRACE_S = 3
# A killed worker's leases lapse within LEASE_TTL_S, a surviving worker's sweep (every
# LEASE_RENEW_S) puts its runs back on the queue, and they take RUN_S again: all final within
# SETTLED_WITHIN_S of the kill (issue 14), well before Celery's visibility timeout would have
# handed them out (VISIBILITY_TIMEOUT_S). Polled until the latter, to tell the two apart.
SETTLED_WITHIN_S = 20
REDELIVERY_DEADLINE_S = VISIBILITY_TIMEOUT_S + 5 + RUN_S + 20


@dataclass
class Kill:
    ids: list[str]
    expected: dict[str, str]  # id -> stdout
    victim: WorkerProcess
    survivor: WorkerProcess
    victims_runs: int  # runs in progress on the victim when it was killed
    orphans: dict[int, str]  # sandbox processes of the victim alive ORPHAN_GRACE_S after the kill
    finals: dict[str, dict[str, Any]]  # each submission at the end (or at the deadline)
    settled_after_s: float | None  # seconds from the kill until every submission was final
    redeliveries: dict[str, int]  # each run's deliveries after its first, as the workers counted them
    survivors_runs: float  # runs the survivor finished since the submissions
    restored: float  # runs the survivor put back on the queue since the submissions
    rows: list[tuple[str, str]]  # the database's rows of these submissions


def _describe(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status.read().splitlines() if ":" in line)
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")[:80]
    except OSError:
        return "gone"
    return f"uid {fields['Uid'].split()[0]}, ppid {fields['PPid'].strip()}: {command}"


@pytest.fixture(scope="module")
def killed(shared_cluster: Cluster) -> Iterator[Kill]:
    cluster = shared_cluster.revive()
    client = cluster.api.client
    wait_until(
        lambda: all(worker.metrics()["execbox_runs_in_progress"] == 0 for worker in cluster.workers),
        20,
        "both workers idle before the test",
    )
    done_before = {
        worker.name: metric_sum(worker.metrics(), "execbox_runs_total") for worker in cluster.workers
    }
    restored_before = {
        worker.name: metric_sum(worker.metrics(), "execbox_runs_restored_total") for worker in cluster.workers
    }
    expected = {}
    for index in range(RUNS):
        marker = f"long run {index}"
        accepted = client.post(SUBMISSIONS, json={"code": sleeper(RUN_S, marker)})
        assert accepted.status_code == 202, accepted.text
        expected[accepted.json()["id"]] = marker + "\n"
    ids = list(expected)

    def in_progress() -> dict[str, float] | None:
        counts = {worker.name: worker.metrics()["execbox_runs_in_progress"] for worker in cluster.workers}
        return counts if sum(counts.values()) == RUNS else None

    counts = wait_until(in_progress, 10, f"all {RUNS} runs in progress")
    victim = max(cluster.workers, key=lambda worker: counts[worker.name])
    survivor = next(worker for worker in cluster.workers if worker is not victim)
    tree = victim.kill()
    killed_at = time.monotonic()

    time.sleep(max(0.0, killed_at + ORPHAN_GRACE_S - time.monotonic()))
    orphans = {pid: _describe(pid) for pid in sorted(tree) if alive(pid)}
    for pid in orphans:  # ours to clean up: nothing else will
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    finals = poll_submissions(client, ids, killed_at + REDELIVERY_DEADLINE_S - time.monotonic())
    settled = all(body["status"] in FINAL for body in finals.values())
    settled_after_s = time.monotonic() - killed_at if settled else None
    with redis.Redis.from_url(cluster.settings["REDIS_URL"]) as broker:
        redeliveries = {
            submission_id: int(broker.get(redeliveries_key(submission_id)) or 0) for submission_id in ids
        }
    survivors_runs = metric_sum(survivor.metrics(), "execbox_runs_total") - done_before[survivor.name]
    restored = metric_sum(survivor.metrics(), "execbox_runs_restored_total") - restored_before[survivor.name]
    rows = [row for row in database_rows(cluster.database_url) if row[0] in expected]
    yield Kill(
        ids=ids,
        expected=expected,
        victim=victim,
        survivor=survivor,
        victims_runs=int(counts[victim.name]),
        orphans=orphans,
        finals=finals,
        settled_after_s=settled_after_s,
        redeliveries=redeliveries,
        survivors_runs=survivors_runs,
        restored=restored,
        rows=rows,
    )


def test_the_killed_workers_sandbox_processes_die_with_it(killed: Kill) -> None:
    assert killed.orphans == {}, (
        f"{len(killed.orphans)} sandbox processes of the killed worker were still alive "
        f"{ORPHAN_GRACE_S} s after it (its runs had {RUN_S} s to go, with nobody left to enforce "
        f"their wall-time limit): {killed.orphans}"
    )


def test_every_submission_ends_in_a_final_state(killed: Kill) -> None:
    statuses = {submission_id: body["status"] for submission_id, body in killed.finals.items()}
    stuck = {submission_id: status for submission_id, status in statuses.items() if status in PENDING}
    assert not stuck, (
        f"{len(stuck)} of {RUNS} submissions were still {sorted(set(stuck.values()))} "
        f"{REDELIVERY_DEADLINE_S} s after their worker was killed (visibility timeout "
        f"{VISIBILITY_TIMEOUT_S} s, runs of {RUN_S} s); redeliveries counted: {killed.redeliveries}"
    )
    for submission_id, body in killed.finals.items():
        if body["status"] == "success":
            assert body["stdout"] == killed.expected[submission_id]
        else:
            assert body["status"] == "internal_error", body
    print(f"all final {killed.settled_after_s:.1f} s after the kill: {sorted(statuses.values())}")


def test_the_interrupted_runs_end_within_seconds_of_the_kill_not_after_the_visibility_timeout(
    killed: Kill,
) -> None:
    assert killed.settled_after_s is not None and killed.settled_after_s <= SETTLED_WITHIN_S, (
        f"final {killed.settled_after_s} s after the kill; leases lapse in {LEASE_TTL_S} s, "
        f"runs take {RUN_S} s, the visibility timeout is {VISIBILITY_TIMEOUT_S} s"
    )


def test_the_interrupted_runs_are_run_once_more_on_the_other_worker(killed: Kill) -> None:
    twice = sorted(submission_id for submission_id, count in killed.redeliveries.items() if count == 1)
    once = sorted(submission_id for submission_id, count in killed.redeliveries.items() if count == 0)
    assert (len(twice), len(once)) == (killed.victims_runs, RUNS - killed.victims_runs), (
        f"redeliveries per run: {killed.redeliveries}; {killed.victims_runs} were on the killed worker"
    )
    # The survivor put back the killed worker's runs, none of its own (their leases held while
    # they ran, as long as its leases last and longer), and finished them all, each once.
    assert killed.restored == killed.victims_runs
    assert killed.survivors_runs == RUNS
    assert all(killed.finals[submission_id]["status"] == "success" for submission_id in twice)


def test_the_database_holds_each_submission_once_with_its_verdict(killed: Kill) -> None:
    assert sorted(row_id for row_id, _ in killed.rows) == sorted(killed.ids)
    assert all(status in FINAL for _, status in killed.rows), killed.rows
