"""Benchmark the queue mode (Celery on Redis, `execbox worker`) against the local mode, in one sitting.

Run as root from the repository root:

    .venv/bin/python bench/queue_bench.py

Starts, in a temporary directory: a throwaway `redis-server` (nothing saved), an `execbox serve`
in the local mode (its own engine and SQLite file), an `execbox serve` in the queue mode and
`execbox worker` processes (these three share one SQLite file, migrated first). Every engine runs
two runs at once and has uids of its own. Then, all in this one run:

- phase 1, one worker: paced sequential runs of `print(1)` and a pandas snippet through
  `POST /api/v1/code/execute`, in blocks interleaved between the local and the queue server (the
  one not measured is left idle); then `print(1)` throughput with 4 and 8 concurrent clients on
  each;
- phase 2, a second worker started: the same latency blocks (local against the queue with two
  workers), then the queue's throughput.

"Queue adds" is the queue's p50 minus the local p50 of the same phase. The clients, connections
and load meter are http_bench's (stdlib `http.client`, one keep-alive connection per client
thread). CPU per run counts the server process, and in the queue mode its workers too (not the
sandboxes they fork). Prints a table, then the targets with PASS/MISS, then one JSON line with
every number.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import redis
from http_bench import (
    PACING_S,
    RUNS_PER_BLOCK,
    SETTLE_S,
    THROUGHPUT_SECONDS,
    WARM_UP_PAUSE_S,
    WARM_UP_RUNS,
    ClientThread,
    Latency,
    Processes,
    Samples,
    Server,
    Throughput,
    cpu_cell,
    http_load,
    measured_block,
    wait_until_healthy,
)

from common import SNIPPETS, Host, Target, cpu_seconds, free_port, print_targets_and_json, progress
from execbox.queue.protocol import WORKER_KEY_PREFIX
from execbox.settings import Settings

LIVE_RUNS = 2  # runs at once in each worker's engine
CLIENT_COUNTS = (4, 8)
# The local server refuses a run past its live runs (503) instead of queueing it: one per client.
LOCAL_LIVE_RUNS = max(CLIENT_COUNTS)
WARM_CHILDREN = 4  # idle children per template
# Slot uids: at most 8 + 2 x 2 templates x 4 = 24 per engine, clear of the test suite's ranges.
LOCAL_FIRST_UID = 152_200
WORKER_FIRST_UIDS = (152_300, 152_400)
ROUNDS = 6  # per phase
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0

TARGET_QUEUE_ADDS_MS = 5.0

LOCAL = "local"
QUEUE = "queue"
PHASES = {1: "1 worker", 2: "2 workers"}  # workers -> label

LatencyTable = dict[int, dict[str, dict[str, Latency]]]  # workers -> setup -> snippet -> latency
LoadTable = dict[str, list[Throughput]]  # "local", "queue_1", "queue_2" -> one per client count


@dataclass(frozen=True, slots=True)
class ServiceProcesses(Processes):
    """Processes whose host CPU also counts the queue's workers."""

    workers: tuple[int, ...] = ()

    def cpu_seconds(self) -> tuple[float, float]:
        host, client = Processes.cpu_seconds(self)
        return host + sum(cpu_seconds(pid) for pid in self.workers), client


# --- processes ----------------------------------------------------------------------------


def local_settings(stack: Stack) -> dict[str, str]:
    """The local-mode server's settings: its own database, uids and live runs."""
    return {
        "SQLITE_PATH": str(stack.workdir / "local.db"),
        "SANDBOX_FIRST_UID": str(LOCAL_FIRST_UID),
        "SANDBOX_LIVE_RUNS": str(LOCAL_LIVE_RUNS),
    }


