"""Short runs first: a run that has used more than its CPU allowance goes to the lowest CPU
weight, read back from its own cgroup; a run that sleeps keeps the normal weight, and a group
is back at the normal weight as soon as its run ends."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from execbox.sandbox.cgroups.mounts import cgroup_mounts, path_inside
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.live import LiveIO, OutputStream
from tests.sandbox.conftest import SandboxHarness
from tests.support.processes import uid_range

AFTER_CPU_S = 0.3
HOG = "import os\nprint(os.getpid(), flush=True)\nwhile True:\n    pass\n"
SLEEPER = "import os, time\nprint(os.getpid(), flush=True)\ntime.sleep(2)\n"


# Each run the engine demoted, as its `on_demoted` hook was called (the services count it in
# execbox_runs_demoted_total: tests/api/test_cpu_fairness.py).
DEMOTED: list[None] = []


@pytest.fixture(scope="module")
def engine() -> Iterator[SandboxHarness]:
    with uid_range() as first_uid:
        config = SandboxConfig(live_runs=2, warm_children=1, first_uid=first_uid)
        config = dataclasses.replace(config, demote_after_cpu_s=AFTER_CPU_S)
        harness = SandboxHarness(config, on_demoted=lambda: DEMOTED.append(None))
        yield harness
        harness.close()


def _engine_cgroup_version() -> int:
    """The version the engine runs runs' CPU under here: v1 where a v1 cpu hierarchy is mounted."""
    return 1 if any(m.fstype == "cgroup" and "cpu" in m.controllers for m in cgroup_mounts()) else 2


def _cpu_weight_file(pid: int) -> Path:
    """The v1 `cpu.shares` or v2 `cpu.weight` of the process's group, as the host sees it."""
    groups: dict[str, str] = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, group = line.split(":", 2)
        for controller in controllers.split(","):
            groups[controller] = group
    for mount in cgroup_mounts():
        if mount.fstype == "cgroup" and "cpu" in mount.controllers:
            return path_inside(mount, groups["cpu"]) / "cpu.shares"
    unified = next(mount for mount in cgroup_mounts() if mount.fstype == "cgroup2")
    return path_inside(unified, groups[""]) / "cpu.weight"


def _weights(harness: SandboxHarness, code: str, seconds: float) -> tuple[int, int]:
    """Starts `code` live (it prints its pid first), reads its group's CPU weight `seconds`
    later, stops it, and reads the weight of its group again once the run has ended."""

    async def scenario() -> tuple[int, int]:
        printed = asyncio.get_running_loop().create_future()

        def on_output(stream: OutputStream, data: bytes) -> None:
            if not printed.done():
                printed.set_result(int(data.split()[0]))

        live = LiveIO(on_output)
        run = asyncio.ensure_future(harness.engine.run(code, live=live, limits=LimitRequest(wall_time_s=10)))
        pid = await asyncio.wait_for(printed, 10)
        await asyncio.sleep(seconds)
        weight_file = _cpu_weight_file(pid)
        during = int(weight_file.read_text())
        live.stop()
        await run
        return during, int(weight_file.read_text())

    return harness.call(scenario())


@pytest.mark.parametrize("version", [1, 2], ids=["cgroup-v1", "cgroup-v2"])
def test_a_busy_run_is_demoted_and_a_sleeping_one_is_not(engine: SandboxHarness, version: int) -> None:
    if version != _engine_cgroup_version():
        unified = [m for m in cgroup_mounts() if m.fstype == "cgroup2"]
        controllers = (unified[0].mountpoint / "cgroup.controllers").read_text().split() if unified else []
        pytest.skip(
            f"this host runs the runs' CPU under cgroup v{_engine_cgroup_version()}: its cgroup2 mount "
            f"offers the controllers {controllers or 'none'}, no cpu (the v2 writes are checked on a "
            "stand-in tree in test_cgroups_v2.py)"
            if version == 2
            else "this host has no cgroup v1 cpu hierarchy"
        )
    normal, low = (1024, 2) if version == 1 else (100, 1)
    demoted_before = len(DEMOTED)
    busy, sleeping = _weights(engine, HOG, 1.0), _weights(engine, SLEEPER, 1.0)
    # Back at the normal weight as the run ends: the slot's group (reused on v1) serves its next
    # child, which warms up in it meanwhile.
    assert (busy, sleeping) == ((low, normal), (normal, normal))
    assert len(DEMOTED) == demoted_before + 1
