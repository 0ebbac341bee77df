"""Benchmark the HTTP service against the sandbox engine alone, in one sitting.

Run as root from the repository root:

    .venv/bin/python bench/http_bench.py

Starts `execbox serve` as a subprocess (its own engine, SQLite in a temporary directory, no rate
limit) and a `SandboxEngine` in this process, both with 8 live runs, and measures, all in this
one run:

- latency: paced sequential runs of `print(1)` and a pandas snippet, through `await engine.run`
  and through `POST /api/v1/code/execute` on a keep-alive connection, in interleaved blocks so
  that drift on a shared machine hits both alike; the HTTP layer's overhead is the difference of
  the p50s;
- throughput: `print(1)` with 2, 4 and 8 concurrent clients looping back to back, through HTTP
  and through the engine alone.

The HTTP load generator is kept light so that it measures the server rather than itself: the
standard library's `http.client`, one keep-alive HTTP/1.1 connection per client thread, request
bodies encoded once (httpx cost ~2-3 ms of client CPU per request, which showed up in the
latencies). While one side is measured the other side's pool is left idle (the two share the
CPUs). This process runs on uvloop, as the server does, so the engine-alone figures carry the
same event loop. Alongside the latencies it records the CPU time per run of the process hosting
the engine (this one, or the server) and of the HTTP client (this one, all its threads). Prints a
table, then the targets with PASS/MISS, then one JSON line with every number.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.client
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import uvloop

from common import (
    EXPECTED_STDOUT,
    SNIPPETS,
    Host,
    Target,
    check_run,
    cpu_seconds,
    free_port,
    p50,
    p95,
    print_targets_and_json,
    progress,
)
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.settings import Settings

EXECUTE_PATH = "/api/v1/code/execute"
HEALTH_PATH = "/health"
REQUEST_BODIES = {name: json.dumps({"code": code}).encode() for name, code in SNIPPETS.items()}
JSON_HEADERS = {"Content-Type": "application/json"}
REQUEST_TIMEOUT_S = 60.0

# As many as the most clients: a server refuses a run past its live runs (503) instead of
# queueing it. The engine alone gets as many, so that both sides run the same.
LIVE_RUNS = 8
WARM_CHILDREN = 4  # per template
# 24 slots each (8 runs + 2 x 2 templates x 4 warm), clear of the test suite's ranges.
ENGINE_FIRST_UID = 152_000  # this process's engine
SERVER_FIRST_UID = 152_100  # the server's engine

SERVER_START_TIMEOUT_S = 90.0
WARM_UP_PAUSE_S = 2.0
WARM_UP_RUNS = 5  # per setup and snippet, not measured
ROUNDS = 8
RUNS_PER_BLOCK = 20
# The pause after each paced run: long enough for the run's replacement child to be set up and
# warmed (50-75 ms on a loaded 2-core host). A shorter one lets that work overlap the next run,
# so the engine's latency grows as the gap shrinks; and since the HTTP path widens the gap the
# engine sees by its own overhead, that would understate the overhead.
PACING_S = 0.080
SETTLE_S = 0.25  # after a block, so that the pool it used is refilled and idle again
CLIENT_COUNTS = (2, 4, 8)
THROUGHPUT_SECONDS = 5.0

TARGET_OVERHEAD_MS = 5.0
TARGET_HTTP_RUNS_PER_S = 100.0

R = TypeVar("R")

Sample = tuple[float, float]  # (end-to-end ms, the engine's own wall_ms)


@dataclass(frozen=True, slots=True)
class Latency:
    runs: int
    p50_ms: float
    p95_ms: float
    wall_p50_ms: float  # the engine's own wall_ms (RunResult.wall_ms, or the response's)
    host_cpu_ms_per_run: float  # the process running the engine: this one, or the server
    client_cpu_ms_per_run: float | None  # the HTTP client (this process); None for the engine alone


@dataclass(frozen=True, slots=True)
class Throughput:
    clients: int
    runs: int
    seconds: float
    runs_per_s: float
    p50_ms: float
    p95_ms: float
    host_cpu_ms_per_run: float
    client_cpu_ms_per_run: float | None


LatencyTable = dict[str, dict[str, Latency]]  # setup ("engine", "http") -> snippet -> latency
LoadTable = dict[str, list[Throughput]]  # setup -> one per client count


@dataclass(frozen=True, slots=True)
class Processes:
    """Whose CPU time a measurement counts: the process hosting the engine, and the HTTP client."""

    host: int
    client: int | None  # None: no HTTP, the engine runs in this process

    def cpu_seconds(self) -> tuple[float, float]:
        return cpu_seconds(self.host), cpu_seconds(self.client) if self.client is not None else 0.0


@dataclass(slots=True)
class Samples:
    """What the blocks of one setup and snippet add up to."""

    processes: Processes
    elapsed_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    host_cpu_s: float = 0.0
    client_cpu_s: float = 0.0

    def latency(self) -> Latency:
        runs = len(self.elapsed_ms)
        client = per_run_ms(self.client_cpu_s, runs) if self.processes.client is not None else None
        return Latency(
            runs=runs,
            p50_ms=p50(self.elapsed_ms),
            p95_ms=p95(self.elapsed_ms),
            wall_p50_ms=p50(self.wall_ms),
            host_cpu_ms_per_run=per_run_ms(self.host_cpu_s, runs),
            client_cpu_ms_per_run=client,
        )


@dataclass(frozen=True, slots=True)
class Server:
    process: subprocess.Popen[bytes]
    host: str
    port: int
    log: Path


def per_run_ms(seconds: float, runs: int) -> float:
    return round(seconds * 1000 / runs, 3)


# --- one run ----------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection to the server, for one client thread at a time; every
    request carries `headers` (a credential, say)."""

    def __init__(self, server: Server, headers: dict[str, str] | None = None) -> None:
        self._http = http.client.HTTPConnection(server.host, server.port, timeout=REQUEST_TIMEOUT_S)
        self._headers = headers or {}

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {**self._headers, **(JSON_HEADERS if body is not None else {})}
        self._http.request(method, path, body=body, headers=headers)
        response = self._http.getresponse()
        return response.status, response.read()  # read it all: the connection is then reused

    def ready(self) -> None:
        """Open the connection, or reopen it if the server closed it while idle (not measured)."""
        try:
            status, _ = self.request("GET", HEALTH_PATH)
        except ConnectionError:  # the server's keep-alive timeout ran out
            self._http.close()
            status, _ = self.request("GET", HEALTH_PATH)
        if status != 200:
            raise RuntimeError(f"GET {HEALTH_PATH} answered {status}")

    def execute(self, name: str) -> float:
        """POST one snippet; the engine's wall_ms from the response."""
        status, raw = self.request("POST", EXECUTE_PATH, REQUEST_BODIES[name])
        body: dict[str, Any] = json.loads(raw) if status == 200 else {}
        if body.get("status") != "success" or body.get("stdout") != EXPECTED_STDOUT[name]:
            raise RuntimeError(f"HTTP run failed: {status} {raw[:500]!r}")
        return float(body["wall_ms"])


