"""Per-run control groups: memory, process and CPU limits, accounting, and killing a run.

Two layouts are supported and detected at start-up:
- cgroup v2 (the unified hierarchy with the memory and pids controllers; most current hosts);
- cgroup v1 (memory, pids, cpuacct and cpu hierarchies), plus the v2 mount of hybrid hosts when
  present, whose `cgroup.kill` and `cgroup.events` then serve for killing and emptiness.
Each run gets a fresh group under a parent that belongs to this engine.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import signal
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from execbox.sandbox.errors import SandboxUnavailable

_CPU_PERIOD_US = 100_000


@dataclass(frozen=True, slots=True)
class GroupLimits:
    memory_bytes: int
    max_processes: int
    cpu_cores: float


@dataclass(frozen=True, slots=True)
class Usage:
    cpu_ns: int
    memory_peak_bytes: int
    oom_kills: int


def _read(path: Path) -> str:
    return path.read_text()


def _write(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


def _stat_field(text: str, key: str) -> int:
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return 0


def _remove_dir(path: Path) -> bool:
    # A v1 memory group can stay busy for a moment after its last process is reaped.
    for attempt in range(10):
        try:
            path.rmdir()
        except FileNotFoundError:
            return True
        except OSError as error:
            if error.errno != errno.EBUSY:
                raise
            time.sleep(0.001 * attempt)
        else:
            return True
    return False


def _engine_group_name() -> str:
    """Unique per engine, also when one process starts several engines one after another."""
    return f"execbox-{os.getpid()}-{next(_engine_numbers)}"


_engine_numbers = itertools.count(1)


def _sweep_stale(directory: Path) -> None:
    """Remove the empty groups engines that died without closing left behind."""
    for stale in directory.glob("execbox-*"):
        pid = stale.name.split("-")[1]
        if not pid.isdigit() or Path(f"/proc/{pid}").exists():
            continue
        for group in stale.iterdir():
            if group.is_dir():
                _remove_dir(group)
        _remove_dir(stale)


class RunGroup(ABC):
    """One run's cgroup (in every hierarchy that matters)."""

    def __init__(self, limits: GroupLimits) -> None:
        self.memory_limit = limits.memory_bytes
        self._cpu_baseline = 0
        self._oom_baseline = 0
        self._procs_fds: list[int] = []
        self._open_files: dict[Path, int] = {}

    # A run reads and writes these files about ten times; descriptors kept open make each
    # access one syscall instead of three.
    def _descriptor(self, path: Path) -> int:
        fd = self._open_files.get(path)
        if fd is None:
            for mode in (os.O_RDWR, os.O_RDONLY, os.O_WRONLY):
                try:
                    fd = os.open(path, mode | os.O_CLOEXEC)
                    break
                except PermissionError:
                    continue
            else:
                raise PermissionError(f"cannot open {path}")
            self._open_files[path] = fd
        return fd

    def _get(self, path: Path) -> str:
        return os.pread(self._descriptor(path), 4096, 0).decode()

    def _put(self, path: Path, value: str) -> None:
        os.pwrite(self._descriptor(path), value.encode(), 0)

    def _close_files(self) -> None:
        for fd in self._open_files.values():
            os.close(fd)
        self._open_files.clear()

    @property
    @abstractmethod
    def procs_files(self) -> list[str]:
        """The files a child writes "0" to in order to join this group."""

    @abstractmethod
    def set_memory_limit(self, memory_bytes: int) -> None: ...

    @abstractmethod
    def _cpu_ns(self) -> int: ...

    @abstractmethod
    def _memory_peak(self) -> int: ...

    @abstractmethod
    def _oom_kills(self) -> int: ...

    @abstractmethod
    def _reset_peak(self) -> None: ...

    @abstractmethod
    def kill(self) -> None:
        """SIGKILL every process in the group."""

    @abstractmethod
    def is_empty(self) -> bool: ...

    @abstractmethod
    def _remove_dirs(self) -> bool: ...

    def pids(self) -> list[int]:
        """The processes in the group now (read afresh: v1 caches the list per open file)."""
        try:
            return [int(pid) for pid in _read(Path(self.procs_files[0])).split()]
        except FileNotFoundError:
            return []

    def procs_descriptors(self) -> list[int]:
        """Open cgroup.procs files, handed to each child so it can join without seeing /sys."""
        if not self._procs_fds:
            self._procs_fds = [os.open(path, os.O_WRONLY | os.O_CLOEXEC) for path in self.procs_files]
        return self._procs_fds

    def remove(self) -> bool:
        """Delete the group; False while processes remain."""
        for fd in self._procs_fds:
            os.close(fd)
        self._procs_fds = []
        self._close_files()
        return self._remove_dirs()

    def limit_memory(self, memory_bytes: int) -> None:
        if memory_bytes != self.memory_limit:
            self.set_memory_limit(memory_bytes)
            self.memory_limit = memory_bytes

    def start_measuring(self) -> None:
        """Account from here on: the child's set-up and warm-up are not the run's."""
        self._reset_peak()
        self._cpu_baseline = self._cpu_ns()
        self._oom_baseline = self._oom_kills()

    def usage(self) -> Usage:
        return Usage(
            cpu_ns=max(0, self._cpu_ns() - self._cpu_baseline),
            memory_peak_bytes=self._memory_peak(),
            oom_kills=self._oom_kills() - self._oom_baseline,
        )


