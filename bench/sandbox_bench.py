"""Benchmark the sandbox engine against a fresh interpreter per run, in one sitting.

Run as root from the repository root:

    .venv/bin/python bench/sandbox_bench.py

Measures, all in this one run: the per-run cost of a fresh `.runtime/bin/python`; the engine's
end-to-end latency and throughput (two callers looping back to back) for two snippets, with the
default configuration (print(1) runs in the plain template, the pandas snippet in the scientific
one) and with one template for every program (the scientific one, as before the plain template
existed); and the unique memory (USS) of concurrently running sandboxes.
Prints a table, then the targets with PASS/MISS, then one JSON line with every number.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from common import (
    EXPECTED_STDOUT,
    PANDAS,
    PRINT_ONE,
    SNIPPETS,
    Host,
    Target,
    check_run,
    p50,
    p95,
    parent_pid,
    print_targets_and_json,
    progress,
    rss_mib,
    uss_mib,
)
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.result import RunResult

REPO = Path(__file__).resolve().parents[1]
RUNTIME_PYTHON = REPO / ".runtime" / "bin" / "python"

# The baseline imports what the engine's template has already imported before it forks.
PANDAS_BASELINE = "import numpy, scipy; " + PANDAS

BASELINE_RUNS = 20
DEFAULT_LATENCY_RUNS = 200
ONE_TEMPLATE_LATENCY_RUNS = 100
PACING_S = 0.020
WARM_UP_PAUSE_S = 2.0
THROUGHPUT_CALLERS = 2
THROUGHPUT_SECONDS = 5.0
THROUGHPUT_MIN_RUNS = 300
THROUGHPUT_MAX_SECONDS = 30.0  # stops a very slow engine short of the minimum, to bound the runtime
MEMORY_RUNS = 4
MEMORY_SLEEP_S = 2.0
MEMORY_SAMPLE_AFTER_S = 1.0
MEMORY_CODE = (
    "import os, time\n"
    "import pandas as pd\n"
    'frame = pd.DataFrame({"a": range(100), "b": [x * 0.5 for x in range(100)]})\n'
    'print(os.getpid(), float(frame.groupby(frame["a"] % 3)["b"].sum().sum()))\n'
    f"time.sleep({MEMORY_SLEEP_S})\n"
)

TARGET_PANDAS_P50_MS = 8.0
TARGET_PANDAS_SPEEDUP = 30.0
TARGET_PRINT_P50_MS = 5.0
TARGET_RUNS_PER_S = 150.0
TARGET_USS_MIB = 16.0


@dataclass(frozen=True, slots=True)
class Latency:
    runs: int
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True, slots=True)
class EngineLatency:
    runs: int
    p50_ms: float
    p95_ms: float
    wall_p50_ms: float  # the engine's own RunResult.wall_ms


@dataclass(frozen=True, slots=True)
class Throughput:
    callers: int
    runs: int
    seconds: float
    runs_per_s: float
    p50_ms: float


class ProblemCounter(logging.Handler):
    """Counts the engine's warnings and errors (e.g. a child that failed to spawn)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    @property
    def count(self) -> int:
        return len(self.messages)

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


ENGINE_PROBLEMS = ProblemCounter()


@dataclass(frozen=True, slots=True)
class PoolCheck:
    """Sandbox processes in the slot cgroups after the warm-up pause (the warm children), and
    engine problems logged."""

    warm: int
    ready: int
    problems_logged: int = 0

    @property
    def healthy(self) -> bool:
        return self.ready >= self.warm and self.problems_logged == 0


@dataclass(frozen=True, slots=True)
class ProfileResult:
    pool: PoolCheck
    latency: dict[str, EngineLatency]
    throughput: dict[str, Throughput]  # per snippet


@dataclass(frozen=True, slots=True)
class MemoryResult:
    pool: PoolCheck
    concurrent_runs: int
    busy_uss_mib: list[float]
    idle_uss_mib: list[float]
    busy_median_mib: float
    busy_max_mib: float
    all_median_mib: float
    all_max_mib: float
    run_peak_median_mib: float  # the engine's RunResult.memory_kb (cgroup peak)
    template_rss_mib: float  # the scientific template's
    template_uss_mib: float
    plain_template_rss_mib: float
    plain_template_uss_mib: float