async def engine_run(engine: SandboxEngine, name: str) -> float:
    return check_run(await engine.run(SNIPPETS[name]), EXPECTED_STDOUT[name]).wall_ms


# --- latency ----------------------------------------------------------------------------


async def engine_block(engine: SandboxEngine, name: str, runs: int) -> list[Sample]:
    samples: list[Sample] = []
    for _ in range(runs):
        started = time.perf_counter()
        wall_ms = await engine_run(engine, name)
        samples.append(((time.perf_counter() - started) * 1000, wall_ms))
        await asyncio.sleep(PACING_S)
    return samples


def http_block(connection: Connection, name: str, runs: int) -> list[Sample]:
    samples: list[Sample] = []
    for _ in range(runs):
        started = time.perf_counter()
        wall_ms = connection.execute(name)
        samples.append(((time.perf_counter() - started) * 1000, wall_ms))
        time.sleep(PACING_S)
    return samples


class ClientThread:
    """The paced HTTP client: one thread of its own (the loop stays free) and one connection."""

    def __init__(self, server: Server) -> None:
        self._connection = Connection(server)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="http-client")

    async def ready(self) -> None:
        await self._call(self._connection.ready)

    async def block(self, name: str, runs: int) -> list[Sample]:
        return await self._call(functools.partial(http_block, self._connection, name, runs))

    async def _call(self, function: Callable[[], R]) -> R:
        return await asyncio.get_running_loop().run_in_executor(self._thread, function)

    def close(self) -> None:
        self._thread.shutdown()
        self._connection.close()


