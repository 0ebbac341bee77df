"""The cgroup v2 layer, on a stand-in directory tree.

Our machines mount the v1 hierarchy (the v2 mount has no memory controller), so the kernel's
v2 files cannot be had here: these tests check what the engine writes and how it reads the
counters, against plain files laid out as the kernel lays them out.
"""

import os
from pathlib import Path

from execbox.sandbox.cgroups import GroupLimits
from execbox.sandbox.cgroups.v2 import V2Manager

LIMITS = GroupLimits(memory_bytes=256 << 20, max_processes=32, cpu_cores=0.5)


def _service_group(tmp_path: Path) -> Path:
    own = tmp_path / "system.slice" / "execbox.service"
    own.mkdir(parents=True)
    (own / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (own / "cgroup.procs").write_text(f"{os.getpid()}\n")
    (own / "cgroup.subtree_control").write_text("")
    return own


def test_setup_moves_the_service_to_a_leaf_and_delegates_controllers(tmp_path: Path) -> None:
    own = _service_group(tmp_path)
    manager = V2Manager.setup(tmp_path, own)
    assert (own / "supervisor" / "cgroup.procs").read_text() == str(os.getpid())
    assert (own / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"
    assert manager.parent.parent == own
    assert (manager.parent / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"


def test_a_run_group_gets_its_limits_and_reads_its_counters(tmp_path: Path) -> None:
    manager = V2Manager.setup(tmp_path, _service_group(tmp_path))
    run = manager.parent / "run-1"
    run.mkdir()  # with the files the kernel would create in it
    for name in ("memory.max", "memory.swap.max", "pids.max", "cpu.max", "cgroup.procs", "cgroup.kill"):
        (run / name).write_text("")
    group = manager.create("run-1", LIMITS)
    assert (run / "memory.max").read_text() == str(256 << 20)
    assert (run / "pids.max").read_text() == "32"
    assert (run / "memory.swap.max").read_text() == "0"
    assert (run / "cpu.max").read_text() == "50000 100000"
    assert group.procs_files == [str(run / "cgroup.procs")]
    (run / "cpu.stat").write_text("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n")
    (run / "memory.peak").write_text(f"{40 << 20}\n")
    (run / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    group.start_measuring()
    (run / "cpu.stat").write_text("usage_usec 4500\nuser_usec 3000\nsystem_usec 1500\n")
    (run / "memory.events").write_text("low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\n")
    usage = group.usage()
    assert usage.cpu_ns == 3_000_000
    assert usage.memory_peak_bytes == 40 << 20
    assert usage.oom_kills == 1
    (run / "cgroup.events").write_text("populated 1\nfrozen 0\n")
    assert not group.is_empty()
    group.kill()
    assert (run / "cgroup.kill").read_text() == "1"


def test_a_run_group_is_demoted_by_its_cpu_weight_and_without_a_cpu_controller_left_alone(
    tmp_path: Path,
) -> None:
    manager = V2Manager.setup(tmp_path, _service_group(tmp_path))
    run = manager.parent / "run-1"
    run.mkdir()
    for name in ("memory.max", "pids.max", "cpu.max", "cpu.weight", "cgroup.procs"):
        (run / name).write_text("")
    group = manager.create("run-1", LIMITS)
    group.demote_cpu(True)
    assert (run / "cpu.weight").read_text() == "1"
    group.demote_cpu(False)
    assert (run / "cpu.weight").read_text() == "100"
    (run / "cpu.weight").unlink()  # no cpu controller delegated: every run keeps the same weight
    group.demote_cpu(True)
    assert group.cpu_demoted and not (run / "cpu.weight").exists()
