"""Runs through the queue: spread over both workers, each run done exactly once and answered
with its own output, asynchronous submissions stored once each with their verdict."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import httpx

from tests.queue.conftest import (
    EXECUTE,
    FINAL,
    SUBMISSIONS,
    Cluster,
    database_rows,
    sleeper,
    wait_until,
)
from tests.support.metrics import metric_sum

RUNS = 200
PARALLEL = 16


def _program(index: int) -> tuple[str, str, str]:
    """Code, stdin and the exact stdout of run `index`: a number only this index gives, and its
    random stdin echoed back reversed (so the output cannot come from another run)."""
    token = f"run-{index}-{secrets.token_hex(6)}"
    code = (
        "import numpy as np\n"
        f"print(int(np.arange({index + 1}).sum()) * 1000 + {index})\n"
        "print(input()[::-1])\n"
    )
    return code, token + "\n", f"{(index * (index + 1) // 2) * 1000 + index}\n{token[::-1]}\n"


def _runs_done(cluster: Cluster) -> list[float]:
    return [metric_sum(worker.metrics(), "execbox_runs_total") for worker in cluster.workers]


def test_two_hundred_runs_are_spread_over_both_workers_and_each_done_once(cluster: Cluster) -> None:
    rows_before = {row_id for row_id, _ in database_rows(cluster.database_url)}
    done_before = _runs_done(cluster)
    programs = [_program(index) for index in range(RUNS)]
    # Even runs wait for their verdict (POST /execute), odd ones are queued (POST /submissions).
    synchronous = [index for index in range(RUNS) if index % 2 == 0]
    asynchronous = [index for index in range(RUNS) if index % 2 == 1]

    async def send(client: httpx.AsyncClient, gate: asyncio.Semaphore, index: int) -> httpx.Response:
        code, stdin, _ = programs[index]
        async with gate:
            return await client.post(
                EXECUTE if index % 2 == 0 else SUBMISSIONS, json={"code": code, "stdin": stdin}
            )

    async def poll(client: httpx.AsyncClient, gate: asyncio.Semaphore, url: str) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while True:
            async with gate:
                response = await client.get(url)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            if body["status"] in FINAL or time.monotonic() > deadline:
                return body
            await asyncio.sleep(0.1)

    async def run_all() -> tuple[list[httpx.Response], list[dict[str, Any]]]:
        gate = asyncio.Semaphore(PARALLEL)
        limits = httpx.Limits(max_connections=PARALLEL, max_keepalive_connections=PARALLEL)
        async with httpx.AsyncClient(base_url=cluster.api.url, timeout=60, limits=limits) as client:
            responses = list(await asyncio.gather(*(send(client, gate, index) for index in range(RUNS))))
            for index in asynchronous:
                assert responses[index].status_code == 202, (index, responses[index].text)
            urls = [responses[index].json()["url"] for index in asynchronous]
            finals = list(await asyncio.gather(*(poll(client, gate, url) for url in urls)))
        return responses, finals

    started = time.monotonic()
    responses, finals = asyncio.run(run_all())
    elapsed = time.monotonic() - started

    for index in synchronous:
        response = responses[index]
        assert response.status_code == 200, (index, response.text)
        body = response.json()
        assert (body["status"], body["stdout"]) == ("success", programs[index][2]), (index, body)

    accepted_ids = []
    for index, final in zip(asynchronous, finals, strict=True):
        accepted = responses[index].json()
        assert accepted["status"] == "queued"
        assert accepted["url"].endswith(f"{SUBMISSIONS}/{accepted['id']}")
        accepted_ids.append(accepted["id"])
        code, stdin, expected = programs[index]
        assert final["id"] == accepted["id"]
        assert (final["status"], final["stdout"], final["stderr"]) == ("success", expected, ""), (
            index,
            final,
        )
        assert (final["code"], final["stdin"]) == (code, stdin)
        assert final["finished_at"] is not None and final["wall_ms"] is not None

    # Every run was done exactly once, and both workers did some (a worker counts a run once its
    # verdict is delivered, which may be a moment after the caller has it).
    def all_counted() -> list[float] | None:
        now = _runs_done(cluster)
        return now if sum(now) - sum(done_before) >= RUNS else None

    done = wait_until(all_counted, 10, "the workers' execbox_runs_total to count every run")
    per_worker = [after - before for after, before in zip(done, done_before, strict=True)]
    assert sum(per_worker) == RUNS, f"runs done per worker: {per_worker} (expected {RUNS} in all)"
    assert all(count > 0 for count in per_worker), f"one worker did no run: {per_worker}"

    # The database holds exactly the queued submissions, once each, all finished.
    new_rows = [
        (row_id, status)
        for row_id, status in database_rows(cluster.database_url)
        if row_id not in rows_before
    ]
    assert sorted(row_id for row_id, _ in new_rows) == sorted(accepted_ids)
    assert {status for _, status in new_rows} == {"success"}
    print(f"{RUNS} runs in {elapsed:.1f} s; per worker: {per_worker}")


def test_a_synchronous_run_of_several_seconds_gets_its_verdict(cluster: Cluster) -> None:
    """A caller of /execute waits as long as the run may last (here up to 10 s), not 5 s."""
    started = time.monotonic()
    response = cluster.api.client.post(EXECUTE, json={"code": sleeper(7, "slept 7 s")}, timeout=60)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, f"after {elapsed:.1f} s: {response.status_code} {response.text}"
    body = response.json()
    assert (body["status"], body["stdout"]) == ("success", "slept 7 s\n")
    assert 7 <= elapsed < 15
