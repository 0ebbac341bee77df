"""A program blocked reading its stdin is seen from the host, whatever it reads with: a live run
is told when it starts and stops waiting, and a run stopped while waiting says so; every limit
that ends a run is named with its value."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any

import pytest

from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.live import LiveIO
from execbox.sandbox.result import LimitHit, RunResult, RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness

pytestmark = IN_BOTH_TEMPLATES


class WaitingLog:
    """Each change of "waiting for input", with when it came."""

    def __init__(self) -> None:
        self.began = time.perf_counter()
        self.changes: list[tuple[float, bool]] = []
        self.changed = asyncio.Event()

    def __call__(self, waiting: bool) -> None:
        self.changes.append((time.perf_counter() - self.began, waiting))
        self.changed.set()

    async def until(self, waiting: bool) -> float:
        while not self.changes or self.changes[-1][1] is not waiting:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 10)
        return self.changes[-1][0]


def _ignore(stream: object, data: bytes) -> None:
    pass


def _live_run(
    sandbox: SandboxHarness, code: str, live: LiveIO, wall_time_s: float
) -> Coroutine[Any, Any, RunResult]:
    return sandbox.engine.run(
        code + sandbox.code_suffix, live=live, limits=LimitRequest(wall_time_s=wall_time_s)
    )


@pytest.mark.parametrize(
    "read",
    ["input('name? ')", "__import__('sys').stdin.readline()", "__import__('os').read(0, 100)"],
    ids=["input", "sys.stdin", "os.read"],
)
def test_a_live_run_is_told_when_its_program_waits_for_input_and_when_it_goes_on(
    sandbox: SandboxHarness, read: str
) -> None:
    code = f"import time\ntime.sleep(0.5)\nanswer = {read}\ntime.sleep(0.5)\nprint('got', answer)\n"
    log = WaitingLog()
    live = LiveIO(_ignore, log)

    async def scenario() -> RunResult:
        run = asyncio.ensure_future(_live_run(sandbox, code, live, 10))
        waited_from = await log.until(True)
        assert waited_from >= 0.45  # not while it slept first
        live.send_stdin(b"Ada\n")
        went_on_at = await log.until(False)
        assert went_on_at - waited_from < 1.0
        return await run

    result = sandbox.call(scenario())
    assert result.status is RunStatus.SUCCESS, result
    assert [waiting for _, waiting in log.changes] == [True, False]
    assert result.waiting_for_input is False and result.limit_hit is None


def test_a_timeout_says_the_limit_and_whether_the_program_was_waiting_for_input(
    sandbox: SandboxHarness,
) -> None:
    waiting = sandbox.call(_live_run(sandbox, "input('name? ')", LiveIO(_ignore), 1))
    busy = sandbox.call(_live_run(sandbox, "while True:\n    pass", LiveIO(_ignore), 1))
    for result in (waiting, busy):
        assert result.status is RunStatus.TIMEOUT
        assert result.limit_hit == LimitHit("wall_time_s", 1)
    assert (waiting.waiting_for_input, busy.waiting_for_input) == (True, False)
    # Without live input the program's stdin ends: input() raises EOFError, it never waits.
    closed = sandbox.run("input('name? ')", wall_time_s=1)
    assert closed.status is RunStatus.RUNTIME_ERROR and closed.waiting_for_input is False
    sandbox.assert_healthy()


def test_the_cpu_memory_and_output_limits_are_named_with_their_values(sandbox: SandboxHarness) -> None:
    cpu = sandbox.run("while True:\n    pass", wall_time_s=10, cpu_time_s=1)
    memory = sandbox.run("data = bytearray(400 << 20)", memory_mb=128)
    output = sandbox.run("print('x' * 100_000)", output_bytes=1000)
    assert (cpu.status, cpu.limit_hit) == (RunStatus.TIMEOUT, LimitHit("cpu_time_s", 1))
    assert (memory.status, memory.limit_hit) == (RunStatus.MEMORY_LIMIT, LimitHit("memory_mb", 128))
    assert (output.status, output.limit_hit) == (RunStatus.OUTPUT_LIMIT, LimitHit("output_bytes", 1000))
    sandbox.assert_healthy()
