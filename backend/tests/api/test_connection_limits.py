"""Bounded requests and connections (`api/http_protocol.py`), tried as a hostile client on a real
server: huge or countless headers, long request lines, clients trickling their requests, idle
connections, and floods of connections from one client or many (issue 26, findings 5 and 7).

Different clients are different source addresses on loopback (127.0.0.x); raw sockets, since
an HTTP library would not send such requests. /health is timed during each flood.
"""

from __future__ import annotations

import http.client
import itertools
import json
import select
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.stream_client import STREAM, LiveRun

EXECUTE = "/api/v1/code/execute"
JSON = {"Content-Type": "application/json"}

TIMEOUT = 1.5  # the test servers' head and body timeouts, seconds
KEEP_ALIVE = 1  # seconds
PER_CLIENT = 8
TOTAL = 24  # the connection cap of the `crowded` server
PROXY = "127.0.0.250"  # the `crowded` server's trusted proxy
HEAD = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
HEALTH = HEAD + b"\r\n"
_SOURCE_ADDRESSES = (f"127.0.0.{number}" for number in itertools.count(10))


@pytest.fixture(scope="module")
def server(make_database: MakeDatabase) -> Iterator[ApiServer]:
    """Short timeouts; sizes at their defaults (64 KiB of head, 100 headers, 8 KiB of URL)."""
    settings = {
        "DATABASE_URL": make_database("sqlite"),
        "HTTP_HEADER_TIMEOUT": str(TIMEOUT),
        "HTTP_BODY_TIMEOUT": str(TIMEOUT),
        "HTTP_KEEP_ALIVE_TIMEOUT": str(KEEP_ALIVE),
        "HTTP_MAX_CONNECTIONS_PER_CLIENT": str(PER_CLIENT),
    }
    server = ApiServer(settings).start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def crowded(make_database: MakeDatabase) -> Iterator[ApiServer]:
    """Small connection caps, and timeouts long enough for silent connections to stay."""
    settings = {
        "DATABASE_URL": make_database("sqlite"),
        "HTTP_HEADER_TIMEOUT": "60",
        "HTTP_KEEP_ALIVE_TIMEOUT": str(KEEP_ALIVE),
        "HTTP_MAX_CONNECTIONS_PER_CLIENT": str(PER_CLIENT),
        "HTTP_MAX_CONNECTIONS": str(TOTAL),
        "FORWARDED_ALLOW_IPS": PROXY,
    }
    server = ApiServer(settings).start()
    time.sleep(KEEP_ALIVE + 0.5)  # until the connection start() polled /health on is closed
    yield server
    server.close()


def _connect(server: ApiServer, source: str) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10, source_address=(source, 0))


def _answer(connection: socket.socket) -> http.client.HTTPResponse:
    answer = http.client.HTTPResponse(connection)
    answer.begin()
    answer.read()
    return answer


def _send(connection: socket.socket, data: bytes) -> None:
    """Sends what the server takes: it may stop reading once it has refused."""
    with suppress(OSError):
        connection.sendall(data)


def _health_latency(server: ApiServer) -> float:
    """Seconds for a new client's /health, on a fresh connection."""
    started = time.perf_counter()
    with _connect(server, next(_SOURCE_ADDRESSES)) as connection:
        connection.sendall(HEALTH)
        assert _answer(connection).status == 200
    return time.perf_counter() - started


def _assert_fast(latencies: list[float]) -> None:
    print(f"/health during the flood: {', '.join(f'{s * 1000:.1f}' for s in latencies)} ms")
    assert max(latencies) < 1.0


def _rss_kib(server: ApiServer) -> int:
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


def _closed(connection: socket.socket, wait: float) -> bytes | None:
    """All the server sent if it began to answer or closed the connection within `wait`
    seconds, else None. Once it has begun, its close is waited for a little longer: on a busy
    machine the end of the answer may come later than its start, and must not be lost."""
    received = b""
    deadline = time.monotonic() + wait
    while True:
        left = 2.0 if received else deadline - time.monotonic()
        if left <= 0 or not select.select([connection], [], [], left)[0]:
            return received or None
        try:
            chunk = connection.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def _trickle(server: ApiServer, start: bytes, drip: bytes, clients: int = 20) -> list[tuple[float, bytes]]:
    """`clients` clients send `start`, then `drip` a byte per 0.5 s: when each was cut off, and
    what it was told. /health is timed meanwhile."""
    with ExitStack() as stack:
        connections = [stack.enter_context(_connect(server, next(_SOURCE_ADDRESSES))) for _ in range(clients)]
        started = time.monotonic()
        for connection in connections:
            connection.sendall(start)
        cut: dict[socket.socket, tuple[float, bytes]] = {}
        latencies: list[float] = []
        for byte in itertools.islice(itertools.cycle(drip), int(4 * TIMEOUT / 0.5)):
            for connection in connections:
                if connection not in cut:
                    told = _closed(connection, 0.5 / clients)
                    if told is not None:
                        cut[connection] = (time.monotonic() - started, told)
                    else:
                        _send(connection, bytes([byte]))
            latencies.append(_health_latency(server))
            if len(cut) == clients:
                break
        _assert_fast(latencies)
        assert len(cut) == clients, "slow clients were not cut off"
        return list(cut.values())