class CgroupManager(ABC):
    # Whether one group can serve a slot's successive children (its counters can be reset).
    reuses_groups: bool

    @abstractmethod
    def create(self, name: str, limits: GroupLimits) -> RunGroup: ...

    @abstractmethod
    def close(self) -> None:
        """Remove this engine's parent groups (after every run group is gone)."""


# --- cgroup v2 ---------------------------------------------------------------------------


class _V2Group(RunGroup):
    def __init__(self, path: Path, limits: GroupLimits) -> None:
        super().__init__(limits)
        self.path = path
        path.mkdir(exist_ok=True)
        self.set_memory_limit(limits.memory_bytes)
        with contextlib.suppress(FileNotFoundError):
            _write(path / "memory.swap.max", "0")
        _write(path / "pids.max", str(limits.max_processes))
        if (path / "cpu.max").exists():
            _write(path / "cpu.max", f"{int(limits.cpu_cores * _CPU_PERIOD_US)} {_CPU_PERIOD_US}")

    @property
    def procs_files(self) -> list[str]:
        return [str(self.path / "cgroup.procs")]

    def set_memory_limit(self, memory_bytes: int) -> None:
        self._put(self.path / "memory.max", str(memory_bytes))

    def _cpu_ns(self) -> int:
        return _stat_field(self._get(self.path / "cpu.stat"), "usage_usec") * 1000

    def _memory_peak(self) -> int:
        try:
            return int(self._get(self.path / "memory.peak"))
        except FileNotFoundError:  # kernels before 5.19
            return int(self._get(self.path / "memory.current"))

    def _oom_kills(self) -> int:
        return _stat_field(self._get(self.path / "memory.events"), "oom_kill")

    def _reset_peak(self) -> None:
        # memory.peak can only be reset per open file (Linux 6.12+): we report the peak since
        # the child was created, which includes its few MiB of warm-up.
        pass

    def kill(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._put(self.path / "cgroup.kill", "1")

    def is_empty(self) -> bool:
        try:
            return _stat_field(self._get(self.path / "cgroup.events"), "populated") == 0
        except FileNotFoundError:
            return True

    def _remove_dirs(self) -> bool:
        return _remove_dir(self.path)


class _V2Manager(CgroupManager):
    # memory.peak resets only per open file and only since Linux 6.12: a fresh group per child
    # keeps the peak honest on every kernel.
    reuses_groups = False

    def __init__(self, parent: Path) -> None:
        self.parent = parent

    @classmethod
    def setup(cls, mount: Path, own: Path) -> _V2Manager:
        """Take over our own cgroup as a delegated subtree, as container runtimes do.

        A v2 group may not both hold processes and hand controllers to children, so every
        process in our group moves to a `supervisor` leaf, and runs go under `execbox-<pid>-<n>`.
        """
        available = set(_read(own / "cgroup.controllers").split())
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
            for pid in _read(own / "cgroup.procs").split():
                with contextlib.suppress(ProcessLookupError, OSError):
                    _write(supervisor / "cgroup.procs", pid)
        _write(own / "cgroup.subtree_control", wanted)
        _sweep_stale(own)
        runs = own / _engine_group_name()
        runs.mkdir(exist_ok=True)
        _write(runs / "cgroup.subtree_control", wanted)
        return cls(runs)

    def create(self, name: str, limits: GroupLimits) -> RunGroup:
        return _V2Group(self.parent / name, limits)

    def close(self) -> None:
        _remove_dir(self.parent)


# --- cgroup v1 (and hybrid) -----------------------------------------------------------------


class _V1Group(RunGroup):
    def __init__(self, dirs: dict[str, Path], unified: Path | None, limits: GroupLimits) -> None:
        super().__init__(limits)
        self.dirs = dirs
        self.unified = unified
        for path in self._all_dirs():
            path.mkdir()
        self.set_memory_limit(limits.memory_bytes)
        _write(dirs["pids"] / "pids.max", str(limits.max_processes))
        if "cpu" in dirs:
            _write(dirs["cpu"] / "cpu.cfs_period_us", str(_CPU_PERIOD_US))
            _write(dirs["cpu"] / "cpu.cfs_quota_us", str(int(limits.cpu_cores * _CPU_PERIOD_US)))

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

    def _memory_peak(self) -> int:
        return int(self._get(self.dirs["memory"] / "memory.max_usage_in_bytes"))

    def _oom_kills(self) -> int:
        return _stat_field(self._get(self.dirs["memory"] / "memory.oom_control"), "oom_kill")

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
            return int(_read(self.dirs["pids"] / "pids.current")) == 0
        except FileNotFoundError:
            return True

    def _remove_dirs(self) -> bool:
        return all([_remove_dir(path) for path in self._all_dirs()])


class _V1Manager(CgroupManager):
    reuses_groups = True

    def __init__(self, parents: dict[str, Path], unified: Path | None) -> None:
        self.parents = parents
        self.unified = unified

    def create(self, name: str, limits: GroupLimits) -> RunGroup:
        dirs = {controller: parent / name for controller, parent in self.parents.items()}
        unified = self.unified / name if self.unified else None
        return _V1Group(dirs, unified, limits)

    def close(self) -> None:
        for path in {*self.parents.values(), *([self.unified] if self.unified else [])}:
            _remove_dir(path)


# --- detection ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CgroupMount:
    fstype: str
    root: str
    mountpoint: Path
    controllers: frozenset[str]


def _mounts() -> list[_CgroupMount]:
    found = []
    for line in _read(Path("/proc/self/mountinfo")).splitlines():
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if tail and tail[0] in ("cgroup", "cgroup2"):
            options = set(tail[2].split(",")) if len(tail) > 2 else set()
            found.append(_CgroupMount(tail[0], fields[3], Path(fields[4]), frozenset(options)))
    return found


def _own_groups() -> dict[str, str]:
    """Controller name (or "" for v2) -> this process's group path."""
    groups: dict[str, str] = {}
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            groups[controller] = path
    return groups


def _inside(mount: _CgroupMount, group: str) -> Path:
    relative = os.path.relpath(group, mount.root) if group.startswith(mount.root) else group
    return (mount.mountpoint / relative.lstrip("/")).resolve() if relative != "." else mount.mountpoint


def detect() -> CgroupManager:
    """Find the cgroup layout of this host and create this engine's parent groups in it."""
    mounts = _mounts()
    own = _own_groups()
    v1 = {c: m for m in mounts if m.fstype == "cgroup" for c in m.controllers}
    v2 = next((m for m in mounts if m.fstype == "cgroup2"), None)
    try:
        if "memory" in v1 and "pids" in v1:
            return _v1(v1, v2, own)
        if v2 is not None and os.path.exists(v2.mountpoint / "cgroup.controllers"):
            return _V2Manager.setup(v2.mountpoint, _inside(v2, own.get("", "/")))
    except PermissionError as error:
        raise SandboxUnavailable(
            [f"cannot create cgroups ({error}): run as root or give the service a delegated cgroup"]
        ) from error
    raise SandboxUnavailable(
        ["no usable cgroup hierarchy with memory and pids controllers is mounted under /sys/fs/cgroup"]
    )


def _v1(v1: dict[str, _CgroupMount], v2: _CgroupMount | None, own: dict[str, str]) -> CgroupManager:
    name = _engine_group_name()
    parents: dict[str, Path] = {}
    for controller in ("memory", "pids", "cpuacct", "cpu"):
        if controller in v1:
            parents[controller] = _inside(v1[controller], own.get(controller, "/")) / name
    if "cpuacct" not in parents:
        raise SandboxUnavailable(["the cgroup v1 cpuacct controller is not mounted"])
    for path in parents.values():
        _sweep_stale(path.parent)
        path.mkdir(exist_ok=True)
    unified = None
    if v2 is not None:
        # On hybrid hosts the v2 mount has no controllers, but `cgroup.kill` still kills a
        # whole group at once, and `cgroup.events` tells when it is empty.
        unified = _inside(v2, own.get("", "/")) / name
        _sweep_stale(unified.parent)
        unified.mkdir(exist_ok=True)
        if not (unified / "cgroup.kill").exists():
            _remove_dir(unified)
            unified = None
    memory_parent = parents["memory"]
    with contextlib.suppress(OSError):
        _write(memory_parent / "memory.use_hierarchy", "1")
    return _V1Manager(parents, unified)