# --- measurements -----------------------------------------------------------------------


def baseline(snippet: str, runs: int) -> Latency:
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(RUNTIME_PYTHON), "-c", snippet], check=True, capture_output=True)
        samples.append((time.perf_counter() - started) * 1000)
    return Latency(runs, p50(samples), p95(samples))


async def timed_run(engine: SandboxEngine, code: str, expected: str | None) -> tuple[float, RunResult]:
    started = time.perf_counter()
    result = await engine.run(code)
    elapsed_ms = (time.perf_counter() - started) * 1000
    return elapsed_ms, check_run(result, expected)


async def paced_latency(engine: SandboxEngine, name: str, runs: int) -> EngineLatency:
    samples: list[float] = []
    walls: list[float] = []
    for _ in range(runs):
        elapsed_ms, result = await timed_run(engine, SNIPPETS[name], EXPECTED_STDOUT[name])
        samples.append(elapsed_ms)
        walls.append(result.wall_ms)
        await asyncio.sleep(PACING_S)
    return EngineLatency(runs, p50(samples), p95(samples), p50(walls))


async def caller_loop(engine: SandboxEngine, name: str, started: float, samples: list[float]) -> None:
    """One caller: runs back to back until the duration and the minimum count are both reached."""
    while True:
        elapsed_s = time.perf_counter() - started
        if elapsed_s >= THROUGHPUT_MAX_SECONDS:
            return
        if elapsed_s >= THROUGHPUT_SECONDS and len(samples) >= THROUGHPUT_MIN_RUNS:
            return
        elapsed_ms, _ = await timed_run(engine, SNIPPETS[name], EXPECTED_STDOUT[name])
        samples.append(elapsed_ms)


async def throughput(engine: SandboxEngine, name: str) -> Throughput:
    samples: list[float] = []  # shared by the callers
    started = time.perf_counter()
    await asyncio.gather(*(caller_loop(engine, name, started, samples) for _ in range(THROUGHPUT_CALLERS)))
    seconds = time.perf_counter() - started
    runs = len(samples)
    return Throughput(THROUGHPUT_CALLERS, runs, round(seconds, 3), round(runs / seconds, 1), p50(samples))


async def warm_pool(engine: SandboxEngine) -> PoolCheck:
    """Give the pool its warm-up pause, then count the children it holds."""
    await asyncio.sleep(WARM_UP_PAUSE_S)
    warm = engine.config.warm_children * len(engine.config.templates)
    return PoolCheck(warm, len(engine.sandbox_pids()))


def with_problems(pool: PoolCheck, problems_before: int) -> PoolCheck:
    return PoolCheck(pool.warm, pool.ready, ENGINE_PROBLEMS.count - problems_before)


async def profile(config: SandboxConfig, latency_runs: int, label: str) -> ProfileResult:
    progress(f"{label}: starting the engine")
    problems_before = ENGINE_PROBLEMS.count
    async with SandboxEngine(config) as engine:
        pool = await warm_pool(engine)
        latency: dict[str, EngineLatency] = {}
        for name in SNIPPETS:
            progress(f"{label}: {latency_runs} paced runs of {name}")
            latency[name] = await paced_latency(engine, name, latency_runs)
        load: dict[str, Throughput] = {}
        for name in SNIPPETS:
            await asyncio.sleep(WARM_UP_PAUSE_S / 2)  # let the pool refill before the load test
            progress(f"{label}: throughput of {name}, {THROUGHPUT_CALLERS} callers")
            load[name] = await throughput(engine, name)
    return ProfileResult(with_problems(pool, problems_before), latency, load)


