"""Benchmark how many runs a node holds alive when they wait, in one sitting.

Run as root from the repository root:

    .venv/bin/python bench/live_runs_bench.py [--sessions 600]

Measures, in one engine with the default memory setting (three quarters of the host's memory,
live runs from it): idle sessions, programs blocked at `input()` as a browser tab leaves them,
opened until `--sessions` (default: all the live runs) are alive at once; the unique memory
(USS) of each one's processes and what the host's available memory lost per session (kernel
memory included); from the larger of the two, how many idle sessions the sandboxes' memory
setting holds; then each session is sent a line and must answer with it. And sleepers: 100
programs that each sleep 3 s, started at once, against one such sleeper alone (the baseline).
Prints a table, then the targets with PASS/MISS, then one JSON line with every number.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from dataclasses import asdict, dataclass

from common import Host, Target, check_run, print_targets_and_json, progress, uss_mib
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.live import LiveIO, OutputStream
from execbox.sandbox.result import RunResult

FIRST_UID = 150_000  # clear of the test suite's ranges: the bench may run beside it
WAITER = "line = input('ready\\n')\nprint('got', line)\n"
SLEEPER = "import time\ntime.sleep(3)\nprint('awake')\n"
SLEEPERS = 100
# Issue 27's targets: idle sessions per 24 GiB node, and 100 sleepers in one sleep + 2 s.
TARGET_SESSIONS_PER_24_GIB = 500
TARGET_SLEEPERS_OVER_ONE_S = 2.0


@dataclass(frozen=True, slots=True)
class IdleSessions:
    sessions: int
    opened_s: float  # from the first run asked for to the last prompt read
    uss_mib_per_session: float
    available_mib_per_session: float  # what MemAvailable dropped by, per session
    sandboxes_memory_mb: int
    held_by_memory_setting: int
    held_per_24_gib: int
    all_answered: bool


@dataclass(frozen=True, slots=True)
class Sleepers:
    one_s: float
    batch_s: float
    batch_over_one_s: float


def available_mib() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            name, _, value = line.partition(":")
            if name == "MemAvailable":
                return int(value.split()[0]) / 1024
    raise RuntimeError("/proc/meminfo has no MemAvailable")


async def idle_sessions(engine: SandboxEngine, count: int) -> IdleSessions:
    await asyncio.sleep(2)  # the warm pool settles
    idle_children = set(engine.sandbox_pids())
    available_before = available_mib()
    prompts = [asyncio.Event() for _ in range(count)]

    def prompted(index: int) -> LiveIO:
        def on_output(_stream: OutputStream, data: bytes) -> None:
            if b"ready" in data:
                prompts[index].set()

        return LiveIO(on_output)

    lives = [prompted(index) for index in range(count)]
    started = time.perf_counter()
    runs = [asyncio.ensure_future(engine.run(WAITER, live=live)) for live in lives]
    await asyncio.wait_for(asyncio.gather(*(prompt.wait() for prompt in prompts)), 300)
    opened_s = time.perf_counter() - started
    await asyncio.sleep(2)  # the refilled warm pool settles too
    pids = [pid for pid in engine.sandbox_pids() if pid not in idle_children]
    uss = sum(uss_mib(pid) for pid in pids)
    available_drop = available_before - available_mib()
    progress(f"{count} sessions alive in {opened_s:.1f} s: {len(pids)} processes, USS {uss:.0f} MiB")
    for index, live in enumerate(lives):
        live.send_stdin(f"line {index}\n".encode())
    results: list[RunResult] = list(await asyncio.wait_for(asyncio.gather(*runs), 300))
    answered = all(r.stdout.text == f"ready\ngot line {i}\n" for i, r in enumerate(results))
    per_session = max(uss / count, available_drop / count)
    memory_mb = engine.config.sandboxes_memory_mb
    return IdleSessions(
        sessions=count,
        opened_s=round(opened_s, 2),
        uss_mib_per_session=round(uss / count, 2),
        available_mib_per_session=round(available_drop / count, 2),
        sandboxes_memory_mb=memory_mb,
        held_by_memory_setting=int(memory_mb / per_session),
        held_per_24_gib=int(24 * 1024 * 3 / 4 / per_session),
        all_answered=answered,
    )


async def sleepers(engine: SandboxEngine) -> Sleepers:
    started = time.perf_counter()
    check_run(await engine.run(SLEEPER), "awake\n")
    one_s = time.perf_counter() - started
    started = time.perf_counter()
    for result in await asyncio.gather(*(engine.run(SLEEPER) for _ in range(SLEEPERS))):
        check_run(result, "awake\n")
    batch_s = time.perf_counter() - started
    return Sleepers(round(one_s, 2), round(batch_s, 2), round(batch_s - one_s, 2))


async def measure(sessions: int | None) -> tuple[IdleSessions, Sleepers, int]:
    config = SandboxConfig(first_uid=FIRST_UID)
    sessions = sessions or config.capacity
    if config.capacity < max(sessions, SLEEPERS):
        raise SystemExit(f"this host's memory setting allows {config.capacity} live runs, fewer than asked")
    async with SandboxEngine(config) as engine:
        progress(f"engine: {config.capacity} live runs, {config.sandboxes_memory_mb} MB for the sandboxes")
        idle = await idle_sessions(engine, sessions)
        progress("sleepers")
        return idle, await sleepers(engine), config.capacity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sessions", type=int, default=None, help="idle sessions to hold at once (default: the live runs)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    host = Host()
    idle, sleep, capacity = asyncio.run(measure(args.sessions))
    host.finish()
    print(host.describe())
    print(f"Live runs of the engine (from memory): {capacity}")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| idle sessions held at once | {idle.sessions} (all answered: {idle.all_answered}) |")
    print(f"| time to open them all | {idle.opened_s} s |")
    print(f"| USS per idle session | {idle.uss_mib_per_session} MiB |")
    print(f"| available memory lost per idle session | {idle.available_mib_per_session} MiB |")
    setting = f"the memory setting ({idle.sandboxes_memory_mb} MB)"
    print(f"| idle sessions {setting} holds | {idle.held_by_memory_setting} |")
    print(f"| one 3 s sleeper alone (baseline) | {sleep.one_s} s |")
    print(f"| {SLEEPERS} sleepers at once | {sleep.batch_s} s (+{sleep.batch_over_one_s} s) |")
    checks = [
        Target(
            "idle sessions per 24 GiB node",
            idle.held_per_24_gib,
            TARGET_SESSIONS_PER_24_GIB,
            False,
            "sessions",
        ),
        Target(
            f"{SLEEPERS} sleepers over one sleep",
            sleep.batch_over_one_s,
            TARGET_SLEEPERS_OVER_ONE_S,
            True,
            "s",
        ),
        Target("idle sessions answered", float(idle.all_answered), 1, False, "bool"),
    ]
    print_targets_and_json(
        "Targets (issue 27)", checks, host, {"idle_sessions": asdict(idle), "sleepers": asdict(sleep)}
    )


if __name__ == "__main__":
    main()
