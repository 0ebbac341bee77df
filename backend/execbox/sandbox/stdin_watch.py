"""Whether a program is blocked reading its stdin, seen from the host in /proc/<pid>/syscall.

This is how a live run can say "waiting for input" (and a timeout, that the program was waiting
for input when it ran out of time) whatever the program reads with (`input()`, `sys.stdin`,
`os.read(0, ...)`) and without any word from inside the sandbox, which could lie.

The kernel shows that file to a process that may ptrace the program: root needs CAP_SYS_PTRACE,
which the worker's container does not grant, or the program's own uid and gid as its file-system
ids, which CAP_SETUID/CAP_SETGID allow. So root looks as the slot's uid, for that one read.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import platform
from collections.abc import Iterator

_READ_SYSCALL = {"x86_64": b"0", "aarch64": b"63"}.get(platform.machine())
_STDIN = b"0x0"
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def program_pid(spawned_pid: int, rootless: bool) -> int | None:
    """The program's pid: the spawned child itself; in rootless mode, where the spawned child
    stays behind as the relay of the program's PID namespace, its one child (None if gone)."""
    if not rootless:
        return spawned_pid
    try:
        with open(f"/proc/{spawned_pid}/task/{spawned_pid}/children", "rb") as children:
            pids = children.read().split()
    except OSError:
        return None
    return int(pids[0]) if pids else None


def is_reading_stdin(pid: int, look_as_uid: int | None) -> bool:
    """Whether `pid` is in a read(2) of its descriptor 0 now. `look_as_uid`: the program's uid
    (and gid), taken as our file-system ids for the look; None: the program has our uid."""
    if _READ_SYSCALL is None:
        return False
    try:
        with _file_system_ids(look_as_uid), open(f"/proc/{pid}/syscall", "rb") as syscall:
            fields = syscall.read().split()
    except OSError:
        return False  # gone, or not ours to see: nothing is said rather than a guess
    return fields[:2] == [_READ_SYSCALL, _STDIN]


@contextlib.contextmanager
def _file_system_ids(uid: int | None) -> Iterator[None]:
    if uid is None:
        yield
        return
    # Per thread, and only for file access; set back whatever happens.
    previous_gid = _libc.setfsgid(uid)
    previous_uid = _libc.setfsuid(uid)
    try:
        yield
    finally:
        _libc.setfsuid(previous_uid)
        _libc.setfsgid(previous_gid)