async def memory() -> MemoryResult:
    progress(f"memory: starting an engine with {MEMORY_RUNS} live runs")
    config = SandboxConfig(live_runs=MEMORY_RUNS)
    problems_before = ENGINE_PROBLEMS.count
    async with SandboxEngine(config) as engine:
        pool = await warm_pool(engine)
        runs = [asyncio.create_task(timed_run(engine, MEMORY_CODE, None)) for _ in range(MEMORY_RUNS)]
        await asyncio.sleep(MEMORY_SAMPLE_AFTER_S)
        sampled = {pid: uss_mib(pid) for pid in engine.sandbox_pids()}
        parents = {pid: parent_pid(pid) for pid in sampled}
        templates = {pid: (rss_mib(pid), uss_mib(pid)) for pid in set(parents.values())}
        results = [result for _, result in await asyncio.gather(*runs)]
    busy_pids = {int(result.stdout.text.split()[0]) for result in results}
    missing = busy_pids - sampled.keys()
    if missing:
        raise RuntimeError(f"busy sandbox processes {sorted(missing)} were not found in the slot cgroups")
    scientific = {parents[pid] for pid in busy_pids}  # the pandas runs' template
    plain = set(templates) - scientific
    if len(scientific) != 1 or len(plain) != 1:
        raise RuntimeError(f"expected two templates, the busy runs' and another: {templates}")
    (template_rss, template_uss), (plain_rss, plain_uss) = templates[scientific.pop()], templates[plain.pop()]
    busy = sorted(uss for pid, uss in sampled.items() if pid in busy_pids)
    idle = sorted(uss for pid, uss in sampled.items() if pid not in busy_pids)
    everything = sorted(sampled.values())
    return MemoryResult(
        pool=with_problems(pool, problems_before),
        concurrent_runs=MEMORY_RUNS,
        busy_uss_mib=busy,
        idle_uss_mib=idle,
        busy_median_mib=round(statistics.median(busy), 2),
        busy_max_mib=max(busy),
        all_median_mib=round(statistics.median(everything), 2),
        all_max_mib=max(everything),
        run_peak_median_mib=round(statistics.median(r.memory_kb for r in results) / 1024, 2),
        template_rss_mib=template_rss,
        template_uss_mib=template_uss,
        plain_template_rss_mib=plain_rss,
        plain_template_uss_mib=plain_uss,
    )


# --- reporting --------------------------------------------------------------------------


def targets(base: dict[str, Latency], default: ProfileResult, mem: MemoryResult) -> list[Target]:
    speedup = round(base["pandas"].p50_ms / default.latency["pandas"].p50_ms, 1)
    return [
        Target("pandas snippet p50", default.latency["pandas"].p50_ms, TARGET_PANDAS_P50_MS, True, "ms"),
        Target("pandas speedup vs fresh interpreter (p50)", speedup, TARGET_PANDAS_SPEEDUP, False, "x"),
        Target("print(1) p50", default.latency["print1"].p50_ms, TARGET_PRINT_P50_MS, True, "ms"),
        Target(
            "print(1) throughput, 2 callers",
            default.throughput["print1"].runs_per_s,
            TARGET_RUNS_PER_S,
            False,
            "runs/s",
        ),
        Target(
            "unique memory per concurrent run (median USS)", mem.busy_median_mib, TARGET_USS_MIB, True, "MiB"
        ),
    ]


def print_latency_table(base: dict[str, Latency], profiles: dict[str, ProfileResult]) -> None:
    print("Latency per run, ms (end-to-end around `await engine.run`; engine runs paced 20 ms apart,")
    print("sequential, after a 2 s warm-up pause, so the pre-warmed pool is refilled between requests)")
    print(f"  {'setup':<34}{'snippet':<10}{'runs':>6}{'p50':>10}{'p95':>10}{'wall_ms p50':>13}")
    for name in SNIPPETS:
        b = base[name]
        print(
            f"  {'fresh .runtime/bin/python -c':<34}{name:<10}{b.runs:>6}{b.p50_ms:>10.2f}{b.p95_ms:>10.2f}"
        )
    for label, result in profiles.items():
        for name, e in result.latency.items():
            row = f"{e.runs:>6}{e.p50_ms:>10.2f}{e.p95_ms:>10.2f}{e.wall_p50_ms:>13.2f}"
            print(f"  {'engine, ' + label:<34}{name:<10}{row}")
    print("  (baseline pandas also imports numpy and scipy, as the engine's template does)")


