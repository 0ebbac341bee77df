"""Mixed load: short runs while CPU-bound loops run on the node, with and without demotion.

Run as root from the repository root:

    .venv/bin/python bench/mixed_load_bench.py

For K = 0, 4 and 20 busy loops (`while True: pass`, each its own run), once they have run long
enough to be demoted (issue 29: SANDBOX_DEMOTE_AFTER_CPU_S of CPU, here 0.5 s), measures
`print(1)` and a pandas snippet run one after the other: p50 and p95. K = 20 is measured a
second time with demotion off (a threshold no loop reaches), as before issue 29. Prints a
table, the targets with PASS/MISS, then one JSON line with every number.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass

from common import Host, Target, check_run, p50, p95, print_targets_and_json, progress
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.limits import LimitRequest

FIRST_UID = 156_000
DEMOTE_AFTER_CPU_S = 0.5
HOG = "while True:\n    pass\n"
PRINT_ONE = "print(1)"
PANDAS = "import pandas as pd\nprint(pd.DataFrame({'a': range(1000)}).describe().loc['mean', 'a'])"
SAMPLES = {"print1": (PRINT_ONE, "1\n", 60), "pandas": (PANDAS, "499.5\n", 30)}
# Each loop, one of K sharing two cores, gets 2/K of a core: long enough to pass the threshold.
SETTLE_S = {0: 0.0, 4: 1.5, 20: 8.0}
TARGET_P50_MS, TARGET_P95_MS = 20.0, 100.0


@dataclass(frozen=True, slots=True)
class Load:
    hogs: int
    demotion: bool
    print1_p50_ms: float
    print1_p95_ms: float
    pandas_p50_ms: float
    pandas_p95_ms: float


async def _latencies(engine: SandboxEngine, code: str, expected: str, count: int) -> list[float]:
    taken = []
    for _ in range(count):
        started = time.perf_counter()
        check_run(await engine.run(code, limits=LimitRequest(wall_time_s=30)), expected)
        taken.append((time.perf_counter() - started) * 1000)
    return taken


async def under_load(hogs: int, demotion: bool) -> Load:
    after = DEMOTE_AFTER_CPU_S if demotion else 10_000.0
    config = SandboxConfig(live_runs=hogs + 4, first_uid=FIRST_UID, demote_after_cpu_s=after)
    async with SandboxEngine(config) as engine:
        loops = [
            asyncio.ensure_future(engine.run(HOG, limits=LimitRequest(wall_time_s=120, cpu_time_s=120)))
            for _ in range(hogs)
        ]
        await asyncio.sleep(SETTLE_S[hogs])
        progress(f"{hogs} loops, demotion {'on' if demotion else 'off'}: measuring")
        numbers = {}
        for name, (code, expected, count) in SAMPLES.items():
            taken = await _latencies(engine, code, expected, count)
            numbers[f"{name}_p50_ms"], numbers[f"{name}_p95_ms"] = round(p50(taken), 1), round(p95(taken), 1)
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
    return Load(hogs, demotion, **numbers)


async def measure() -> list[Load]:
    loads = [await under_load(hogs, True) for hogs in (0, 4, 20)]
    loads.append(await under_load(20, False))
    return loads


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    host = Host()
    loads = asyncio.run(measure())
    host.finish()
    print(host.describe())
    baseline = loads[0]
    print()
    print("| busy loops | demotion | print(1) p50 | p95 | pandas p50 | p95 | print(1) p50 vs none |")
    print("|---|---|---|---|---|---|---|")
    for load in loads:
        ratio = load.print1_p50_ms / baseline.print1_p50_ms
        print(
            f"| {load.hogs} | {'on' if load.demotion else 'off'} | {load.print1_p50_ms} ms | "
            f"{load.print1_p95_ms} ms | {load.pandas_p50_ms} ms | {load.pandas_p95_ms} ms | {ratio:.2f}x |"
        )
    twenty = loads[2]
    checks = [
        Target("print(1) p50 with 20 loops", twenty.print1_p50_ms, TARGET_P50_MS, True, "ms"),
        Target("print(1) p95 with 20 loops", twenty.print1_p95_ms, TARGET_P95_MS, True, "ms"),
    ]
    print_targets_and_json("Targets (issue 29)", checks, host, {"loads": [asdict(load) for load in loads]})


if __name__ == "__main__":
    main()