async def measured_block(samples: Samples, block: Awaitable[list[Sample]]) -> None:
    """Run one block, then settle; CPU counts the settling too (the pool refills after a run)."""
    host_before, client_before = samples.processes.cpu_seconds()
    for elapsed_ms, wall_ms in await block:
        samples.elapsed_ms.append(elapsed_ms)
        samples.wall_ms.append(wall_ms)
    await asyncio.sleep(SETTLE_S)
    host_after, client_after = samples.processes.cpu_seconds()
    samples.host_cpu_s += host_after - host_before
    samples.client_cpu_s += client_after - client_before


async def latency(engine: SandboxEngine, client: ClientThread, server: Server) -> LatencyTable:
    """Interleaved blocks: each round runs each snippet on both setups, alternating which goes first."""
    engine_alone = Processes(host=os.getpid(), client=None)
    through_http = Processes(host=server.process.pid, client=os.getpid())
    await client.ready()
    for name in SNIPPETS:
        await engine_block(engine, name, WARM_UP_RUNS)
        await client.block(name, WARM_UP_RUNS)
    await asyncio.sleep(SETTLE_S)
    samples = {
        "engine": {name: Samples(engine_alone) for name in SNIPPETS},
        "http": {name: Samples(through_http) for name in SNIPPETS},
    }
    for round_number in range(ROUNDS):
        progress(f"latency: round {round_number + 1} of {ROUNDS}")
        setups = ("engine", "http") if round_number % 2 == 0 else ("http", "engine")
        for name in SNIPPETS:
            for setup in setups:
                if setup == "engine":
                    block = engine_block(engine, name, RUNS_PER_BLOCK)
                else:
                    await client.ready()  # outside the measured block: the connection may have idled out
                    block = client.block(name, RUNS_PER_BLOCK)
                await measured_block(samples[setup][name], block)
    return {setup: {name: s.latency() for name, s in rows.items()} for setup, rows in samples.items()}


# --- throughput -------------------------------------------------------------------------


@dataclass(slots=True)
class LoadMeter:
    """One throughput measurement: the clients append each run's elapsed ms until the deadline."""

    processes: Processes
    cpu_before: tuple[float, float] = (0.0, 0.0)
    started: float = 0.0
    elapsed_ms: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.cpu_before = self.processes.cpu_seconds()
        self.started = time.perf_counter()

    def running(self) -> bool:
        return time.perf_counter() < self.started + THROUGHPUT_SECONDS

    def record(self, run_started: float) -> None:
        self.elapsed_ms.append((time.perf_counter() - run_started) * 1000)

    def result(self, clients: int) -> Throughput:
        seconds = time.perf_counter() - self.started
        runs = len(self.elapsed_ms)
        host_after, client_after = self.processes.cpu_seconds()
        host_before, client_before = self.cpu_before
        has_client = self.processes.client is not None
        return Throughput(
            clients=clients,
            runs=runs,
            seconds=round(seconds, 3),
            runs_per_s=round(runs / seconds, 1),
            p50_ms=p50(self.elapsed_ms),
            p95_ms=p95(self.elapsed_ms),
            host_cpu_ms_per_run=per_run_ms(host_after - host_before, runs),
            client_cpu_ms_per_run=per_run_ms(client_after - client_before, runs) if has_client else None,
        )


async def engine_load(engine: SandboxEngine, clients: int, processes: Processes) -> Throughput:
    """`clients` callers on this loop running `print(1)` back to back for THROUGHPUT_SECONDS."""
    meter = LoadMeter(processes)

    async def caller() -> None:
        while meter.running():
            run_started = time.perf_counter()
            await engine_run(engine, "print1")
            meter.record(run_started)

    meter.start()
    await asyncio.gather(*(caller() for _ in range(clients)))
    return meter.result(clients)