class Stack:
    """The benchmark's processes, each with its log in one temporary directory; stopped in reverse."""

    def __init__(self, exits: contextlib.ExitStack, workdir: Path) -> None:
        self.exits = exits
        self.workdir = workdir
        base = {k: v for k, v in os.environ.items() if k.upper() not in Settings.model_fields}
        self.environment = {
            **base,
            "ENVIRONMENT": "local",
            "SECRET_KEY": "bench",
            "RATE_LIMIT_ENABLED": "false",
            "SANDBOX_LIVE_RUNS": str(LIVE_RUNS),
            "SANDBOX_WARM_CHILDREN": str(WARM_CHILDREN),
        }
        self.redis_url = ""
        self.workers: list[Server] = []

    def start(self, name: str, command: list[str], settings: dict[str, str], port: int) -> Server:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                command,
                env={**self.environment, **settings},
                cwd=self.workdir,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        self.exits.callback(stop, process)
        return Server(process, "127.0.0.1", port, log)

    def queue_settings(self) -> dict[str, str]:
        """What the queue server and its workers share: Redis, and one database file."""
        return {
            "EXECUTION_BACKEND": "queue",
            "REDIS_URL": self.redis_url,
            "SQLITE_PATH": str(self.workdir / "queue.db"),
        }

    def start_redis(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise SystemExit("queue_bench needs redis-server (apt-get install redis-server)")
        port = free_port()
        options = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        server = self.start("redis", [executable, *options], {}, port)
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(self.redis_url)
        self.exits.callback(client.close)

        def answers() -> bool:
            with contextlib.suppress(redis.ConnectionError):
                return bool(client.ping())
            return False

        wait_for(answers, server)

    def migrate(self) -> None:
        subprocess.run(
            execbox("migrate"),
            env={**self.environment, **self.queue_settings()},
            cwd=self.workdir,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start_server(self, mode: str, settings: dict[str, str]) -> Server:
        port = free_port()
        return self.start(f"serve-{mode}", [*execbox("serve"), "--port", str(port)], settings, port)

    def start_worker(self) -> Server:
        """One more `execbox worker`; back once it has a heartbeat in Redis and Celery consumes."""
        number = len(self.workers) + 1
        name = f"bench-worker-{number}"
        port = free_port()
        command = [
            *execbox("worker"),
            "--name",
            name,
            "--metrics-port",
            str(port),
            "--metrics-host",
            "127.0.0.1",
        ]
        settings = {**self.queue_settings(), "SANDBOX_FIRST_UID": str(WORKER_FIRST_UIDS[number - 1])}
        worker = self.start(name, command, settings, port)
        client = redis.Redis.from_url(self.redis_url)
        try:
            wait_for(lambda: bool(client.exists(WORKER_KEY_PREFIX + name)), worker)
        finally:
            client.close()
        self.workers.append(worker)
        return worker


def execbox(command: str) -> list[str]:
    return [sys.executable, "-m", "execbox.cli", command]


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(condition: Callable[[], bool], server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not condition():
        if server.process.poll() is not None or time.monotonic() > deadline:
            tail = server.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{server.log.stem} did not start:\n{tail}")
        time.sleep(0.1)


# --- measurements -------------------------------------------------------------------------


async def latency(
    clients: dict[str, ClientThread], processes: dict[str, Processes], label: str
) -> dict[str, dict[str, Latency]]:
    """Blocks of each snippet on each setup, interleaved, alternating which setup goes first."""
    for client in clients.values():
        await client.ready()
        for name in SNIPPETS:
            await client.block(name, WARM_UP_RUNS)
    await asyncio.sleep(SETTLE_S)
    samples = {setup: {name: Samples(processes[setup]) for name in SNIPPETS} for setup in clients}
    for round_number in range(ROUNDS):
        progress(f"latency, {label}: round {round_number + 1} of {ROUNDS}")
        order = list(clients) if round_number % 2 == 0 else list(reversed(clients))
        for name in SNIPPETS:
            for setup in order:
                await clients[setup].ready()  # not measured: the connection may have idled out
                await measured_block(samples[setup][name], clients[setup].block(name, RUNS_PER_BLOCK))
    return {setup: {name: s.latency() for name, s in rows.items()} for setup, rows in samples.items()}


async def throughput(servers: dict[str, tuple[Server, Processes]], clients: int) -> dict[str, Throughput]:
    progress(f"throughput: {clients} clients, {THROUGHPUT_SECONDS:g} s on {', '.join(servers)}")
    results = {}
    for setup, (server, processes) in servers.items():
        results[setup] = await asyncio.to_thread(http_load, server, clients, processes)
        await asyncio.sleep(SETTLE_S)
    return results


async def measure(stack: Stack) -> tuple[LatencyTable, LoadTable]:
    progress("starting redis-server, the local and the queue server, one worker")
    stack.start_redis()
    stack.migrate()
    local = stack.start_server(LOCAL, local_settings(stack))
    queue = stack.start_server(QUEUE, stack.queue_settings())
    await asyncio.to_thread(stack.start_worker)
    for server in (local, queue):
        await asyncio.to_thread(wait_until_healthy, server)
    await asyncio.sleep(WARM_UP_PAUSE_S)

    me = os.getpid()
    local_processes = Processes(host=local.process.pid, client=me)
    lat: LatencyTable = {}
    load: LoadTable = {}
    with (
        contextlib.closing(ClientThread(local)) as local_client,
        contextlib.closing(ClientThread(queue)) as queue_client,
    ):
        clients = {LOCAL: local_client, QUEUE: queue_client}
        for workers, label in PHASES.items():
            if workers > len(stack.workers):
                progress(f"starting worker {workers}")
                await asyncio.to_thread(stack.start_worker)
                await asyncio.sleep(WARM_UP_PAUSE_S)
            queue_processes = ServiceProcesses(
                queue.process.pid, me, tuple(w.process.pid for w in stack.workers)
            )
            processes = {LOCAL: local_processes, QUEUE: queue_processes}
            lat[workers] = await latency(clients, processes, label)
            servers: dict[str, tuple[Server, Processes]] = {f"queue_{workers}": (queue, queue_processes)}
            if workers == 1:  # the local server's throughput once, in the first phase; order alternates
                servers = {LOCAL: (local, local_processes), **servers}
            for index, count in enumerate(CLIENT_COUNTS):
                order = list(servers) if index % 2 == 0 else list(reversed(servers))
                results = await throughput({setup: servers[setup] for setup in order}, count)
                for setup, result in results.items():
                    load.setdefault(setup, []).append(result)
    return lat, load


# --- reporting ----------------------------------------------------------------------------


def queue_adds(lat: LatencyTable) -> dict[int, dict[str, dict[str, float]]]:
    return {
        workers: {
            name: {
                "p50_ms": round(rows[QUEUE][name].p50_ms - rows[LOCAL][name].p50_ms, 3),
                "p95_ms": round(rows[QUEUE][name].p95_ms - rows[LOCAL][name].p95_ms, 3),
            }
            for name in SNIPPETS
        }
        for workers, rows in lat.items()
    }


def targets(lat: LatencyTable) -> list[Target]:
    return [
        Target(
            f"queue adds at p50, {name}, {PHASES[workers]}", extra["p50_ms"], TARGET_QUEUE_ADDS_MS, True, "ms"
        )
        for workers, rows in queue_adds(lat).items()
        for name, extra in rows.items()
    ]


def print_latency_table(lat: LatencyTable) -> None:
    print(
        f"Latency per run, ms: paced sequential runs ({PACING_S * 1000:g} ms apart), per phase {ROUNDS} "
        f"interleaved rounds of {RUNS_PER_BLOCK} runs per setup and snippet"
    )
    print("(service cpu/run: the server process, plus its workers in the queue mode; client: this process)")
    header = (
        f"{'runs':>6}{'p50':>9}{'p95':>9}{'wall_ms p50':>13}{'service cpu/run':>17}{'client cpu/run':>16}"
    )
    print(f"  {'setup':<23}{'snippet':<9}{header}")
    adds = queue_adds(lat)
    for workers, rows in lat.items():
        for name in SNIPPETS:
            for setup, label in (
                (LOCAL, f"local ({PHASES[workers]} up)"),
                (QUEUE, f"queue, {PHASES[workers]}"),
            ):
                e = rows[setup][name]
                row = f"{e.runs:>6}{e.p50_ms:>9.2f}{e.p95_ms:>9.2f}{e.wall_p50_ms:>13.2f}"
                cpu = f"{e.host_cpu_ms_per_run:>17.2f}{cpu_cell(e.client_cpu_ms_per_run):>16}"
                print(f"  {label:<23}{name:<9}{row}{cpu}")
        for name, extra in adds[workers].items():
            print(
                f"  queue adds, {PHASES[workers]}, {name}: {extra['p50_ms']:.2f} ms at p50, "
                f"{extra['p95_ms']:.2f} ms at p95"
            )


def print_throughput_table(load: LoadTable) -> None:
    print()
    print(f"Throughput, print(1), clients looping back to back for {THROUGHPUT_SECONDS:g} s")
    columns = ("runs", "runs/s", "vs local", "p50", "p95", "service cpu/run", "client cpu/run")
    print(f"  {'clients':>7}  {'setup':<18}" + "".join(f"{c:>{max(len(c) + 2, 9)}}" for c in columns))
    for index, clients in enumerate(CLIENT_COUNTS):
        local_rate = load[LOCAL][index].runs_per_s
        for setup, rows in load.items():
            t = rows[index]
            label = LOCAL if setup == LOCAL else f"queue, {PHASES[int(setup.rpartition('_')[2])]}"
            cells = (
                f"{t.runs:>9}{t.runs_per_s:>9.1f}{t.runs_per_s / local_rate:>10.2f}{t.p50_ms:>9.2f}"
                f"{t.p95_ms:>9.2f}{t.host_cpu_ms_per_run:>17.2f}{cpu_cell(t.client_cpu_ms_per_run):>16}"
            )
            print(f"  {clients:>7}  {label:<18}{cells}")
    cpus = os.cpu_count()
    print(
        f"  (the local server holds {LOCAL_LIVE_RUNS} runs at once, each worker {LIVE_RUNS}: with 2 "
        f"workers {2 * LIVE_RUNS}; they, the API and the clients share this machine's {cpus} CPUs)"
    )


def main() -> None:
    host = Host()
    with contextlib.ExitStack() as exits:
        workdir = Path(exits.enter_context(tempfile.TemporaryDirectory(prefix="execbox-queue-bench-")))
        lat, load = asyncio.run(measure(Stack(exits, workdir)))
    host.finish()
    print(host.describe())
    print()
    print_latency_table(lat)
    print_throughput_table(load)
    numbers = {
        "live_runs_per_engine": LIVE_RUNS,
        "latency": {
            f"queue_{workers}": {
                setup: {name: asdict(v) for name, v in r.items()} for setup, r in rows.items()
            }
            for workers, rows in lat.items()
        },
        "queue_adds": {f"queue_{workers}": rows for workers, rows in queue_adds(lat).items()},
        "throughput": {setup: [asdict(t) for t in rows] for setup, rows in load.items()},
    }
    print_targets_and_json("Targets", targets(lat), host, numbers)


if __name__ == "__main__":
    main()
