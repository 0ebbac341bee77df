"""What a credential adds to a run: `POST /api/v1/code/execute` with no credential, with an API
key and with an access token, against one server with accounts on, in one sitting.

Run as root from the repository root:

    .venv/bin/python bench/credential_bench.py

Starts `execbox serve` (ACCOUNTS_ENABLED, SQLite in a temporary directory, no rate limit),
registers an account, signs it in and makes it an API key; then runs paced sequential
`print(1)` runs, one keep-alive connection per credential, in interleaved blocks whose order
rotates every round, so that drift on a shared machine hits all three alike. A run with a
credential pays for reading it (a key's hash looked up in the database and its last use noted;
a token's signature checked, its user read); what that adds is the difference of the p50s
against the anonymous runs, and of the server's CPU time per run, which is steadier than
latency on a busy machine. Prints a table, the targets with PASS/MISS, and one JSON line.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field

import httpx
from http_bench import PACING_S, SETTLE_S, Connection, Server, per_run_ms, running_server, wait_until_healthy

from common import Host, Target, cpu_seconds, p50, p95, print_targets_and_json, progress

SETUPS = ("anonymous", "API key", "access token")
ROUNDS = 10
RUNS_PER_BLOCK = 30
WARM_UP_RUNS = 10  # per setup, not measured
EMAIL = "bench@example.com"
PASSWORD = "a password only this benchmark uses"  # noqa: S105 (a throwaway account)

TARGET_ADDED_MS = 0.5  # issue 16: what the key lookup may add to a run, at p50


@dataclass(slots=True)
class Samples:
    elapsed_ms: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Row:
    runs: int
    p50_ms: float
    p95_ms: float
    server_cpu_ms_per_run: float


def credential_headers(server: Server) -> dict[str, dict[str, str]]:
    """Each setup's headers: none, an API key of a new account, and that account's access token."""
    with httpx.Client(base_url=f"http://{server.host}:{server.port}/api/v1", timeout=30) as client:
        client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD}).raise_for_status()
        signed_in = client.post("/auth/token", data={"username": EMAIL, "password": PASSWORD})
        token = {"Authorization": f"Bearer {signed_in.raise_for_status().json()['access_token']}"}
        key = client.post("/keys", json={"name": "bench"}, headers=token).raise_for_status().json()["secret"]
    return {"anonymous": {}, "API key": {"Authorization": f"Bearer {key}"}, "access token": token}


def paced_runs(connection: Connection, runs: int) -> list[float]:
    elapsed_ms = []
    for _ in range(runs):
        started = time.perf_counter()
        connection.execute("print1")
        elapsed_ms.append((time.perf_counter() - started) * 1000)
        time.sleep(PACING_S)
    return elapsed_ms


def measure() -> dict[str, Row]:
    progress("starting the server, signing up and making an API key")
    with running_server(ACCOUNTS_ENABLED="true") as server:
        wait_until_healthy(server)
        headers = credential_headers(server)
        connections = {setup: Connection(server, headers[setup]) for setup in SETUPS}
        try:
            for connection in connections.values():
                connection.ready()
                paced_runs(connection, WARM_UP_RUNS)
            samples = {setup: Samples() for setup in SETUPS}
            for round_number in range(ROUNDS):
                progress(f"round {round_number + 1} of {ROUNDS}")
                shift = round_number % len(SETUPS)
                for setup in SETUPS[shift:] + SETUPS[:shift]:
                    connections[setup].ready()  # outside the measured block: it may have idled out
                    cpu_before = cpu_seconds(server.process.pid)
                    samples[setup].elapsed_ms += paced_runs(connections[setup], RUNS_PER_BLOCK)
                    time.sleep(SETTLE_S)  # the pool refills: its CPU counts as the runs'
                    samples[setup].server_cpu_s += cpu_seconds(server.process.pid) - cpu_before
        finally:
            for connection in connections.values():
                connection.close()
    return {
        setup: Row(
            runs=len(s.elapsed_ms),
            p50_ms=p50(s.elapsed_ms),
            p95_ms=p95(s.elapsed_ms),
            server_cpu_ms_per_run=per_run_ms(s.server_cpu_s, len(s.elapsed_ms)),
        )
        for setup, s in samples.items()
    }


def added(rows: dict[str, Row]) -> dict[str, dict[str, float]]:
    """What each credential adds to the anonymous run: p50 and server CPU per run, in ms."""
    anonymous = rows["anonymous"]
    return {
        setup: {
            "p50_ms": round(row.p50_ms - anonymous.p50_ms, 3),
            "server_cpu_ms_per_run": round(row.server_cpu_ms_per_run - anonymous.server_cpu_ms_per_run, 3),
        }
        for setup, row in rows.items()
        if setup != "anonymous"
    }


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    host = Host()
    rows = measure()
    host.finish()
    extra = added(rows)
    print(host.describe())
    print()
    print(
        f"POST /execute of print(1), paced {PACING_S * 1000:g} ms apart, {ROUNDS} rotating rounds of "
        f"{RUNS_PER_BLOCK} runs per credential"
    )
    header = f"{'runs':>6}{'p50':>9}{'p95':>9}{'server cpu/run':>16}{'adds p50':>10}{'adds cpu':>10}"
    print(f"  {'credential':<14}{header}")
    for setup, row in rows.items():
        adds = extra.get(setup)
        more = f"{adds['p50_ms']:>10.2f}{adds['server_cpu_ms_per_run']:>10.2f}" if adds else ""
        measured = f"{row.runs:>6}{row.p50_ms:>9.2f}{row.p95_ms:>9.2f}{row.server_cpu_ms_per_run:>16.2f}"
        print(f"  {setup:<14}{measured}{more}")
    checks = [
        Target(f"{setup} adds at p50, print(1)", adds["p50_ms"], TARGET_ADDED_MS, True, "ms")
        for setup, adds in extra.items()
    ]
    numbers = {"credentials": {setup: asdict(row) for setup, row in rows.items()}, "added": extra}
    print_targets_and_json("Targets", checks, host, numbers)


if __name__ == "__main__":
    main()
