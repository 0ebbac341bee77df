"""What the benchmark scripts in this folder share.

Imported as `common`: a script run as `.venv/bin/python bench/X.py` has this folder on sys.path.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from execbox.sandbox.result import RunResult, RunStatus

PRINT_ONE = "print(1)"
PANDAS = 'import pandas as pd; print(pd.DataFrame({"a": [1, 2]}).sum())'
SNIPPETS = {"print1": PRINT_ONE, "pandas": PANDAS}
EXPECTED_STDOUT = {"print1": "1\n", "pandas": "a    3\ndtype: int64\n"}

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- statistics -------------------------------------------------------------------------


def p50(samples: list[float]) -> float:
    return round(statistics.median(samples), 3)


def p95(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20, method="inclusive")[18], 3)


# --- runs -------------------------------------------------------------------------------


def check_run(result: RunResult, expected: str | None) -> RunResult:
    """The engine's result, if the run succeeded and printed `expected` (None: any output)."""
    if result.status != RunStatus.SUCCESS or (expected is not None and result.stdout.text != expected):
        output = f"{result.stdout.text!r} {result.stderr.text!r}"
        raise RuntimeError(f"engine run failed: {result.status} {output}")
    return result


# --- /proc and sockets ------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat from its third field (state) on; the name before it may hold spaces."""
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().rpartition(")")[2].split()


def smaps_kib(pid: int, *keys: str) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        lines = handle.read().splitlines()
    total = 0
    for line in lines:
        name, _, rest = line.partition(":")
        if name in keys:
            total += int(rest.split()[0])
    return total


def uss_mib(pid: int) -> float:
    return round(smaps_kib(pid, "Private_Clean", "Private_Dirty") / 1024, 2)


def rss_mib(pid: int) -> float:
    return round(smaps_kib(pid, "Rss") / 1024, 2)


def parent_pid(pid: int) -> int:
    return int(_stat_fields(pid)[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (not its children)."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- reporting --------------------------------------------------------------------------


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


@dataclass(slots=True)
class Host:
    """The host's CPU count and its 1-minute load average before and after the measurements."""

    load_before: float = field(default_factory=lambda: os.getloadavg()[0])
    load_after: float | None = None
    started: float = field(default_factory=time.perf_counter)

    def finish(self) -> None:
        self.load_after = os.getloadavg()[0]

    def describe(self) -> str:
        after = "?" if self.load_after is None else f"{self.load_after:.2f}"
        return f"Host: {os.cpu_count()} CPUs; 1-min load average {self.load_before:.2f} before, {after} after"

    def summary(self) -> dict[str, object]:
        after = None if self.load_after is None else round(self.load_after, 2)
        return {
            "cpus": os.cpu_count(),
            "loadavg_1min": {"before": round(self.load_before, 2), "after": after},
        }

    def total_s(self) -> float:
        return round(time.perf_counter() - self.started, 1)


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    value: float
    limit: float
    at_most: bool
    unit: str

    @property
    def passed(self) -> bool:
        return self.value <= self.limit if self.at_most else self.value >= self.limit


def print_targets(title: str, checks: Sequence[Target]) -> None:
    print()
    print(title)
    width = max(len(t.name) for t in checks) + 3
    for t in checks:
        sign = "<=" if t.at_most else ">="
        verdict = "PASS" if t.passed else "MISS"
        print(f"  {verdict}  {t.name:<{width}}{t.value:>9.2f} {t.unit:<7} target {sign} {t.limit:g} {t.unit}")


def print_targets_and_json(title: str, checks: Sequence[Target], host: Host, numbers: dict[str, Any]) -> None:
    """The end of a report: the targets with PASS/MISS, then one JSON line with every number."""
    print_targets(title, checks)
    summary = {
        **host.summary(),
        **numbers,
        "targets": {t.name: {"value": t.value, "limit": t.limit, "pass": t.passed} for t in checks},
        "total_s": host.total_s(),
    }
    print()
    print(json.dumps(summary, sort_keys=True))
