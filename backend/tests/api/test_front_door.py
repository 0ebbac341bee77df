"""The layer in front of the sandbox, tried as a hostile client would on a real server: hosts,
origins, forwarded addresses, redirects, handed-out URLs and /metrics (issue: the front door).

Different clients are different source addresses on loopback (tests/support/loopback_clients.py).
"""

from __future__ import annotations

import contextlib
import json
import socket
import statistics
import threading
import time
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Origin

from execbox.api.front_door import HostAllowList, origin_allowed
from tests.api.conftest import serving
from tests.support.api_server import METRICS_AUTH, ApiServer
from tests.support.databases import MakeDatabase
from tests.support.loopback_clients import new_address, new_client

EXECUTE = "/api/v1/code/execute"
SUBMISSIONS = "/api/v1/code/submissions"
STREAM = "/api/v1/code/stream"
LISTED_ORIGIN = "https://app.example.org"
PUBLIC_URL = "https://run.example.org"


@pytest.fixture(scope="module")
def server(make_database: MakeDatabase) -> Iterator[ApiServer]:
    """Defaults but for: rate limits, one listed origin, a public URL and no metrics token."""
    yield from serving(
        make_database,
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT="3/minute",
        REFUSAL_RATE_LIMIT="5/minute",
        ALLOWED_ORIGINS=LISTED_ORIGIN,
        PUBLIC_URL=PUBLIC_URL,
        METRICS_TOKEN="",
    )


