"""The host's view of one sandbox child: its descriptors, its cgroup and its fate."""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass

from execbox.sandbox import stdin_watch
from execbox.sandbox.cgroups import RunGroup
from execbox.sandbox.report_channel import ReportChannel
from execbox.sandbox.slots import Slot
from execbox.sandbox.template_process import ChildFate


@dataclass
class ChildHandle:
    child_id: int
    slot: Slot  # its uid and cgroup, the child's until it and all it started are gone
    request_fd: int  # our write end of the child's request pipe
    reports: ReportChannel
    stdin_fd: int  # our write end
    stdout_fd: int  # our read ends
    stderr_fd: int
    fate: ChildFate
    rootless: bool  # the program is then the spawned child's child, with the service's uid

    @property
    def group(self) -> RunGroup:
        return self.slot.group

    @property
    def exited(self) -> asyncio.Future[int]:
        """Its wait status, from the template."""
        return self.fate.exited

    @property
    def stopped(self) -> asyncio.Future[int]:
        """The signal that stopped it, from the template: a finished program stops itself."""
        return self.fate.stopped

    def is_stopped(self) -> bool:
        """Whether the kernel shows the child stopped now: read from /proc, which answers at
        once, while the template's word may wait behind a fork it is busy with."""
        pid = self._spawned_pid()
        if pid is None:
            return False
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
        except OSError:
            return False
        return fields[:1] == [b"T"]

    def is_reading_stdin(self) -> bool:
        """Whether the program is blocked reading its stdin now (see `stdin_watch`)."""
        spawned = self._spawned_pid()
        pid = None if spawned is None else stdin_watch.program_pid(spawned, self.rootless)
        if pid is None:
            return False
        return stdin_watch.is_reading_stdin(pid, None if self.rootless else self.slot.uid)

    def _spawned_pid(self) -> int | None:
        if not self.fate.spawned.done() or self.fate.spawned.exception() is not None:
            return None
        return self.fate.spawned.result()

    def close_stdin(self) -> None:
        self.stdin_fd = _close(self.stdin_fd)

    def close_descriptors(self) -> None:
        self.close_stdin()
        # A child still waiting for its request sees end-of-file and leaves by itself.
        self.request_fd = _close(self.request_fd)
        self.reports.close()
        self.stdout_fd = _close(self.stdout_fd)
        self.stderr_fd = _close(self.stderr_fd)


def _close(fd: int) -> int:
    # Closing twice could close an unrelated descriptor that reused the number.
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)
    return -1
