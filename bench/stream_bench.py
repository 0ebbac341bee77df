"""Benchmark the live stream (`/api/v1/code/stream`): time to first output, in one sitting.

Run as root from the repository root:

    .venv/bin/python bench/stream_bench.py

Starts queue_bench's stack in a temporary directory (a throwaway `redis-server`, an `execbox
serve` in the local mode, one in the queue mode and one `execbox worker`, each engine running two
runs at once), then measures on each server, in interleaved blocks:

- `print(1)`: time from sending the run message to the first output message (TTFB), to the
  result message, and the whole `POST /api/v1/code/execute` answer as the baseline;
- a program that prints, then works for 1 s, then prints again: TTFB against the HTTP answer,
  which can only come after the whole second;
- Stop: a spinning program stopped after its first output; time from the stop message to the
  result (status `stopped`).

Connecting (the WebSocket handshake on a new connection, as the UI makes one per run) is timed
apart. Prints a table, then one JSON line with every number. There is no target for these numbers
(issue 6 asks for them to be measured and recorded).
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from http_bench import Connection, Server, wait_until_healthy
from queue_bench import LOCAL, QUEUE, Stack, local_settings
from websockets.sync.client import connect

from common import Host, p50, p95, progress

ROUNDS = 5
QUICK_RUNS_PER_ROUND = 20
SLOW_RUNS_PER_ROUND = 1
STOP_RUNS_PER_ROUND = 4
PAUSE_S = 0.02

QUICK = "print(1)"
SLOW = "import time\nprint('first', flush=True)\ntime.sleep(1)\nprint('second')\n"
SPIN = "print('spinning', flush=True)\nwhile True:\n    pass\n"


@dataclass(frozen=True, slots=True)
class Timing:
    p50_ms: float
    p95_ms: float
    runs: int

    @classmethod
    def of(cls, samples: list[float]) -> Timing:
        return cls(
            p50(samples),
            p95(samples) if len(samples) > 1 else p50(samples),
            len(samples),
        )


@dataclass
class Samples:
    connect: list[float]
    first_output: list[float]
    result: list[float]
    http: list[float]
    slow_first_output: list[float]
    slow_http: list[float]
    stop: list[float]


def live_run(server: Server, code: str, stop_after_first_output: bool = False) -> tuple[float, float, float]:
    """(connect, first output, result) in ms; the last two from sending the run message, or for
    a stopped run the result from sending the stop message."""
    url = f"ws://{server.host}:{server.port}/api/v1/code/stream"
    began = time.perf_counter()
    with connect(url, open_timeout=30, max_size=None) as websocket:
        sent = time.perf_counter()
        websocket.send(json.dumps({"type": "run", "code": code}))
        first = None
        while True:
            message = json.loads(websocket.recv(60))
            now = time.perf_counter()
            if message["type"] == "output" and first is None:
                first = now
                if stop_after_first_output:
                    sent = now
                    websocket.send(json.dumps({"type": "stop"}))
            elif message["type"] in ("result", "error"):
                expected = "stopped" if stop_after_first_output else "success"
                if message.get("status") != expected or first is None:
                    raise RuntimeError(f"unexpected end of a live run: {message}")
                return (sent - began) * 1000, (first - sent) * 1000, (now - sent) * 1000


def http_run(connection: Connection, code: str) -> float:
    connection.ready()  # reopens a connection the server closed while idle; not timed
    began = time.perf_counter()
    status, body = connection.request("POST", "/api/v1/code/execute", json.dumps({"code": code}).encode())
    if status != 200 or json.loads(body)["status"] != "success":
        raise RuntimeError(f"HTTP run failed: {status} {body[:300]!r}")
    return (time.perf_counter() - began) * 1000


def measure_round(server: Server, connection: Connection, samples: Samples) -> None:
    for _ in range(QUICK_RUNS_PER_ROUND):
        connecting, first, result = live_run(server, QUICK)
        samples.connect.append(connecting)
        samples.first_output.append(first)
        samples.result.append(result)
        time.sleep(PAUSE_S)
        samples.http.append(http_run(connection, QUICK))
        time.sleep(PAUSE_S)
    for _ in range(SLOW_RUNS_PER_ROUND):
        samples.slow_first_output.append(live_run(server, SLOW)[1])
        samples.slow_http.append(http_run(connection, SLOW))
    for _ in range(STOP_RUNS_PER_ROUND):
        samples.stop.append(live_run(server, SPIN, stop_after_first_output=True)[2])


def measure(stack: Stack) -> dict[str, dict[str, Timing]]:
    progress("starting redis-server, the local and the queue server, one worker")
    stack.start_redis()
    stack.migrate()
    servers = {
        LOCAL: stack.start_server(LOCAL, local_settings(stack)),
        QUEUE: stack.start_server(QUEUE, stack.queue_settings()),
    }
    stack.start_worker()
    for server in servers.values():
        wait_until_healthy(server)
    samples = {name: Samples([], [], [], [], [], [], []) for name in servers}
    with contextlib.ExitStack() as closing:
        connections = {
            name: closing.enter_context(contextlib.closing(Connection(s))) for name, s in servers.items()
        }
        # Warm up: first runs pay for imports and connections.
        for name, server in servers.items():
            for _ in range(5):
                live_run(server, QUICK)
                http_run(connections[name], QUICK)
        for round_number in range(ROUNDS):
            progress(f"round {round_number + 1} of {ROUNDS}")
            order = list(servers) if round_number % 2 == 0 else list(reversed(servers))
            for name in order:
                measure_round(servers[name], connections[name], samples[name])
    return {
        name: {field: Timing.of(values) for field, values in asdict(s).items()} for name, s in samples.items()
    }


def print_table(timings: dict[str, dict[str, Timing]]) -> None:
    rows = [
        ("connect", "WebSocket handshake"),
        ("first_output", "print(1): first output"),
        ("result", "print(1): result"),
        ("http", "print(1): HTTP execute"),
        ("slow_first_output", "print, 1 s work, print: first output"),
        ("slow_http", "print, 1 s work, print: HTTP execute"),
        ("stop", "stop message -> result"),
    ]
    print(f"{'ms (p50 / p95)':<40}" + "".join(f"{name:>20}" for name in timings))
    for field, label in rows:
        cells = "".join(f"{t[field].p50_ms:>11.2f} / {t[field].p95_ms:<6.1f}" for t in timings.values())
        print(f"{label:<40}{cells}")


def main() -> None:
    host = Host()
    with contextlib.ExitStack() as exits:
        workdir = Path(exits.enter_context(tempfile.TemporaryDirectory(prefix="execbox-stream-bench-")))
        timings = measure(Stack(exits, workdir))
    host.finish()
    print(host.describe())
    print()
    print_table(timings)
    numbers = {name: {field: asdict(t) for field, t in rows.items()} for name, rows in timings.items()}
    print()
    print(json.dumps({**host.summary(), "stream": numbers, "total_s": host.total_s()}))


if __name__ == "__main__":
    main()
