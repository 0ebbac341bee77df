"""The host's view of one sandbox child: its descriptors, its cgroup and its fate."""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass

from execbox.sandbox.cgroups import RunGroup


@dataclass
class ChildHandle:
    child_id: int
    slot: int
    group: RunGroup
    control_reader: asyncio.StreamReader
    control_writer: asyncio.StreamWriter
    stdin_fd: int  # our write end
    stdout_fd: int  # our read ends
    stderr_fd: int
    exited: asyncio.Future[int]  # wait status, reported by the template

    def close_stdin(self) -> None:
        # Closing twice could close an unrelated descriptor that reused the number.
        if self.stdin_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.stdin_fd)
            self.stdin_fd = -1

    def close_descriptors(self) -> None:
        self.close_stdin()
        self.control_writer.close()
        for fd in (self.stdout_fd, self.stderr_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.stdout_fd = self.stderr_fd = -1
