"""What every cgroup layout offers a run: limits, accounting, killing; and shared file helpers."""

from __future__ import annotations

import errno
import itertools
import os
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

CPU_PERIOD_US = 100_000


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


def read_text(path: Path) -> str:
    return path.read_text()


def write_text(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


def stat_field(text: str, key: str) -> int:
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return 0


def remove_dir(path: Path) -> bool:
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


def engine_group_name() -> str:
    """Unique per engine, also when one process starts several engines one after another."""
    return f"execbox-{os.getpid()}-{next(_engine_numbers)}"


_engine_numbers = itertools.count(1)


def sweep_stale(directory: Path) -> None:
    """Remove the empty groups engines that died without closing left behind."""
    for stale in directory.glob("execbox-*"):
        pid = stale.name.split("-")[1]
        if not pid.isdigit() or Path(f"/proc/{pid}").exists():
            continue
        for group in stale.iterdir():
            if group.is_dir():
                remove_dir(group)
        remove_dir(stale)


class RunGroup(ABC):
    """One run's cgroup (in every hierarchy that matters)."""

    def __init__(self, limits: GroupLimits) -> None:
        self.memory_limit = limits.memory_bytes
        self._cpu_baseline = 0
        self._oom_baseline = 0
        self.cpu_demoted = False  # at the low CPU weight (see sandbox/cpu_demotion.py)
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
    def _write_cpu_weight(self, low: bool) -> None:
        """The group's CPU weight among the runs: normal, or low (served when others are not)."""

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
            return [int(pid) for pid in read_text(Path(self.procs_files[0])).split()]
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

    def cpu_used_ns(self) -> int:
        """CPU time used since `start_measuring`."""
        return max(0, self._cpu_ns() - self._cpu_baseline)

    def demote_cpu(self, low: bool) -> None:
        if low != self.cpu_demoted:
            self._write_cpu_weight(low)
            self.cpu_demoted = low

    def usage(self) -> Usage:
        return Usage(
            cpu_ns=self.cpu_used_ns(),
            memory_peak_bytes=self._memory_peak(),
            oom_kills=self._oom_kills() - self._oom_baseline,
        )


class CgroupManager(ABC):
    # Whether one group can serve a slot's successive children (its counters can be reset).
    reuses_groups: bool

    @abstractmethod
    def create(self, name: str, limits: GroupLimits) -> RunGroup: ...

    @abstractmethod
    def limit_total_memory(self, memory_bytes: int) -> None:
        """The memory limit of the parent of every run group: all runs together."""

    @abstractmethod
    def close(self) -> None:
        """Remove this engine's parent groups (after every run group is gone)."""
