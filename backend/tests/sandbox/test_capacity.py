"""Runs that wait cost a slot, not a core: how many programs an engine holds alive at once comes
from memory, each gets a uid and a cgroup of its own, and the pool of idle children stays small
however many runs the engine may hold."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from execbox.sandbox.config import LIVE_RUNS_CEILING, MEMORY_OVERCOMMIT, SandboxConfig
from execbox.sandbox.errors import SandboxFull
from execbox.sandbox.limits import LimitPolicy, RunLimits
from execbox.sandbox.live import LiveIO, OutputStream
from execbox.sandbox.result import RunResult, RunStatus
from execbox.sandbox.template_choice import TemplateKind
from tests.sandbox.conftest import Job, SandboxHarness
from tests.support.processes import uid_range

LIVE_RUNS = 100
WARM_CHILDREN = 2
SLEEP = "import time\ntime.sleep(1)\nprint('awake')\n"
UID = "import os\nprint(os.getuid())\n"


@pytest.fixture(scope="module")
def roomy() -> Iterator[SandboxHarness]:
    # 100 live runs + 2 x 2 templates x 2 warm children: 108 slots, in a range of its own.
    with uid_range() as first_uid:
        config = SandboxConfig(live_runs=LIVE_RUNS, warm_children=WARM_CHILDREN, first_uid=first_uid)
        harness = SandboxHarness(config)
        yield harness
        harness.close()


def _idle_children_settle(harness: SandboxHarness, expected: int, timeout_s: float = 10) -> int:
    deadline = time.monotonic() + timeout_s
    while (count := len(harness.engine.sandbox_pids())) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return count


def _uid_of(pid: int) -> int | None:
    try:
        return Path(f"/proc/{pid}").stat().st_uid
    except FileNotFoundError:
        return None


def test_capacity_comes_from_memory_not_cores() -> None:
    limits = LimitPolicy(default=RunLimits(memory_mb=512), maximum=RunLimits(memory_mb=2048))
    node = SandboxConfig(limits=limits, sandboxes_memory_mb=18 << 10)  # 3/4 of a 24 GiB host
    assert node.capacity == (18 << 10) * MEMORY_OVERCOMMIT // 512 == 576
    assert SandboxConfig(limits=limits, sandboxes_memory_mb=1 << 20).capacity == LIVE_RUNS_CEILING
    assert SandboxConfig(limits=limits, sandboxes_memory_mb=1 << 20, live_runs_max=300).capacity == 300
    assert SandboxConfig(limits=limits, sandboxes_memory_mb=16).capacity == 1  # never none
    assert SandboxConfig(limits=limits, sandboxes_memory_mb=18 << 10, live_runs=7).capacity == 7
    # Each live run, each warm child and as many again for used ones being torn down: one uid each.
    config = SandboxConfig(live_runs=7, warm_children=3)
    assert config.slots == 7 + 2 * 3 * len(config.templates)
    for wrong in ({"live_runs": 0}, {"live_runs": 11, "live_runs_max": 10}, {"warm_children": 0}):
        with pytest.raises(ValueError):
            SandboxConfig(**wrong)  # type: ignore[arg-type]


def test_programs_waiting_for_input_are_held_together_far_beyond_the_cores(roomy: SandboxHarness) -> None:
    waiting = 40
    code = "line = input('ready\\n')\nprint('got', line)\n"

    async def scenario() -> list[RunResult]:
        prompts = [asyncio.Event() for _ in range(waiting)]

        def prompted(index: int) -> LiveIO:
            def on_output(stream: OutputStream, data: bytes) -> None:
                if b"ready" in data:
                    prompts[index].set()

            return LiveIO(on_output)

        lives = [prompted(index) for index in range(waiting)]
        runs = [asyncio.ensure_future(roomy.engine.run(code, live=live)) for live in lives]
        # Every program is alive and blocked in input() at the same time...
        await asyncio.wait_for(asyncio.gather(*(prompt.wait() for prompt in prompts)), 30)
        assert all(not run.done() for run in runs)
        # ...and each answers with its own line.
        for index, live in enumerate(lives):
            live.send_stdin(f"line {index}\n".encode())
        return list(await asyncio.wait_for(asyncio.gather(*runs), 30))

    results = roomy.call(scenario())
    assert [(r.status, r.stdout.text) for r in results] == [
        (RunStatus.SUCCESS, f"ready\ngot line {index}\n") for index in range(waiting)
    ]


def test_a_hundred_sleepers_take_one_sleep_not_fifty(roomy: SandboxHarness) -> None:
    started = time.monotonic()
    results = roomy.run_concurrently([Job(SLEEP)] * LIVE_RUNS)
    took = time.monotonic() - started
    assert [(r.status, r.stdout.text) for r in results] == [(RunStatus.SUCCESS, "awake\n")] * LIVE_RUNS
    # One per core, a hundred 1 s sleeps would take 50 s here; each child made on demand costs
    # a few ms of CPU.
    assert took < 5, f"{LIVE_RUNS} sleepers took {took:.1f} s"


def test_runs_beyond_the_capacity_wait_for_a_slot_and_get_it_when_one_is_freed(roomy: SandboxHarness) -> None:
    async def burst() -> list[float]:
        began = time.monotonic()

        async def timed() -> float:
            result = await roomy.engine.run(SLEEP)
            assert result.status is RunStatus.SUCCESS, result
            return time.monotonic() - began

        return list(await asyncio.gather(*(timed() for _ in range(LIVE_RUNS + 10))))

    ended = sorted(roomy.call(burst()))
    # The first hundred sleep together; the last ten start only as those end.
    assert ended[LIVE_RUNS - 1] < 5, ended
    assert ended[-1] > 1.9, ended


def test_a_run_that_will_not_wait_is_refused_at_once_when_full(roomy: SandboxHarness) -> None:
    async def scenario() -> tuple[float, RunResult, RunResult]:
        sleepers = [asyncio.ensure_future(roomy.engine.run(SLEEP)) for _ in range(LIVE_RUNS)]
        while roomy.engine.runs_alive < LIVE_RUNS:
            await asyncio.sleep(0.01)
        asked = time.monotonic()
        with pytest.raises(SandboxFull):
            await roomy.engine.run("print('now')", wait=False)
        refused_in = time.monotonic() - asked
        waiting = asyncio.ensure_future(roomy.engine.run("print('waited')"))
        await asyncio.gather(*sleepers)
        waited = await waiting  # one that may wait gets the first run freed
        return refused_in, waited, await roomy.engine.run("print('now')", wait=False)

    refused_in, waited, now = roomy.call(scenario())
    assert refused_in < 0.05, refused_in
    assert (waited.stdout.text, now.stdout.text) == ("waited\n", "now\n")
    assert roomy.engine.runs_alive == 0


def test_the_idle_pool_goes_back_to_its_warm_size_and_slots_are_reused(roomy: SandboxHarness) -> None:
    config = roomy.engine.config
    warm = config.warm_children * len(config.templates)
    burst = roomy.run_concurrently([Job(f"{UID}import time\ntime.sleep(1)")] * 30)
    assert max(int(r.stdout.text) for r in burst) >= config.first_uid + 30
    # Each idle child is one process: the burst's children are gone, only the warm ones remain.
    assert _idle_children_settle(roomy, warm) == warm
    # The lowest free slots go first: one run after another, once the children made during the
    # burst are used, the same few low uids serve every run, whichever the burst used.
    uids = []
    for _ in range(20):
        uids.append(int(roomy.run(UID).stdout.text))
        time.sleep(0.05)  # as a user would: the used child is gone before the next run
    assert max(uids[config.warm_children :]) < config.first_uid + warm + 6, uids


def test_a_closed_engine_leaves_no_process_and_no_cgroup(own_uids: int) -> None:
    config = SandboxConfig(live_runs=2, warm_children=1, first_uid=own_uids)
    harness = SandboxHarness(config)
    try:
        results = harness.run_concurrently([Job(SLEEP), Job(SLEEP + "# numpy")])
        assert [r.status for r in results] == [RunStatus.SUCCESS] * 2
        warm = config.warm_children * len(config.templates)
        assert _idle_children_settle(harness, warm) == warm
        groups = _engine_groups(harness.engine.sandbox_pids()[0])
        # A slot never used has no cgroup: only those of the children that have existed.
        assert 0 < len(_subgroups(groups)) <= config.slots
        # A run still going when the engine closes is ended with it.
        harness.call(_close_during_a_run(harness))
    finally:
        harness.close()
    slot_uids = range(config.first_uid, config.first_uid + config.slots)
    pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    assert [pid for pid in pids if _uid_of(pid) in slot_uids] == []
    assert not groups.exists()


async def _close_during_a_run(harness: SandboxHarness) -> None:
    run = asyncio.ensure_future(harness.engine.run("import time\ntime.sleep(60)"))
    while len(harness.engine.sandbox_pids()) <= harness.engine.config.warm_children * 2:
        await asyncio.sleep(0.05)
    await harness.engine.close()
    await asyncio.wait_for(asyncio.gather(run, return_exceptions=True), 10)


def _engine_groups(pid: int) -> Path:
    """The engine's parent memory cgroup (v1) or parent group (v2), from one of its children."""
    lines = [line.split(":", 2) for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines()]
    memory = [path for _, controllers, path in lines if "memory" in controllers.split(",")]
    if memory:
        return Path(f"/sys/fs/cgroup/memory{memory[0]}").parent
    (unified,) = [path for _, controllers, path in lines if controllers == ""]
    return Path(f"/sys/fs/cgroup{unified}").parent


def _subgroups(parent: Path) -> list[Path]:
    return [path for path in parent.iterdir() if path.is_dir()]


def test_one_template_may_use_far_more_slots_than_its_warm_children(roomy: SandboxHarness) -> None:
    config = roomy.engine.config
    assert roomy.engine.template_for("print(1)") is TemplateKind.PLAIN
    results = roomy.run_concurrently([Job(UID + "import time\ntime.sleep(0.5)")] * 60)
    uids = {int(r.stdout.text) for r in results}
    # Sixty runs alive at once, each under a uid of its own from the engine's range.
    assert len(uids) == 60
    assert uids <= set(range(config.first_uid, config.first_uid + config.slots))
