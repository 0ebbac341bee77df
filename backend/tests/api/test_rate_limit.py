"""Rate limits on runs: per client, only for requests that reach the sandbox, shared between
nodes through Redis, and a clear 503 (not a hang, not a 500) while Redis is down."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.metrics import metric_sum
from tests.support.owners import new_owner
from tests.support.redis import RedisServer, redis_server

EXECUTE = "/api/v1/code/execute"
SUBMIT = "/api/v1/code/submit"
SUBMISSIONS = "/api/v1/code/submissions"
# The test is the proxy in front of these servers: it names each client in X-Forwarded-For.
LIMITED = {
    "RATE_LIMIT_ENABLED": "true",
    "RATE_LIMIT": "3/minute",
    "MAX_STDIN_LENGTH": "10",
    "FORWARDED_ALLOW_IPS": "127.0.0.1",
}
RUN = {"code": "print(6 * 7)"}
_ADDRESSES = (f"203.0.113.{number}" for number in itertools.count(1))


def from_client(address: str) -> dict[str, str]:
    """Headers of a request a trusted proxy (the test, on 127.0.0.1) forwards for `address`."""
    return {"X-Forwarded-For": address}


class Client:
    """One client (a forwarded address of its own, so tests sharing a server never share an
    allowance) talking to one server."""

    def __init__(self, server: ApiServer, address: str | None = None) -> None:
        self.server = server
        self.address = address or next(_ADDRESSES)
        self.headers = from_client(self.address) | new_owner()

    def post(self, path: str, payload: object) -> httpx.Response:
        return self.server.client.post(path, json=payload, headers=self.headers)

    def run(self) -> httpx.Response:
        return self.post(EXECUTE, RUN)


def _start(make_database: MakeDatabase, **settings: str) -> ApiServer:
    return ApiServer({"DATABASE_URL": make_database("sqlite"), **settings}).start()


@pytest.fixture(scope="module")
def limited(make_database: MakeDatabase) -> Iterator[ApiServer]:
    """A server allowing 3 runs a minute per client (shared: each test uses its own address)."""
    server = _start(make_database, **LIMITED)
    yield server
    server.close()


REFUSED_FOR_RATE = 'execbox_runs_refused_total{reason="rate_limit"}'


def assert_ran(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.json()["stdout"] == "42\n"


def assert_rate_limited(response: httpx.Response, limit: str = "3/minute") -> int:
    """A clean 429; returns the wait it announces."""
    assert response.status_code == 429, response.text
    header = response.headers.get("Retry-After")
    assert header is not None and header.isdigit(), response.headers
    wait = int(header)
    assert 1 <= wait <= 60
    body: dict[str, Any] = response.json()
    assert body["retry_after_s"] == wait
    assert f"limit: {limit}" in body["detail"], body
    assert f"Try again in {wait} s" in body["detail"], body
    assert body["reason"] == "rate_limit", body
    return wait


def assert_no_traceback(server: ApiServer) -> None:
    log = server.log_text()
    assert "Traceback" not in log, log[-4000:]


def test_the_fourth_run_in_a_minute_is_refused_with_when_to_retry(limited: ApiServer) -> None:
    client = Client(limited)
    assert limited.client.get("/api/v1/runtime").json()["rate_limit"] == "3/minute"
    refused_before = metric_sum(limited.metrics(), REFUSED_FOR_RATE)
    for _ in range(3):
        assert_ran(client.run())
    started = time.monotonic()
    wait = assert_rate_limited(client.run())
    assert wait >= 55 - (time.monotonic() - started)  # the window opened moments ago
    assert_rate_limited(client.run())  # and stays closed
    assert metric_sum(limited.metrics(), REFUSED_FOR_RATE) == refused_before + 2
    # Reading is not limited.
    assert limited.client.get(SUBMISSIONS, headers=client.headers).status_code == 200
    assert limited.client.get("/health").status_code == 200
    assert_no_traceback(limited)


def test_refused_requests_do_not_use_up_the_allowance(limited: ApiServer) -> None:
    client = Client(limited)
    not_run = [
        ({"code": "import os\nprint(os.getcwd())"}, "code policy"),  # policy
        ({"code": "x = eval('1')"}, "code policy"),
        ({"code": "if True\n    pass"}, "SyntaxError: expected ':'"),
        ({"code": "#" * 20_000}, "code policy"),  # too long
        ({"code": 1}, "body.code"),  # validation
        ({"code": "print(1)", "limits": {"memory_mb": 0}}, "memory_mb"),
        ({"code": "print(1)", "limits": {"memory_mb": 999_999}}, "at most"),  # above the maximum
        ({"code": "print(input())", "stdin": "x" * 11}, "stdin"),  # over MAX_STDIN_LENGTH
    ]
    for _ in range(2):
        for payload, words in not_run:
            for path in (EXECUTE, SUBMIT):
                response = client.post(path, payload)
                assert response.status_code == 422, (payload, response.text)
                assert words in response.json()["detail"], (payload, response.text)
        broken = limited.client.post(
            EXECUTE, content=b'{"code": ', headers={**client.headers, "Content-Type": "application/json"}
        )
        assert broken.status_code == 422, broken.text
    for _ in range(3):
        assert_ran(client.run())
    assert_rate_limited(client.run())
    # Once limited, a request the policy refuses is still told what is wrong with its code.
    policy = client.post(EXECUTE, {"code": "import os"})
    assert policy.status_code == 422, policy.text
    assert policy.json()["violations"][0]["rule"] == "import-not-allowed"
    assert_no_traceback(limited)


def test_runs_that_fail_count_too(limited: ApiServer) -> None:
    """The sandbox ran them: an exception or a timeout is a run like any other."""
    client = Client(limited)
    assert client.post(EXECUTE, {"code": "1 / 0"}).json()["status"] == "runtime_error"
    timed_out = client.post(EXECUTE, {"code": "while True:\n    pass", "limits": {"wall_time_s": 0.3}})
    assert timed_out.json()["status"] == "timeout"
    assert_ran(client.run())
    assert_rate_limited(client.run())


def test_submit_counts_against_the_same_allowance(limited: ApiServer) -> None:
    client = Client(limited)
    marker = client.address
    first = client.post(SUBMIT, {"code": f"print('{marker} first')"})
    assert first.status_code == 200 and first.json()["saved"] is True, first.text
    assert_ran(client.run())
    assert client.post(SUBMIT, {"code": f"print('{marker} second')"}).status_code == 200
    assert_rate_limited(client.post(SUBMIT, {"code": f"print('{marker} not saved')"}))
    assert_rate_limited(client.run())
    items = limited.client.get(SUBMISSIONS, params={"limit": 100}, headers=client.headers).json()["items"]
    mine = [item["code_preview"] for item in items]
    assert mine == [f"print('{marker} second')", f"print('{marker} first')"]  # nothing more saved
    assert_no_traceback(limited)


def test_clients_are_counted_separately(limited: ApiServer) -> None:
    """The server trusts X-Forwarded-For from 127.0.0.1 (the proxy it was told of)."""
    first, second = Client(limited, "198.18.0.7"), Client(limited, "198.18.0.8")
    for _ in range(3):
        assert_ran(first.run())
    assert_rate_limited(first.run())
    for _ in range(3):
        assert_ran(second.run())
    assert_rate_limited(second.run())
    assert_rate_limited(first.post(SUBMIT, RUN))
    # The proxy's own address (no header) is a client of its own too.
    for _ in range(3):
        assert_ran(limited.client.post(EXECUTE, json=RUN))
    assert_rate_limited(limited.client.post(EXECUTE, json=RUN))


# --- Shared through Redis ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture(scope="module")
def nodes(make_database: MakeDatabase, redis: RedisServer) -> Iterator[tuple[ApiServer, ApiServer]]:
    """Two API servers sharing one Redis, as behind a load balancer."""
    one = _start(make_database, **LIMITED, REDIS_URL=redis.url)
    two = _start(make_database, **LIMITED, REDIS_URL=redis.url)
    yield one, two
    one.close()
    two.close()


def test_nodes_share_the_limit_through_redis(nodes: tuple[ApiServer, ApiServer]) -> None:
    one, two = nodes
    address = next(_ADDRESSES)
    on_one, on_two = Client(one, address), Client(two, address)
    assert_ran(on_one.run())
    assert_ran(on_one.post(SUBMIT, RUN))
    assert_ran(on_two.run())
    assert_rate_limited(on_one.run())
    assert_rate_limited(on_two.run())
    assert_rate_limited(on_two.post(SUBMIT, RUN))
    # Per client on every node: another address still has its three runs, spread over both.
    other = next(_ADDRESSES)
    assert_ran(Client(two, other).run())
    assert_ran(Client(one, other).run())
    assert_ran(Client(two, other).run())
    assert_rate_limited(Client(one, other).run())
    for node in nodes:
        assert_no_traceback(node)


def _run_until_accepted(client: Client, deadline_s: float) -> httpx.Response:
    deadline = time.monotonic() + deadline_s
    while True:
        response = client.run()
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_runs_answer_503_while_redis_is_down_and_work_once_it_is_back(
    nodes: tuple[ApiServer, ApiServer], redis: RedisServer
) -> None:
    one, two = nodes
    assert_ran(Client(one).run())
    redis.stop()
    try:
        for node in (one, two, one):
            started = time.monotonic()
            response = Client(node).run()
            elapsed = time.monotonic() - started
            assert response.status_code == 503, response.text
            assert elapsed < 5, f"the 503 took {elapsed:.1f} s"
            detail = response.json()["detail"]
            assert "rate limiter's store is unavailable" in detail, detail
            assert "try again" in detail.lower(), detail
            retry_after = response.headers.get("Retry-After")
            assert retry_after is not None and retry_after.isdigit(), response.headers
            assert int(retry_after) >= 1
        marker = next(_ADDRESSES)
        submitter = Client(two, marker)
        submitted = submitter.post(SUBMIT, {"code": f"print('{marker}')"})
        assert submitted.status_code == 503, submitted.text
        # What does not need the limiter still works: the policy's answers and reading; health
        # reports the store as down.
        policy = Client(one).post(EXECUTE, {"code": "import os"})
        assert policy.status_code == 422, policy.text
        listed = two.client.get(SUBMISSIONS, params={"limit": 100}, headers=submitter.headers)
        assert listed.status_code == 200, listed.text
        assert listed.json()["items"] == []  # not saved
        health = one.client.get("/health")
        assert health.status_code == 503
        assert health.json()["rate_limit"] == "unavailable"
    finally:
        if redis.process is None:
            redis.start()  # same port; its data is gone, so every client starts afresh

    address = next(_ADDRESSES)
    for node in nodes:
        assert_ran(_run_until_accepted(Client(node, address), deadline_s=15))
    # And it limits again, across both nodes.
    assert_ran(Client(one, address).run())
    assert_rate_limited(Client(two, address).run())
    for node in nodes:
        assert_no_traceback(node)
