"""What input files cost a run: `POST /api/v1/code/execute` of `print(1)` without files, with a
10 MiB CSV it does not read, and of pandas reading that CSV, against one server, in one sitting.

Run as root from the repository root:

    .venv/bin/python bench/input_files_bench.py [--print-only]

Starts `execbox serve` (SQLite in a temporary directory, no rate limit) and runs paced sequential
runs on one keep-alive connection, in interleaved blocks whose order rotates every round, so that
drift on a shared machine hits every setup alike. The CSV's carriage (base64 decoded and checked
by the API, piped to the child, written into its tmpfs) is the difference between the first two
setups; the third adds what pandas takes to read it. `--print-only` measures `print(1)` alone,
for comparing a checkout without input files (run it under each checkout's PYTHONPATH). Prints a
table and one JSON line.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
import time
from dataclasses import asdict

from credential_bench import Row, Samples
from http_bench import (
    EXECUTE_PATH,
    PACING_S,
    SETTLE_S,
    Connection,
    Server,
    running_server,
    wait_until_healthy,
)

from common import Host, cpu_seconds, p50, p95, progress

CSV_BYTES = 10 << 20
ROW = b"1.5,2,hello\n"
CSV = b"a,b,c\n" + ROW * ((CSV_BYTES - 6) // len(ROW))
READ_CSV = "import pandas as pd\ndf = pd.read_csv('data.csv')\nprint(len(df))"
FILES = [{"name": "data.csv", "content": base64.b64encode(CSV).decode()}]
BODIES = {
    "print(1)": json.dumps({"code": "print(1)"}).encode(),
    "print(1) + 10 MiB CSV": json.dumps({"code": "print(1)", "files": FILES}).encode(),
    "read_csv(10 MiB CSV)": json.dumps({"code": READ_CSV, "files": FILES}).encode(),
}
EXPECTED = {
    "print(1)": "1\n",
    "print(1) + 10 MiB CSV": "1\n",
    "read_csv(10 MiB CSV)": f"{len(CSV) // len(ROW)}\n",
}
ROUNDS = 6
RUNS_PER_BLOCK = {"print(1)": 30, "print(1) + 10 MiB CSV": 5, "read_csv(10 MiB CSV)": 5}
WARM_UP_RUNS = 3


def paced_runs(connection: Connection, setup: str, runs: int) -> list[float]:
    elapsed_ms = []
    for _ in range(runs):
        started = time.perf_counter()
        status, answer = connection.request("POST", EXECUTE_PATH, BODIES[setup])
        elapsed_ms.append((time.perf_counter() - started) * 1000)
        stdout = json.loads(answer).get("stdout") if status == 200 else None
        if stdout != EXPECTED[setup]:
            raise RuntimeError(f"{setup}: answered {status} {answer[:300]!r}")
        time.sleep(PACING_S)
    return elapsed_ms


def measure(setups: tuple[str, ...]) -> dict[str, Row]:
    progress("starting the server")
    with running_server() as server:
        wait_until_healthy(server)
        samples = run_rounds(server, setups)
    return {
        setup: Row(
            runs=len(s.elapsed_ms),
            p50_ms=p50(s.elapsed_ms),
            p95_ms=p95(s.elapsed_ms),
            server_cpu_ms_per_run=round(s.server_cpu_s * 1000 / len(s.elapsed_ms), 3),
        )
        for setup, s in samples.items()
    }


def run_rounds(server: Server, setups: tuple[str, ...]) -> dict[str, Samples]:
    connection = Connection(server)
    try:
        connection.ready()
        for setup in setups:
            paced_runs(connection, setup, WARM_UP_RUNS)
        samples = {setup: Samples() for setup in setups}
        for round_number in range(ROUNDS):
            progress(f"round {round_number + 1} of {ROUNDS}")
            shift = round_number % len(setups)
            for setup in setups[shift:] + setups[:shift]:
                connection.ready()  # outside the measured block: it may have idled out
                cpu_before = cpu_seconds(server.process.pid)
                samples[setup].elapsed_ms += paced_runs(connection, setup, RUNS_PER_BLOCK[setup])
                time.sleep(SETTLE_S)  # the pool refills: its CPU counts as the runs'
                samples[setup].server_cpu_s += cpu_seconds(server.process.pid) - cpu_before
    finally:
        connection.close()
    return samples


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    setups = ("print(1)",) if "--print-only" in sys.argv[1:] else tuple(BODIES)
    host = Host()
    rows = measure(setups)
    host.finish()
    print(host.describe())
    print()
    print(
        f"POST /execute, paced {PACING_S * 1000:g} ms apart, {ROUNDS} rotating rounds; CSV {len(CSV)} bytes"
    )
    print(f"  {'setup':<24}{'runs':>6}{'p50':>9}{'p95':>9}{'server cpu/run':>16}")
    for setup, row in rows.items():
        measured = f"{row.runs:>6}{row.p50_ms:>9.2f}{row.p95_ms:>9.2f}{row.server_cpu_ms_per_run:>16.2f}"
        print(f"  {setup:<24}{measured}")
    numbers = {setup: asdict(row) for setup, row in rows.items()}
    print(json.dumps({"host": host.summary(), "rows": numbers}))


if __name__ == "__main__":
    main()
