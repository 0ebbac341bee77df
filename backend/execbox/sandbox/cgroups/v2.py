"""cgroup v2: a delegated subtree of the service's own group, and a fresh group per run."""

from __future__ import annotations

import contextlib
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
from execbox.sandbox.errors import SandboxUnavailable

# cpu.weight among the runs (the kernel's default, and its minimum).
_NORMAL_WEIGHT = 100
_LOW_WEIGHT = 1


class V2Group(RunGroup):
    def __init__(self, path: Path, limits: GroupLimits) -> None:
        super().__init__(limits)
        self.path = path
        path.mkdir(exist_ok=True)
        self.set_memory_limit(limits.memory_bytes)
        with contextlib.suppress(FileNotFoundError):
            write_text(path / "memory.swap.max", "0")
        write_text(path / "pids.max", str(limits.max_processes))
        if (path / "cpu.max").exists():
            write_text(path / "cpu.max", f"{int(limits.cpu_cores * CPU_PERIOD_US)} {CPU_PERIOD_US}")

    @property
    def procs_files(self) -> list[str]:
        return [str(self.path / "cgroup.procs")]

    def set_memory_limit(self, memory_bytes: int) -> None:
        self._put(self.path / "memory.max", str(memory_bytes))

    def _cpu_ns(self) -> int:
        return stat_field(self._get(self.path / "cpu.stat"), "usage_usec") * 1000

    def _write_cpu_weight(self, low: bool) -> None:
        with contextlib.suppress(FileNotFoundError):  # no cpu controller delegated: equal weights
            self._put(self.path / "cpu.weight", str(_LOW_WEIGHT if low else _NORMAL_WEIGHT))

    def _memory_peak(self) -> int:
        try:
            return int(self._get(self.path / "memory.peak"))
        except FileNotFoundError:  # kernels before 5.19
            return int(self._get(self.path / "memory.current"))

    def _oom_kills(self) -> int:
        return stat_field(self._get(self.path / "memory.events"), "oom_kill")

    def _reset_peak(self) -> None:
        # memory.peak can only be reset per open file (Linux 6.12+): we report the peak since
        # the child was created, which includes its few MiB of warm-up.
        pass

    def kill(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._put(self.path / "cgroup.kill", "1")

    def is_empty(self) -> bool:
        try:
            return stat_field(self._get(self.path / "cgroup.events"), "populated") == 0
        except FileNotFoundError:
            return True

    def _remove_dirs(self) -> bool:
        return remove_dir(self.path)


class V2Manager(CgroupManager):
    # memory.peak resets only per open file and only since Linux 6.12: a fresh group per child
    # keeps the peak honest on every kernel.
    reuses_groups = False

    def __init__(self, parent: Path) -> None:
        self.parent = parent

    @classmethod
    def setup(cls, mount: Path, own: Path) -> V2Manager:
        """Take over our own cgroup as a delegated subtree, as container runtimes do.

        A v2 group may not both hold processes and hand controllers to children, so every
        process in our group moves to a `supervisor` leaf, and runs go under `execbox-<pid>-<n>`.
        """
        available = set(read_text(own / "cgroup.controllers").split())
        missing = {"memory", "pids"} - available
        if missing:
            raise SandboxUnavailable(
                [
                    f"cgroup v2 group {own} lacks the {', '.join(sorted(missing))} controller(s): "
                    "run the service with systemd Delegate=yes, or as root in a cgroup that has them"
                ]
            )
        wanted = " ".join(f"+{name}" for name in ("memory", "pids", "cpu") if name in available)
        if own != mount:
            supervisor = own / "supervisor"
            supervisor.mkdir(exist_ok=True)
            for pid in read_text(own / "cgroup.procs").split():
                with contextlib.suppress(ProcessLookupError, OSError):
                    write_text(supervisor / "cgroup.procs", pid)
        write_text(own / "cgroup.subtree_control", wanted)
        sweep_stale(own)
        runs = own / engine_group_name()
        runs.mkdir(exist_ok=True)
        write_text(runs / "cgroup.subtree_control", wanted)
        return cls(runs)

    def create(self, name: str, limits: GroupLimits) -> RunGroup:
        return V2Group(self.parent / name, limits)

    def limit_total_memory(self, memory_bytes: int) -> None:
        write_text(self.parent / "memory.max", str(memory_bytes))

    def close(self) -> None:
        remove_dir(self.parent)
