"""cgroup v1 (memory, pids, cpuacct, cpu hierarchies), with the unified mount of hybrid hosts
used, when present, for killing a whole group at once. One group per slot, reused."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from execbox.sandbox.cgroups.base import (
    CPU_PERIOD_US,
    CgroupManager,
    GroupLimits,
    RunGroup,
    engine_group_name,
    read_text,
    remove_dir,
    stat_field,
    sweep_stale,
    write_text,
)
from execbox.sandbox.cgroups.mounts import CgroupMount, path_inside
from execbox.sandbox.errors import SandboxUnavailable

# cpu.shares among the runs (the kernel's default, and its minimum).
_NORMAL_SHARES = 1024
_LOW_SHARES = 2


class V1Group(RunGroup):
    def __init__(self, dirs: dict[str, Path], unified: Path | None, limits: GroupLimits) -> None:
        super().__init__(limits)
        self.dirs = dirs
        self.unified = unified
        for path in self._all_dirs():
            path.mkdir()
        self.set_memory_limit(limits.memory_bytes)
        write_text(dirs["pids"] / "pids.max", str(limits.max_processes))
        if "cpu" in dirs:
            write_text(dirs["cpu"] / "cpu.cfs_period_us", str(CPU_PERIOD_US))
            write_text(dirs["cpu"] / "cpu.cfs_quota_us", str(int(limits.cpu_cores * CPU_PERIOD_US)))

    def _all_dirs(self) -> list[Path]:
        unique = list(dict.fromkeys(self.dirs.values()))
        return unique + ([self.unified] if self.unified else [])

    @property
    def procs_files(self) -> list[str]:
        return [str(path / "cgroup.procs") for path in self._all_dirs()]

    def set_memory_limit(self, memory_bytes: int) -> None:
        memory = self.dirs["memory"]
        files = [memory / "memory.limit_in_bytes"]
        if (memory / "memory.memsw.limit_in_bytes").exists():
            # The kernel keeps memory <= memory+swap at every step: raise the outer limit first
            # and lower the inner one first.
            swap = memory / "memory.memsw.limit_in_bytes"
            files = [swap, *files] if memory_bytes > self.memory_limit else [*files, swap]
        for path in files:
            self._put(path, str(memory_bytes))

    def _cpu_ns(self) -> int:
        return int(self._get(self.dirs["cpuacct"] / "cpuacct.usage"))

    def _write_cpu_weight(self, low: bool) -> None:
        if "cpu" in self.dirs:
            self._put(self.dirs["cpu"] / "cpu.shares", str(_LOW_SHARES if low else _NORMAL_SHARES))

    def _memory_peak(self) -> int:
        return int(self._get(self.dirs["memory"] / "memory.max_usage_in_bytes"))

    def _oom_kills(self) -> int:
        return stat_field(self._get(self.dirs["memory"] / "memory.oom_control"), "oom_kill")

    def _reset_peak(self) -> None:
        self._put(self.dirs["memory"] / "memory.max_usage_in_bytes", "0")

    def kill(self) -> None:
        if self.unified is not None:
            with contextlib.suppress(FileNotFoundError):
                self._put(self.unified / "cgroup.kill", "1")
                return
        # Pure v1: repeat until nothing is left; the pids limit bounds how often a fork
        # bomb can refill the group between our reads.
        for _ in range(1000):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def is_empty(self) -> bool:
        # pids.current still counts exited processes nobody has reaped yet: they hold the
        # slot's process budget until they are gone.
        try:
            return int(read_text(self.dirs["pids"] / "pids.current")) == 0
        except FileNotFoundError:
            return True

    def _remove_dirs(self) -> bool:
        return all([remove_dir(path) for path in self._all_dirs()])


class V1Manager(CgroupManager):
    reuses_groups = True

    def __init__(self, parents: dict[str, Path], unified: Path | None) -> None:
        self.parents = parents
        self.unified = unified

    def create(self, name: str, limits: GroupLimits) -> RunGroup:
        dirs = {controller: parent / name for controller, parent in self.parents.items()}
        unified = self.unified / name if self.unified else None
        return V1Group(dirs, unified, limits)

    def limit_total_memory(self, memory_bytes: int) -> None:
        write_text(self.parents["memory"] / "memory.limit_in_bytes", str(memory_bytes))

    def close(self) -> None:
        for path in {*self.parents.values(), *([self.unified] if self.unified else [])}:
            remove_dir(path)


def setup_v1(v1: dict[str, CgroupMount], v2: CgroupMount | None, own: dict[str, str]) -> CgroupManager:
    name = engine_group_name()
    parents: dict[str, Path] = {}
    for controller in ("memory", "pids", "cpuacct", "cpu"):
        if controller in v1:
            parents[controller] = path_inside(v1[controller], own.get(controller, "/")) / name
    if "cpuacct" not in parents:
        raise SandboxUnavailable(["the cgroup v1 cpuacct controller is not mounted"])
    for path in parents.values():
        sweep_stale(path.parent)
        path.mkdir(exist_ok=True)
    unified = None
    if v2 is not None:
        # On hybrid hosts the v2 mount has no controllers, but `cgroup.kill` still kills a
        # whole group at once, and `cgroup.events` tells when it is empty.
        unified = path_inside(v2, own.get("", "/")) / name
        try:
            sweep_stale(unified.parent)
            unified.mkdir(exist_ok=True)
        except PermissionError:  # not delegated to a service that is not root: not needed
            unified = None
        if unified is not None and not (unified / "cgroup.kill").exists():
            remove_dir(unified)
            unified = None
    memory_parent = parents["memory"]
    with contextlib.suppress(OSError):
        write_text(memory_parent / "memory.use_hierarchy", "1")
    return V1Manager(parents, unified)