def print_throughput_table(profiles: dict[str, ProfileResult]) -> None:
    print()
    print(
        f"Throughput, {THROUGHPUT_CALLERS} callers back to back "
        f"(>= {THROUGHPUT_SECONDS:g} s and >= {THROUGHPUT_MIN_RUNS} runs, <= {THROUGHPUT_MAX_SECONDS:g} s)"
    )
    print(f"  {'engine':<34}{'snippet':<10}{'runs':>6}{'seconds':>10}{'runs/s':>10}{'p50 ms':>10}")
    for label, result in profiles.items():
        for name, t in result.throughput.items():
            row = f"{t.runs:>6}{t.seconds:>10.2f}{t.runs_per_s:>10.1f}{t.p50_ms:>10.2f}"
            print(f"  {label:<34}{name:<10}{row}")


def print_memory_table(mem: MemoryResult) -> None:
    print()
    print(
        f"Memory: {mem.concurrent_runs} concurrent runs (pandas op, then sleep {MEMORY_SLEEP_S:.0f} s), "
        "USS = Private_Clean + Private_Dirty"
    )
    print(f"  busy sandbox processes, USS MiB: {', '.join(f'{x:.2f}' for x in mem.busy_uss_mib)}")
    print(f"  idle pre-warmed children, USS MiB: {', '.join(f'{x:.2f}' for x in mem.idle_uss_mib)}")
    print(f"  busy median / max: {mem.busy_median_mib:.2f} / {mem.busy_max_mib:.2f} MiB")
    everything = f"{mem.all_median_mib:.2f} / {mem.all_max_mib:.2f} MiB"
    print(f"  all sandbox processes (busy + idle) median / max: {everything}")
    print(f"  engine-reported cgroup peak per run (median): {mem.run_peak_median_mib:.2f} MiB")
    template = f"RSS {mem.template_rss_mib:.1f} MiB, USS {mem.template_uss_mib:.1f} MiB"
    print(f"  scientific template (its pages are shared by its children): {template}")
    plain = f"RSS {mem.plain_template_rss_mib:.1f} MiB, USS {mem.plain_template_uss_mib:.1f} MiB"
    print(f"  plain template: {plain}")


def print_pool_checks(pools: dict[str, PoolCheck]) -> None:
    print()
    print(
        f"Pool check: sandbox processes in the slot cgroups after the {WARM_UP_PAUSE_S:g} s warm-up pause, "
        "and engine warnings/errors logged while the engine ran"
    )
    for label, pool in pools.items():
        note = "" if pool.healthy else "  WARNING: the pool was degraded; this engine's numbers understate it"
        counts = f"{pool.ready:>3} of {pool.warm} warm children, {pool.problems_logged} logged"
        print(f"  {label:<34}{counts}{note}")


# --- main -------------------------------------------------------------------------------


async def engine_benchmarks() -> tuple[dict[str, ProfileResult], MemoryResult]:
    one_template = SandboxConfig(plain_preload=None)
    profiles = {
        "default": await profile(SandboxConfig(), DEFAULT_LATENCY_RUNS, "default"),
        "one template": await profile(one_template, ONE_TEMPLATE_LATENCY_RUNS, "one template"),
    }
    return profiles, await memory()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)  # the engine's own reports still reach stderr
    logging.getLogger("execbox").addHandler(ENGINE_PROBLEMS)
    host = Host()
    progress(f"baseline: {BASELINE_RUNS} fresh interpreters per snippet")
    base = {
        "print1": baseline(PRINT_ONE, BASELINE_RUNS),
        "pandas": baseline(PANDAS_BASELINE, BASELINE_RUNS),
    }
    profiles, mem = asyncio.run(engine_benchmarks())
    checks = targets(base, profiles["default"], mem)
    host.finish()
    print(host.describe())
    print()
    print_latency_table(base, profiles)
    print_throughput_table(profiles)
    print_memory_table(mem)
    print_pool_checks({**{label: result.pool for label, result in profiles.items()}, "memory": mem.pool})
    numbers = {
        "baseline": {name: asdict(value) for name, value in base.items()},
        "engine": {label: asdict(value) for label, value in profiles.items()},
        "memory": asdict(mem),
    }
    print_targets_and_json("Targets (default configuration)", checks, host, numbers)


if __name__ == "__main__":
    main()
