"""Redis stopped, restarted or frozen: clients get a clear 503 with Retry-After at once, never a
hang; the workers ride the outage out and runs work again once Redis is back.

The module has its own Redis (it is stopped) with its own API and worker. `outage` stops Redis
while runs are in flight, restarts it, and records what happened; each test checks one part.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.queue.conftest import (
    EXECUTE,
    SUBMISSIONS,
    Launcher,
    database_rows,
    sleeper,
    wait_until,
)
from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.redis import RedisServer, redis_server
from tests.support.worker_process import WorkerProcess

QUICK_S = 3  # "at once": a refusal while Redis is down takes less than this
RECOVERY_S = 30  # Celery retries the broker after 2, 4, 6... s; heartbeats come every 5 s


@dataclass
class Answer:
    status: int | None
    seconds: float
    body: dict[str, Any]
    retry_after: str | None
    error: str = ""


def _call(client: httpx.Client, method: str, url: str, body: dict[str, str] | None = None) -> Answer:
    started = time.monotonic()
    try:
        response = client.request(method, url, json=body, timeout=90)
    except httpx.HTTPError as error:
        return Answer(None, time.monotonic() - started, {}, None, repr(error))
    return Answer(
        response.status_code, time.monotonic() - started, response.json(), response.headers.get("retry-after")
    )


@dataclass
class Stack:
    redis: RedisServer
    api: ApiServer
    worker: WorkerProcess
    database_url: str


@pytest.fixture(scope="module")
def stack(make_database: MakeDatabase) -> Iterator[Stack]:
    with redis_server() as server:
        launcher = Launcher(server, make_database)
        try:
            settings = launcher.settings()
            api = launcher.api(settings)
            worker = launcher.worker("outage", settings)
            yield Stack(server, api, worker, settings["DATABASE_URL"])
        finally:
            launcher.close()


def _check_refusal(answer: Answer, what: str) -> None:
    assert answer.status == 503, f"{what}: {answer}"
    assert answer.seconds < QUICK_S, f"{what} took {answer.seconds:.1f} s"
    assert "queue is unreachable" in answer.body["detail"], answer.body
    assert answer.retry_after is not None and int(answer.retry_after) > 0, answer


def test_a_frozen_redis_gets_a_503_not_a_hang(stack: Stack) -> None:
    """Redis that accepts connections but never answers (SIGSTOP): the API gives up in seconds."""
    assert stack.redis.process is not None
    rows_before = database_rows(stack.database_url)
    calls = {
        "execute": ("POST", EXECUTE, {"code": "print(1)"}),
        "submit": ("POST", SUBMISSIONS, {"code": "print(1)"}),
        "health": ("GET", "/health", None),
    }
    answers: dict[str, Answer] = {}

    def call(name: str) -> None:
        method, url, body = calls[name]
        with httpx.Client(base_url=stack.api.url) as client:
            answers[name] = _call(client, method, url, body)

    callers = [threading.Thread(target=call, args=(name,)) for name in calls]
    os.kill(stack.redis.process.pid, signal.SIGSTOP)
    try:
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join(60)
    finally:
        os.kill(stack.redis.process.pid, signal.SIGCONT)
    execute, submit, health = answers["execute"], answers["submit"], answers["health"]
    for answer, what in ((execute, "POST /execute"), (submit, "POST /submissions")):
        assert answer.status == 503, f"{what}: {answer}"
        assert answer.seconds < 10, f"{what} took {answer.seconds:.1f} s"
        assert "queue is unreachable" in answer.body["detail"], answer.body
        assert answer.retry_after is not None
    assert health.status == 503 and health.seconds < 10, health
    assert database_rows(stack.database_url) == rows_before  # the refused submission left no row
    wait_until(lambda: stack.api.client.get("/health").status_code == 200, RECOVERY_S, "/health ready again")


def test_the_runtime_versions_are_known_again_after_redis_restarts(stack: Stack) -> None:
    """GET /api/v1/runtime answers from what the workers put in Redis: a Redis that restarted
    empty must get it back from the running workers, as it gets their heartbeats back."""
    client = stack.api.client
    wait_until(lambda: client.get("/health").status_code == 200, RECOVERY_S, "the stack ready")
    assert client.get("/api/v1/runtime").status_code == 200
    stack.redis.stop()
    stack.redis.start()  # empty: nothing is saved to disk
    wait_until(lambda: client.get("/health").status_code == 200, RECOVERY_S, "the worker's heartbeat back")
    assert stack.worker.running()
    deadline = time.monotonic() + 6  # a heartbeat or so
    while (answer := client.get("/api/v1/runtime")).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert answer.status_code == 200, f"with the worker back: {answer.status_code} {answer.text}"
    assert set(answer.json()["packages"]) >= {"numpy", "pandas", "scipy"}


@dataclass
class Outage:
    in_flight: Answer  # a /execute waiting for its run when Redis stopped
    execute: Answer  # requests while Redis is down
    submit: Answer
    health: Answer
    rows_kept: bool  # the refused submission left no row behind
    recovered_after_s: float | None  # from the restart until a run succeeded again
    worker_exit: int | None  # the worker's exit code, if it exited
    worker_log: str


@pytest.fixture(scope="module")
def outage(stack: Stack) -> Outage:
    client, worker = stack.api.client, stack.worker
    wait_until(lambda: client.get("/health").status_code == 200, RECOVERY_S, "the stack ready")
    # One run in flight, well under way, when Redis goes: its caller is waiting for the verdict.
    # (With one of the worker's two slots busy, kombu 5.7 makes Celery give up on reconnecting.)
    waiting: list[Answer] = []
    caller = threading.Thread(
        target=lambda: waiting.append(_call(client, "POST", EXECUTE, {"code": sleeper(3, "sync")}))
    )
    caller.start()
    wait_until(lambda: worker.metrics()["execbox_runs_in_progress"] == 1, 10, "the run in progress")
    time.sleep(1)

    stack.redis.stop()
    caller.join(30)
    rows_before = database_rows(stack.database_url)
    execute = _call(client, "POST", EXECUTE, {"code": "print(1)"})
    submit = _call(client, "POST", SUBMISSIONS, {"code": "print(1)"})
    health = _call(client, "GET", "/health")
    rows_kept = database_rows(stack.database_url) == rows_before

    stack.redis.start()
    restarted = time.monotonic()
    recovered_after_s = None
    worker_exit = None
    worker_log = ""
    while time.monotonic() - restarted < RECOVERY_S:
        if not worker.running() and worker_exit is None:
            # What its supervisor (compose's restart policy, systemd) does with a worker that exited.
            worker_exit = worker.stop()
            worker_log = worker.log_text()[-3000:]
            worker.start()
        if client.get("/health").status_code == 200:
            answer = _call(client, "POST", EXECUTE, {"code": "print('back')"})
            if answer.status == 200 and answer.body["stdout"] == "back\n":
                recovered_after_s = time.monotonic() - restarted
                break
        time.sleep(0.5)
    return Outage(
        in_flight=waiting[0] if waiting else Answer(None, 30, {}, None, "no answer within 30 s"),
        execute=execute,
        submit=submit,
        health=health,
        rows_kept=rows_kept,
        recovered_after_s=recovered_after_s,
        worker_exit=worker_exit,
        worker_log=worker_log or worker.log_text()[-3000:],
    )


def test_runs_get_a_clear_503_while_redis_is_down(outage: Outage) -> None:
    _check_refusal(outage.execute, "POST /execute")
    _check_refusal(outage.submit, "POST /submissions")
    assert outage.health.status == 503 and outage.health.seconds < QUICK_S, outage.health
    assert outage.health.body["sandbox"] == "unavailable", outage.health.body


def test_a_refused_submission_leaves_no_row(outage: Outage) -> None:
    assert outage.rows_kept


def test_a_caller_waiting_for_its_run_gets_a_503_when_redis_goes_away(outage: Outage) -> None:
    _check_refusal(outage.in_flight, "the waiting POST /execute")


def test_work_resumes_after_redis_restarts(outage: Outage) -> None:
    # kombu 5.7 cannot re-queue a run in flight when its connection is gone (AttributeError in
    # its Redis QoS, the kombu #582 family) and Celery then gives up; a worker that gives up must
    # say so with a non-zero exit code, so that its supervisor starts it again.
    if outage.worker_exit is not None:
        assert outage.worker_exit != 0, f"the worker exited 0 after losing Redis:\n{outage.worker_log}"
    assert outage.recovered_after_s is not None, (
        f"no run succeeded within {RECOVERY_S} s of Redis restarting; worker log:\n{outage.worker_log}"
    )
