"""Live runs through the engine: output handed over as it is read, stdin fed as it comes, and
Stop, all on the real sandbox."""

from __future__ import annotations

import asyncio
import time

import pytest

from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.live import LiveIO, OutputStream
from execbox.sandbox.outcomes import RunStopped, raise_for_status
from execbox.sandbox.result import RunResult, RunStatus
from tests.sandbox.conftest import SandboxHarness


class Recorder:
    """Output pieces with the time each arrived."""

    def __init__(self) -> None:
        self.began = time.perf_counter()
        self.pieces: list[tuple[float, OutputStream, bytes]] = []
        self.changed = asyncio.Event()

    def __call__(self, stream: OutputStream, data: bytes) -> None:
        self.pieces.append((time.perf_counter() - self.began, stream, data))
        self.changed.set()

    def text(self, stream: OutputStream = "stdout") -> bytes:
        return b"".join(data for _, s, data in self.pieces if s == stream)

    async def wait_for(self, ending: bytes, stream: OutputStream = "stdout") -> None:
        while not self.text(stream).endswith(ending):
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 10)


def test_output_is_handed_over_as_the_program_prints(sandbox: SandboxHarness) -> None:
    code = (
        "import time, sys\n"
        "for i in range(5):\n    print(i)\n    print('e', i, file=sys.stderr)\n    time.sleep(0.1)\n"
    )
    recorder = Recorder()
    result = sandbox.call(sandbox.engine.run(code, live=LiveIO(recorder)))
    assert result.status is RunStatus.SUCCESS
    assert recorder.text("stdout").decode() == result.stdout.text == "0\n1\n2\n3\n4\n"
    assert recorder.text("stderr").decode() == result.stderr.text
    stdout_times = [at for at, stream, _ in recorder.pieces if stream == "stdout"]
    assert len(stdout_times) == 5  # line-buffered in a live run: one piece per print
    assert stdout_times[-1] - stdout_times[0] > 0.3


def test_stdin_reaches_a_waiting_program_and_closing_it_gives_eof(sandbox: SandboxHarness) -> None:
    code = (
        "a = input('a? ')\nb = input('b? ')\nprint(a + b)\n"
        "try:\n    input()\nexcept EOFError:\n    print('eof')\n"
    )

    async def scenario() -> RunResult:
        recorder = Recorder()
        live = LiveIO(recorder)
        run = asyncio.ensure_future(sandbox.engine.run(code, "", live=live))
        await recorder.wait_for(b"a? ")
        live.send_stdin(b"fort")
        live.send_stdin(b"y\n")  # a line may come in pieces
        await recorder.wait_for(b"b? ")
        live.send_stdin(b"-two\n")
        live.close_stdin()
        return await run

    result = sandbox.call(scenario())
    assert result.status is RunStatus.SUCCESS
    assert result.stdout.text == "a? b? forty-two\neof\n"


def test_initial_stdin_comes_before_live_input(sandbox: SandboxHarness) -> None:
    async def scenario() -> RunResult:
        live = LiveIO(Recorder())
        run = asyncio.ensure_future(sandbox.engine.run("print(input(), input())", "first\n", live=live))
        live.send_stdin(b"second\n")
        return await run

    assert sandbox.call(scenario()).stdout.text == "first second\n"


@pytest.mark.parametrize(
    "code",
    ["print('busy', flush=True)\nwhile True:\n    pass\n", "print('waiting')\ninput()\n"],
    ids=["spinning", "waiting-for-input"],
)
def test_stop_ends_the_run_at_once(sandbox: SandboxHarness, code: str) -> None:
    async def scenario() -> tuple[RunResult, float]:
        recorder = Recorder()
        live = LiveIO(recorder)
        run = asyncio.ensure_future(sandbox.engine.run(code, live=live))
        await recorder.wait_for(b"\n")
        asked = time.perf_counter()
        live.stop()
        result = await run
        return result, time.perf_counter() - asked

    result, took = sandbox.call(scenario())
    assert result.status is RunStatus.STOPPED
    assert result.signal == "SIGKILL"
    assert took < 0.2, f"stopping took {took * 1000:.0f} ms"
    with pytest.raises(RunStopped):
        raise_for_status(result)
    sandbox.assert_healthy()


def test_a_stop_before_the_program_starts_still_stops_it(sandbox: SandboxHarness) -> None:
    live = LiveIO(Recorder())
    live.stop()
    result = sandbox.call(sandbox.engine.run("while True:\n    pass\n", live=live))
    assert result.status is RunStatus.STOPPED


def test_live_output_stays_within_the_output_limit(sandbox: SandboxHarness) -> None:
    recorder = Recorder()
    limits = LimitRequest(output_bytes=10_000)
    result = sandbox.call(
        sandbox.engine.run("while True:\n    print('x' * 99)\n", "", limits, LiveIO(recorder))
    )
    assert result.status is RunStatus.OUTPUT_LIMIT
    assert len(recorder.text()) == 10_000
    assert recorder.text().decode() == result.stdout.text


def test_the_wall_time_limit_ends_a_program_waiting_for_input(sandbox: SandboxHarness) -> None:
    live = LiveIO(Recorder())
    result = sandbox.call(sandbox.engine.run("input()", "", LimitRequest(wall_time_s=0.5), live))
    assert result.status is RunStatus.TIMEOUT
