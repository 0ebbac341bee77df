"""Per-run limits: memory, wall time, CPU time, output, stack; and the limits a caller may ask for."""

from __future__ import annotations

import time
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest

from execbox.sandbox.errors import LimitError
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness
from tests.sandbox.engine_process import run_isolated

MIB = 1 << 20


@IN_BOTH_TEMPLATES
def test_huge_allocation_hits_the_memory_limit(sandbox: SandboxHarness) -> None:
    result = sandbox.run("buffer = bytearray(3 << 30)\nprint('allocated')", wall_time_s=10)
    assert result.status is RunStatus.MEMORY_LIMIT, result
    assert "allocated" not in result.stdout.text
    sandbox.assert_healthy()


@IN_BOTH_TEMPLATES
def test_wall_time_limit(sandbox: SandboxHarness) -> None:
    started = time.monotonic()
    result = sandbox.run("while True:\n    pass", wall_time_s=1)
    assert result.status is RunStatus.TIMEOUT, result
    assert 990 <= result.wall_ms <= 1500, result.wall_ms
    assert time.monotonic() - started < 4
    sandbox.assert_healthy()


@IN_BOTH_TEMPLATES
def test_cpu_time_limit(sandbox: SandboxHarness) -> None:
    started = time.monotonic()
    result = sandbox.run("while True:\n    pass", cpu_time_s=1, wall_time_s=10)
    assert result.status is RunStatus.TIMEOUT, result
    assert result.cpu_ms >= 900, result.cpu_ms
    assert result.wall_ms < 5000, "the run was ended by the wall clock, not by its CPU time"
    assert time.monotonic() - started < 8
    sandbox.assert_healthy()


@IN_BOTH_TEMPLATES
def test_sleeping_hits_the_wall_time_limit(sandbox: SandboxHarness) -> None:
    started = time.monotonic()
    result = sandbox.run("import time\nprint('sleeping', flush=True)\ntime.sleep(3600)", wall_time_s=1)
    assert result.status is RunStatus.TIMEOUT, result
    assert result.stdout.text == "sleeping\n"
    assert 990 <= result.wall_ms <= 1500, result.wall_ms
    assert result.cpu_ms < 500
    assert time.monotonic() - started < 4
    sandbox.assert_healthy()


@IN_BOTH_TEMPLATES
@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_huge_output_hits_the_output_limit(sandbox: SandboxHarness, stream: str) -> None:
    cap = sandbox.engine.config.limits.default.output_bytes
    code = f"""
import sys
line = "x" * 1023 + "\\n"
for _ in range(100 * 1024):  # 100 MiB
    sys.{stream}.write(line)
print("finished", file=sys.stderr if "{stream}" == "stdout" else sys.stdout)
"""
    started = time.monotonic()
    result = sandbox.run(code, wall_time_s=20)
    elapsed = time.monotonic() - started
    assert result.status is RunStatus.OUTPUT_LIMIT, result
    captured = getattr(result, stream)
    assert captured.truncated
    assert result.truncated
    assert cap - 64 * 1024 <= len(captured.text) <= cap
    assert set(captured.text) == {"x", "\n"}
    assert elapsed < 5, f"stopping a flood of output took {elapsed:.1f} s"
    sandbox.assert_healthy()


@IN_BOTH_TEMPLATES
def test_lowered_output_limit(sandbox: SandboxHarness) -> None:
    result = sandbox.run("print('y' * 5000)", output_bytes=1000, wall_time_s=5)
    assert result.status is RunStatus.OUTPUT_LIMIT, result
    assert result.stdout.truncated
    assert result.stdout.text == "y" * 1000
    sandbox.assert_healthy()


@IN_BOTH_TEMPLATES
def test_deep_recursion_through_c_overflows_the_stack(sandbox: SandboxHarness) -> None:
    """Each level goes through a C function (map), so the interpreter's C stack grows with the
    depth until the stack rlimit stops it with SIGSEGV. (Plain Python-to-Python calls do not use
    the C stack on Python 3.11+; see the next test.)"""
    code = """
import sys
sys.setrecursionlimit(10**6)
def dive(depth):
    return list(map(dive, [depth + 1]))
print("diving", flush=True)
dive(0)
print("returned")
"""
    result = sandbox.run(code, wall_time_s=10)
    assert result.status is RunStatus.RUNTIME_ERROR, result
    assert result.signal == "SIGSEGV"
    assert result.stdout.text == "diving\n"
    sandbox.assert_healthy()


@IN_BOTH_TEMPLATES
def test_deep_python_recursion_is_a_runtime_error(sandbox: SandboxHarness) -> None:
    """A million Python frames end in RecursionError, reported as such, like `python main.py`
    would (its traceback printer shows at most sys.tracebacklimit = 1000 frames)."""
    code = """
import sys
sys.setrecursionlimit(10**6)
def dive(depth):
    return dive(depth + 1)
dive(0)
"""
    started = time.monotonic()
    result = sandbox.run(code, wall_time_s=10)
    assert result.status is RunStatus.RUNTIME_ERROR, (
        f"{result.status} after {time.monotonic() - started:.1f} s: {result}"
    )
    assert result.error is not None
    assert result.error.type == "RecursionError"
    assert "RecursionError" in result.stderr.text
    sandbox.assert_healthy()


