"""Runs on a fresh engine of their own, in a separate process.

For tests whose failure could leave an engine damaged for every later run: they must not
share the session's engine, and an engine cannot share a process with another (its cgroups are
named after the process). The child process starts a small engine on uids of its own, runs the
steps one after the other, and reports each outcome (or the exception the call raised).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.support.processes import uid_range

BACKEND = Path(__file__).resolve().parents[2]


def run_isolated(steps: list[dict[str, Any]], timeout_s: float = 180) -> list[dict[str, Any]]:
    """Each step is {"code": str, "limits": {...}}; each outcome has the RunResult's fields
    (status as its value, stdout/stderr as text) and `seconds`, or `exception`."""
    with uid_range() as first_uid:
        completed = subprocess.run(
            [sys.executable, "-m", "tests.sandbox.engine_process", str(first_uid)],
            input=json.dumps(steps),
            capture_output=True,
            text=True,
            cwd=BACKEND,
            timeout=timeout_s,
            check=False,
        )
    assert completed.returncode == 0, f"the engine process failed:\n{completed.stderr[-4000:]}"
    outcomes = json.loads(completed.stdout.strip().splitlines()[-1])
    assert isinstance(outcomes, list) and len(outcomes) == len(steps)
    return outcomes


def main(first_uid: int) -> None:
    from execbox.sandbox.config import SandboxConfig
    from tests.sandbox.conftest import SandboxHarness

    steps = json.loads(sys.stdin.read())
    harness = SandboxHarness(SandboxConfig(live_runs=1, warm_children=1, first_uid=first_uid))
    outcomes: list[dict[str, Any]] = []
    try:
        for step in steps:
            started = time.monotonic()
            try:
                result = harness.run(step["code"], **step.get("limits", {}))
            except Exception as error:  # noqa: BLE001 - reported to the test, which judges it
                outcomes.append({"exception": repr(error), "seconds": time.monotonic() - started})
                continue
            outcomes.append(
                {
                    "status": result.status.value,
                    "exit_code": result.exit_code,
                    "signal": result.signal,
                    "stdout": result.stdout.text,
                    "stderr": result.stderr.text,
                    "memory_kb": result.memory_kb,
                    "seconds": time.monotonic() - started,
                }
            )
    finally:
        harness.close()
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main(int(sys.argv[1]))