def _handshake_status(server: ApiServer, host: str) -> bytes:
    """The status line the server answers a WebSocket handshake naming `host` with."""
    request = (
        f"GET {STREAM} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request.encode())
        return connection.recv(4096).split(b"\r\n", 1)[0]


# --- 3. Only configured hosts; URLs and redirects never from the request's Host ------------


def test_a_request_for_another_host_is_refused(server: ApiServer) -> None:
    with new_client(server) as client:
        refused = client.get("/health", headers={"Host": "evil.example"})
        assert refused.status_code == 400
        assert "does not answer to the host 'evil.example'" in refused.json()["detail"]
        assert "ALLOWED_HOSTS" in refused.json()["detail"]
        for name in (f"localhost:{server.port}", f"127.0.0.1:{server.port}", "LOCALHOST"):
            assert client.get("/health", headers={"Host": name}).status_code == 200, name
    assert _handshake_status(server, "evil.example").startswith(b"HTTP/1.1 403")
    assert _handshake_status(server, f"127.0.0.1:{server.port}").startswith(b"HTTP/1.1 101")


def test_no_redirect_echoes_a_host(server: ApiServer) -> None:
    with new_client(server) as client:
        response = client.get("/health/", headers={"Host": "localhost"})
    assert response.status_code == 404
    assert "location" not in response.headers


def test_an_async_submission_url_comes_from_the_configuration(server: ApiServer) -> None:
    with new_client(server) as client:
        accepted = client.post(SUBMISSIONS, json={"code": "print(1)"}, headers={"Host": "localhost"})
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["url"] == f"{PUBLIC_URL}{SUBMISSIONS}/{body['id']}"


def test_without_a_public_url_a_submission_url_is_a_path(api: ApiServer) -> None:
    accepted = api.client.post(SUBMISSIONS, json={"code": "print(1)"}, headers={"Host": "localhost"})
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["url"] == f"{SUBMISSIONS}/{accepted.json()['id']}"


# --- 2. The WebSocket only from allowed origins --------------------------------------------


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1"])
def test_a_page_of_another_origin_cannot_run_code(server: ApiServer, origin: str) -> None:
    with connect(f"ws://127.0.0.1:{server.port}{STREAM}", origin=Origin(origin)) as connection:
        # Refused before any run is read: the run message is never sent.
        refusal = json.loads(connection.recv(10))
        assert (refusal["type"], refusal["status"]) == ("error", 403)
        assert "may not run code on this server" in refusal["detail"]
        assert "ALLOWED_ORIGINS" in refusal["detail"]
        with pytest.raises(Exception):  # noqa: B017 -- closed: any receive fails
            connection.recv(10)
    assert connection.close_code == 4403


@pytest.mark.parametrize("origin", ["own", LISTED_ORIGIN, None])
def test_own_pages_listed_origins_and_non_browsers_can_run(server: ApiServer, origin: str | None) -> None:
    if origin == "own":
        origin = f"http://127.0.0.1:{server.port}"
    url = f"ws://127.0.0.1:{server.port}{STREAM}"
    with connect(url, origin=None if origin is None else Origin(origin)) as connection:
        connection.send(json.dumps({"type": "run", "code": "print(6 * 7)"}))
        messages = [json.loads(connection.recv(30)) for _ in range(3)]
    final = next(message for message in messages if message["type"] in ("result", "error"))
    assert (final["type"], final["stdout"]) == ("result", "42\n"), messages


# --- 4. X-Forwarded-For only from named proxies ---------------------------------------------


def test_x_forwarded_for_is_not_believed_from_an_unnamed_proxy(server: ApiServer) -> None:
    with new_client(server) as client:
        statuses = [
            client.post(EXECUTE, json={"code": "print(1)"}, headers={"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(5)
        ]
    assert [response.status_code for response in statuses] == [200, 200, 200, 429, 429]


# --- 6. Refusals are cheap, bounded and counted ----------------------------------------------


def _countless_fields() -> bytes:
    """Just under 1 MiB of made-up fields: 131,557 of them once got a 10 MB answer in ~4 s."""
    fields = ",".join(f'"f{n}":1' for n in range(95_000))
    return ('{"code":"print(1)",' + fields + "}").encode()


def test_countless_unknown_fields_get_one_short_error(server: ApiServer) -> None:
    body = _countless_fields()
    assert len(body) < 1 << 20
    with new_client(server) as client:
        refused = client.post(EXECUTE, content=body, headers={"Content-Type": "application/json"})
    assert refused.status_code == 422
    assert len(refused.content) < 2048, len(refused.content)
    (problem,) = refused.json()["errors"]
    assert "95000 fields are not known here (e.g. 'f0', 'f1', 'f2')" in problem["message"]
    assert "code, stdin, limits" in problem["message"]


def test_a_refusal_lists_at_most_twenty_problems_and_counts_the_rest(server: ApiServer) -> None:
    names = ("wall_time_s", "cpu_time_s", "memory_mb", "output_bytes", "results_bytes")
    limits: dict[str, object] = {name: "x" for name in names} | {f"extra{n}": 1 for n in range(8)}
    payload = {"code": 1, "stdin": 2, "limits": limits, **{f"typo{n}": 1 for n in range(8)}}
    with new_client(server) as client:
        refused = client.post(EXECUTE, json=payload)
    assert refused.status_code == 422
    assert len(refused.json()["errors"]) == 20
    assert "(3 more problems not listed)" in refused.json()["detail"]


FLOODS = 3


def test_floods_of_refusals_leave_health_fast(server: ApiServer) -> None:
    body = _countless_fields()

    def flood() -> None:
        with new_client(server) as client:
            for _ in range(3):
                client.post(EXECUTE, content=body, headers={"Content-Type": "application/json"})

    refusal_ms = []
    with new_client(server) as alone:  # what one refusal costs on this machine, now
        for _ in range(3):
            started = time.perf_counter()
            alone.post(EXECUTE, content=body, headers={"Content-Type": "application/json"})
            refusal_ms.append((time.perf_counter() - started) * 1000)
    health_ms: list[float] = []
    with new_client(server) as watcher:
        threads = [threading.Thread(target=flood) for _ in range(FLOODS)]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            started = time.perf_counter()
            assert watcher.get("/health").status_code == 200
            health_ms.append((time.perf_counter() - started) * 1000)
            time.sleep(0.02)
    # Each refusal is parsed on the event loop (~70-400 ms for 1 MiB of JSON, as the machine
    # goes), so /health may wait behind the ones in progress, one per flood, and its own turn:
    # never behind a flood's whole backlog (three such floods once held it for 4.4 s).
    assert len(health_ms) >= 2
    bound = max(1500, (FLOODS + 2) * statistics.median(refusal_ms))
    assert max(health_ms) < bound, (health_ms, refusal_ms)


def test_refusals_count_against_a_client_s_allowance(server: ApiServer) -> None:
    with new_client(server) as client, new_client(server) as other:
        for _ in range(5):
            assert client.post(EXECUTE, json={"code": "print(1)", "colour": "red"}).status_code == 422
        for request in ({"code": "print(1)", "colour": "red"}, {"code": "print(1)"}):
            spent = client.post(EXECUTE, json=request)
            assert spent.status_code == 429, spent.text
            assert "Too many refused requests from your address (limit: 5/minute)" in spent.json()["detail"]
            assert int(spent.headers["retry-after"]) > 0 and spent.json()["reason"] == "refusal_limit"
        assert other.post(EXECUTE, json={"code": "print(1)"}).status_code == 200


def test_refused_streams_count_and_a_spent_allowance_refuses_streams(server: ApiServer) -> None:
    address = new_address()
    url = f"ws://127.0.0.1:{server.port}{STREAM}"

    def first_message(run: dict[str, object]) -> tuple[dict[str, object], int | None]:
        message: dict[str, object] = {}
        # The context's own close raises after the server closed with a private-use code.
        with contextlib.suppress(ConnectionClosed), connect(url, source_address=(address, 0)) as connection:
            with contextlib.suppress(ConnectionClosed):  # a refused stream may be closed already
                connection.send(json.dumps(run))
            message = json.loads(connection.recv(30))  # received before the close: still here
            connection.recv(10)
        return message, connection.close_code

    for _ in range(5):
        refusal, code = first_message({"type": "run", "code": "print(1)", "colour": "red"})
        assert (refusal["status"], code) == (422, 4422)
    spent, code = first_message({"type": "run", "code": "print(1)"})
    assert (spent["type"], spent["status"], code) == ("error", 429, 4429)
    assert "Too many refused requests from your address" in str(spent["detail"])
    assert spent["reason"] == "refusal_limit"


# --- 10. /metrics is not for every client ---------------------------------------------------


def test_metrics_are_off_the_public_port_without_a_token(server: ApiServer) -> None:
    response = server.client.get("/metrics")
    assert response.status_code == 404
    assert "METRICS_TOKEN" in response.json()["detail"]


def test_metrics_need_the_operator_s_bearer_token(api: ApiServer) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}):
        refused = api.client.get("/metrics", headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in refused.json()["detail"]
    scraped = api.client.get("/metrics", headers=METRICS_AUTH)
    assert scraped.status_code == 200
    assert "execbox_runs_total" in scraped.text or "process_" in scraped.text
    assert "/metrics" not in api.client.get("/openapi.json").json()["paths"]


# --- The rules themselves -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("run.example.org", True),
        ("RUN.example.org:443", True),
        ("a.b.example.net", True),
        ("example.net", False),  # `*.example.net` is its subdomains only
        ("evilexample.net", False),
        ("[::1]:8000", True),
        ("localhost", True),
        ("run.example.org.evil.example", False),
        ("", False),
    ],
)
def test_host_allow_list(host: str, allowed: bool) -> None:
    assert HostAllowList(["run.example.org", "*.example.net"]).allows(host) is allowed


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (None, "anything", True),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
        ("http://127.0.0.1:8001", "127.0.0.1:8000", False),
        ("https://app.example.org", "127.0.0.1:8000", True),
        ("https://app.example.org.evil.example", "127.0.0.1:8000", False),
        ("null", "null", False),
        ("file://", "", False),
    ],
)
def test_origin_rule(origin: str | None, host: str, allowed: bool) -> None:
    assert origin_allowed(origin, host, ["https://app.example.org"]) is allowed