def http_load(server: Server, clients: int, processes: Processes) -> Throughput:
    """`clients` threads, each on its own keep-alive connection, POSTing `print(1)` back to back."""
    meter = LoadMeter(processes)
    connections = [Connection(server) for _ in range(clients)]

    def client(connection: Connection) -> None:
        while meter.running():
            run_started = time.perf_counter()
            connection.execute("print1")
            meter.record(run_started)

    try:
        for connection in connections:
            connection.ready()  # connected before the clock starts
        with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="http-load") as threads:
            meter.start()
            for future in [threads.submit(client, connection) for connection in connections]:
                future.result()
    finally:
        for connection in connections:
            connection.close()
    return meter.result(clients)


async def throughput(engine: SandboxEngine, server: Server) -> LoadTable:
    """Each client count on both setups, alternating which goes first."""
    engine_alone = Processes(host=os.getpid(), client=None)
    through_http = Processes(host=server.process.pid, client=os.getpid())
    results: LoadTable = {"engine": [], "http": []}
    for index, clients in enumerate(CLIENT_COUNTS):
        progress(f"throughput: {clients} clients, {THROUGHPUT_SECONDS:g} s on each setup")
        setups = ("engine", "http") if index % 2 == 0 else ("http", "engine")
        for setup in setups:
            if setup == "engine":
                result = await engine_load(engine, clients, engine_alone)
            else:  # the load's threads are started from a worker thread: the loop stays free
                result = await asyncio.to_thread(http_load, server, clients, through_http)
            results[setup].append(result)
            await asyncio.sleep(SETTLE_S)
    return results


# --- the server -------------------------------------------------------------------------


@contextlib.contextmanager
def running_server(**extra_settings: str) -> Iterator[Server]:
    """`execbox serve` in a temporary directory, from an environment without execbox settings."""
    with tempfile.TemporaryDirectory(prefix="execbox-http-bench-") as workdir:
        port = free_port()
        environment = {k: v for k, v in os.environ.items() if k.upper() not in Settings.model_fields}
        settings = {
            "ENVIRONMENT": "local",
            "SECRET_KEY": "bench",
            "SQLITE_PATH": str(Path(workdir) / "execbox.db"),
            "RATE_LIMIT_ENABLED": "false",
            "SANDBOX_FIRST_UID": str(SERVER_FIRST_UID),
            "SANDBOX_LIVE_RUNS": str(LIVE_RUNS),
            "SANDBOX_WARM_CHILDREN": str(WARM_CHILDREN),
            **extra_settings,
        }
        log = Path(workdir) / "server.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "execbox.cli", "serve", "--port", str(port)],
                env={**environment, **settings},
                cwd=workdir,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            yield Server(process, "127.0.0.1", port, log)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        connection = Connection(server)
        try:
            connection.ready()
            return
        except (OSError, http.client.HTTPException, RuntimeError):
            pass
        finally:
            connection.close()
        if server.process.poll() is not None or time.monotonic() > deadline:
            tail = server.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the server did not become healthy:\n{tail}")
        time.sleep(0.2)


# --- reporting --------------------------------------------------------------------------


def cpu_cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def overheads(lat: LatencyTable) -> dict[str, dict[str, float]]:
    return {
        name: {
            "p50_ms": round(lat["http"][name].p50_ms - lat["engine"][name].p50_ms, 3),
            "p95_ms": round(lat["http"][name].p95_ms - lat["engine"][name].p95_ms, 3),
        }
        for name in SNIPPETS
    }


def best_http(load_results: LoadTable) -> Throughput:
    return max(load_results["http"], key=lambda t: t.runs_per_s)


def targets(lat: LatencyTable, load_results: LoadTable) -> list[Target]:
    extra = overheads(lat)
    clients = "/".join(str(c) for c in CLIENT_COUNTS)
    return [
        Target("HTTP overhead at p50, print(1)", extra["print1"]["p50_ms"], TARGET_OVERHEAD_MS, True, "ms"),
        Target("HTTP overhead at p50, pandas", extra["pandas"]["p50_ms"], TARGET_OVERHEAD_MS, True, "ms"),
        Target(
            f"print(1) through HTTP, best of {clients} clients",
            best_http(load_results).runs_per_s,
            TARGET_HTTP_RUNS_PER_S,
            False,
            "runs/s",
        ),
    ]