# --- Sizes -----------------------------------------------------------------------------------


def test_a_huge_header_block_gets_431_and_costs_no_memory(server: ApiServer) -> None:
    with _connect(server, next(_SOURCE_ADDRESSES)) as connection:
        _send(connection, HEAD + b"X-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
        refused = _answer(connection)
        assert refused.status == 431
        assert refused.getheader("connection") == "close"
    # Unfinished 4 MiB heads, held open: the server must not gather them.
    before = _rss_kib(server)
    with ExitStack() as stack:
        for _ in range(6):
            connection = stack.enter_context(_connect(server, next(_SOURCE_ADDRESSES)))
            _send(connection, HEAD + b"X-Big: " + b"a" * (4 << 20))
        time.sleep(0.5)
        latencies = [_health_latency(server) for _ in range(5)]
        grown = (_rss_kib(server) - before) / 1024
    print(f"server RSS grew {grown:.1f} MiB over 6 unfinished 4 MiB heads")
    _assert_fast(latencies)
    assert grown < 8


def test_too_many_headers_get_431(server: ApiServer) -> None:
    headers = b"".join(b"X-Header-%d: value\r\n" % number for number in range(150))
    with _connect(server, next(_SOURCE_ADDRESSES)) as connection:
        _send(connection, HEAD + headers + b"\r\n")
        assert _answer(connection).status == 431
    # At the limit it is still served.
    headers = b"".join(b"X-Header-%d: value\r\n" % number for number in range(99))
    with _connect(server, next(_SOURCE_ADDRESSES)) as connection:
        connection.sendall(HEAD + headers + b"\r\n")
        assert _answer(connection).status == 200


def test_a_too_long_request_line_gets_414(server: ApiServer) -> None:
    with _connect(server, next(_SOURCE_ADDRESSES)) as connection:
        _send(connection, b"GET /health?q=" + b"a" * (16 << 10) + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _answer(connection).status == 414
    with _connect(server, next(_SOURCE_ADDRESSES)) as connection:
        connection.sendall(b"GET /health?q=" + b"a" * (7 << 10) + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _answer(connection).status == 200


# --- Slow and idle clients -------------------------------------------------------------------


def test_clients_trickling_their_headers_are_cut_off(server: ApiServer) -> None:
    for at, told in _trickle(server, HEAD, b"X-Slow: " + b"a" * 100):
        print(f"cut off after {at:.2f} s: {told[:12]!r}")
        assert TIMEOUT - 0.2 < at < TIMEOUT + 1.5
        assert told.startswith(b"HTTP/1.1 408 ")


def test_clients_trickling_a_body_are_cut_off(server: ApiServer) -> None:
    start = (
        b"POST /api/v1/code/execute HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 200\r\n\r\n"
    )
    for at, told in _trickle(server, start, b"x" * 200):
        print(f"cut off after {at:.2f} s: {told[:12]!r}")
        assert TIMEOUT - 0.2 < at < TIMEOUT + 1.5
        assert told.startswith(b"HTTP/1.1 408 ")


def test_silent_and_idle_connections_are_closed(server: ApiServer) -> None:
    with (
        _connect(server, next(_SOURCE_ADDRESSES)) as silent,
        _connect(server, next(_SOURCE_ADDRESSES)) as idle,
    ):
        started = time.monotonic()
        idle.sendall(HEALTH)
        assert _answer(idle).status == 200
        answered = time.monotonic()
        assert _closed(idle, KEEP_ALIVE + 1.5) == b""
        idle_for = time.monotonic() - answered
        assert _closed(silent, TIMEOUT + 1.5) == b""  # closed without an answer: it asked nothing
        silent_for = time.monotonic() - started
    print(f"idle keep-alive closed after {idle_for:.2f} s, silent connection after {silent_for:.2f} s")
    assert idle_for > KEEP_ALIVE - 0.2
    assert silent_for > TIMEOUT - 0.2


def test_a_live_run_outlasts_the_body_and_idle_timeouts(server: ApiServer) -> None:
    """The stream is quiet for 3 s, twice the timeouts; its connection is counted until it closes."""
    source = next(_SOURCE_ADDRESSES)
    url = server.url.replace("http://", "ws://", 1) + STREAM
    with _connect(server, source) as sock, connect(url, sock=sock, open_timeout=10) as connection:
        live = LiveRun(connection)
        live.send({"type": "run", "code": "import time\ntime.sleep(3)\nprint('done')\n"})
        result = live.finish()
        assert result["status"] == "success"
        assert result["stdout"] == "done\n"
        assert live.close_code() == 1000
    time.sleep(0.3)
    # Counted out once closed: the client has its whole allowance again, and no more.
    with ExitStack() as stack:
        assert _told_nothing(_open(server, source, PER_CLIENT, stack))
        with _connect(server, source) as extra:
            assert _answer(extra).status == 429


# --- Connections per client and in all -------------------------------------------------------


def _open(server: ApiServer, source: str, count: int, stack: ExitStack) -> list[socket.socket]:
    return [stack.enter_context(_connect(server, source)) for _ in range(count)]


def _told_nothing(connections: list[socket.socket]) -> bool:
    return not select.select(connections, [], [], 0.2)[0]


def test_one_client_gets_at_most_its_share_of_connections(crowded: ApiServer) -> None:
    source = next(_SOURCE_ADDRESSES)
    with ExitStack() as stack:
        held = _open(crowded, source, PER_CLIENT, stack)
        assert _told_nothing(held)
        for _ in range(3):
            with _connect(crowded, source) as extra:
                refused = _answer(extra)
                assert refused.status == 429
                assert refused.getheader("retry-after") == "1"
        latencies = [_health_latency(crowded) for _ in range(5)]
        held.pop().close()
        time.sleep(0.2)
        with _connect(crowded, source) as again:  # one closed: one more may open
            again.sendall(HEALTH)
            assert _answer(again).status == 200
    _assert_fast(latencies)
    # A proxy's connections carry many clients: they count only towards the total.
    with ExitStack() as stack:
        assert _told_nothing(_open(crowded, PROXY, PER_CLIENT + 2, stack))


def test_connections_in_all_are_capped(crowded: ApiServer) -> None:
    time.sleep(0.3)  # until the server has closed the connections of the tests before
    with ExitStack() as stack:
        ready = stack.enter_context(_connect(crowded, next(_SOURCE_ADDRESSES)))  # opened before the flood
        held = [ready]
        while len(held) < TOTAL:
            held += _open(crowded, next(_SOURCE_ADDRESSES), min(PER_CLIENT, TOTAL - len(held)), stack)
        assert _told_nothing(held)
        for _ in range(3):
            with _connect(crowded, next(_SOURCE_ADDRESSES)) as extra:
                assert _answer(extra).status == 503
        latencies: list[float] = []
        for _ in range(5):
            started = time.perf_counter()
            ready.sendall(HEALTH)
            assert _answer(ready).status == 200
            latencies.append(time.perf_counter() - started)
        _assert_fast(latencies)
    time.sleep(0.2)
    assert _health_latency(crowded) < 1.0  # all closed: room again


# --- A refusal reaches every ordinary client ---------------------------------------------------


def _post_with_urllib(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=JSON)  # noqa: S310 -- a test server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 -- a test server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _post_with_http_client(server: ApiServer, body: bytes) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("POST", EXECUTE, body=body, headers=JSON)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _post_with_httpx(server: ApiServer, body: bytes) -> tuple[int, bytes]:
    response = httpx.post(
        f"{server.url}{EXECUTE}", content=body, headers={"Content-Type": "application/json"}
    )
    return response.status_code, response.content


def test_a_body_too_large_gets_its_413_whatever_the_client(server: ApiServer) -> None:
    # urllib sends `Connection: close` and posts the whole body before it reads: closed at once
    # with that body unread, the socket was reset and urllib saw ConnectionResetError.
    # Over the body limit of a run (MAX_REQUEST_BYTES and 10 MiB of input files in base64).
    body = json.dumps({"code": "print(1)", "stdin": "x" * (16 << 20)}).encode()
    posts: list[Callable[[], tuple[int, bytes]]] = [
        lambda: _post_with_urllib(f"{server.url}{EXECUTE}", body),
        lambda: _post_with_http_client(server, body),
        lambda: _post_with_httpx(server, body),
    ]
    for post in posts:
        for _ in range(3):
            status, answer = post()
            assert status == 413
            assert b"larger than" in answer