@pytest.mark.parametrize("name", [f.name for f in fields(LimitRequest)])
def test_limits_above_the_maximum_are_refused(sandbox: SandboxHarness, name: str) -> None:
    maximum = getattr(sandbox.engine.config.limits.maximum, name)
    above = maximum * 2 if isinstance(maximum, int) else maximum + 0.5
    for refused in (above, 0, -1):
        request = replace(LimitRequest(), **{name: refused})
        with pytest.raises(LimitError):
            sandbox.call(sandbox.engine.run("print('ran')", "", request))
    # Control: the maximum itself is accepted by the same check.
    assert sandbox.engine.config.limits.resolve(replace(LimitRequest(), **{name: maximum}))
    sandbox.assert_healthy()


# The tests below set memory limits other than the default. Should the engine mishandle that,
# its pool can be left damaged for every later run (on cgroup v1 hosts, a slot whose limit was
# lowered refuses the default limit afterwards): so each runs on an engine of its own, in a
# process of its own, and a failure here cannot spill into the rest of the suite.

HEALTH = {"code": "import pandas as pd\nprint(pd.Series([1, 2, 3]).sum())"}


def _assert_healthy(outcome: dict[str, Any]) -> None:
    assert (outcome.get("status"), outcome.get("stdout")) == ("success", "6\n"), outcome


def test_growing_memory_hits_the_memory_limit(sandbox: SandboxHarness) -> None:
    code = """
import numpy as np
chunks = []
for step in range(24):  # 64 MiB at a time, each page touched, up to 1.5 GiB
    chunks.append(np.ones(64 << 20, dtype=np.uint8))
    print(step, flush=True)
print("allocated")
"""
    grow = {"code": code, "limits": {"memory_mb": 256, "wall_time_s": 10}}
    (result,) = run_isolated([grow])
    assert result.get("status") == "memory_limit", result
    assert "allocated" not in result["stdout"]
    assert "1\n" in result["stdout"]  # control: it did allocate a few chunks first
    assert result["memory_kb"] * 1024 <= (256 + 16) * MIB
    sandbox.assert_healthy()


def test_memory_limit_above_the_default_is_usable(sandbox: SandboxHarness) -> None:
    """The policy allows up to the maximum (2 GiB): such a run must get its memory."""
    limit_mb = min(1024, sandbox.engine.config.limits.maximum.memory_mb)
    assert limit_mb > sandbox.engine.config.limits.default.memory_mb
    code = "import numpy as np\nblock = np.ones(700 << 20, dtype=np.uint8)\nprint(int(block.sum()))"
    big = {"code": code, "limits": {"memory_mb": limit_mb, "wall_time_s": 10}}
    result, *health = run_isolated([big, HEALTH, HEALTH])
    assert (result.get("status"), result.get("stdout")) == ("success", f"{700 << 20}\n"), result
    for outcome in health:
        _assert_healthy(outcome)
    sandbox.assert_healthy()


def test_a_lowered_memory_limit_does_not_outlive_its_run(sandbox: SandboxHarness) -> None:
    """After runs with memory_mb=256 on every slot of both templates, runs at the default limit
    still work."""
    # More than the slots one template's children go through in the isolated engine (one live
    # run, one warm child per template): every one of them serves a lowered run.
    runs = 4
    allocate = "block = b'x' * (384 << 20)\nprint(len(block))"
    steps = []
    for comment in ("", "  # numpy: the scientific template"):
        lowered = {"code": "print('low')" + comment, "limits": {"memory_mb": 256, "wall_time_s": 5}}
        default = {"code": allocate + comment, "limits": {"wall_time_s": 10}}
        steps += [lowered] * runs + [default] * runs
    outcomes = run_isolated(steps)
    for index, outcome in enumerate(outcomes):
        expected = "low\n" if index % (2 * runs) < runs else f"{384 << 20}\n"
        assert (outcome.get("status"), outcome.get("stdout")) == ("success", expected), (
            f"run {index} (lowered runs first, then runs at the default limit): {outcome}"
        )
    sandbox.assert_healthy()


def test_runs_after_a_failed_engine_call_keep_their_output(sandbox: SandboxHarness) -> None:
    """Whatever happened to an earlier call (here: one asking for more memory than the default,
    which some hosts' cgroups refuse), later runs must get their own output, promptly."""
    first = {"code": "print('big')", "limits": {"memory_mb": sandbox.engine.config.limits.maximum.memory_mb}}
    later = [{"code": f"print({attempt})", "limits": {"wall_time_s": 5}} for attempt in range(6)]
    _, *outcomes = run_isolated([first, *later])
    for attempt, outcome in enumerate(outcomes):
        assert (outcome.get("status"), outcome.get("stdout")) == ("success", f"{attempt}\n"), outcome
        # A run caught in what went wrong before would take its whole 5 s wall limit.
        assert outcome["seconds"] < 4, f"run {attempt} took {outcome['seconds']:.1f} s"
    sandbox.assert_healthy()


def _memory_limits_of_idle_children(sandbox: SandboxHarness) -> set[int]:
    limits = set()
    for pid in sandbox.engine.sandbox_pids():
        for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if "memory" in controllers.split(","):
                limits.add(int(Path(f"/sys/fs/cgroup/memory{path}/memory.limit_in_bytes").read_text()))
    return limits


@IN_BOTH_TEMPLATES
def test_a_run_with_the_smallest_memory_limit_leaves_its_slot_as_it_was(sandbox: SandboxHarness) -> None:
    # Slot cgroups are reused (cgroup v1): the next child of the slot must wait under the
    # default limit again, not under the 16 MiB the last run asked for.
    for _ in range(sandbox.engine.config.slots):
        result = sandbox.run("x = bytearray(64 << 20)", memory_mb=16)
        assert result.status is RunStatus.MEMORY_LIMIT, result
    time.sleep(1)  # the slots' next children set up meanwhile
    assert _memory_limits_of_idle_children(sandbox) == {512 << 20}
    sandbox.assert_healthy()