def print_latency_table(lat: LatencyTable) -> None:
    print(
        f"Latency per run, ms: paced sequential runs ({PACING_S * 1000:g} ms apart), {ROUNDS} interleaved "
        f"rounds of {RUNS_PER_BLOCK} runs per setup and snippet"
    )
    print("(cpu/run: CPU ms per run of the process hosting the engine, and of the HTTP client)")
    header = f"{'runs':>6}{'p50':>9}{'p95':>9}{'wall_ms p50':>13}{'host cpu/run':>14}{'client cpu/run':>16}"
    print(f"  {'setup':<14}{'snippet':<9}{header}")
    for name in SNIPPETS:
        for setup, label in (("engine", "engine alone"), ("http", "HTTP")):
            e = lat[setup][name]
            row = f"{e.runs:>6}{e.p50_ms:>9.2f}{e.p95_ms:>9.2f}{e.wall_p50_ms:>13.2f}"
            cpu = f"{e.host_cpu_ms_per_run:>14.2f}{cpu_cell(e.client_cpu_ms_per_run):>16}"
            print(f"  {label:<14}{name:<9}{row}{cpu}")
    for name, extra in overheads(lat).items():
        print(f"  HTTP overhead, {name}: {extra['p50_ms']:.2f} ms at p50, {extra['p95_ms']:.2f} ms at p95")


def print_throughput_table(load_results: LoadTable) -> None:
    print()
    print(f"Throughput, print(1), clients looping back to back for {THROUGHPUT_SECONDS:g} s")
    header = (
        f"{'clients':>8}{'runs':>7}{'runs/s':>9}{'p50':>9}{'p95':>9}"
        f"{'host cpu/run':>14}{'client cpu/run':>16}{'HTTP/engine':>13}"
    )
    print(f"  {'setup':<14}{header}")
    for engine_row, http_row in zip(load_results["engine"], load_results["http"], strict=True):
        ratio = http_row.runs_per_s / engine_row.runs_per_s
        for label, t in (("engine alone", engine_row), ("HTTP", http_row)):
            row = f"{t.clients:>8}{t.runs:>7}{t.runs_per_s:>9.1f}{t.p50_ms:>9.2f}{t.p95_ms:>9.2f}"
            cpu = f"{t.host_cpu_ms_per_run:>14.2f}{cpu_cell(t.client_cpu_ms_per_run):>16}"
            print(f"  {label:<14}{row}{cpu}{f'{ratio:.2f}' if t is http_row else '':>13}")


# --- main -------------------------------------------------------------------------------


async def measure() -> tuple[LatencyTable, LoadTable]:
    progress("starting the server and this process's engine")
    with running_server() as server, contextlib.closing(ClientThread(server)) as client:
        config = SandboxConfig(first_uid=ENGINE_FIRST_UID, live_runs=LIVE_RUNS, warm_children=WARM_CHILDREN)
        async with SandboxEngine(config) as engine:
            await asyncio.to_thread(wait_until_healthy, server)
            await asyncio.sleep(WARM_UP_PAUSE_S)
            lat = await latency(engine, client, server)
            load_results = await throughput(engine, server)
    return lat, load_results


def main() -> None:
    logging.basicConfig(level=logging.WARNING)  # the engine's own reports reach stderr
    host = Host()
    lat, load_results = uvloop.run(measure())
    host.finish()
    checks = targets(lat, load_results)
    print(host.describe())
    print()
    print_latency_table(lat)
    print_throughput_table(load_results)
    numbers = {
        "latency": {setup: {name: asdict(v) for name, v in rows.items()} for setup, rows in lat.items()},
        "http_overhead": overheads(lat),
        "throughput": {setup: [asdict(t) for t in rows] for setup, rows in load_results.items()},
    }
    print_targets_and_json("Targets", checks, host, numbers)


if __name__ == "__main__":
    main()
