"""Exclusive use of the slots' uids by one engine on this host.

Without a PID namespace, what keeps a sandbox from signalling another process is that the
process belongs to a different uid. So a slot uid must belong to nobody else: not to a user of
the host, not to another engine's slot.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
from pathlib import Path

from execbox.sandbox.errors import SandboxUnavailable

LOCK_DIR = Path("/run/execbox")


class UidLease:
    def __init__(self, uids: list[int]) -> None:
        self.uids = uids
        self._locks: list[int] = []

    def acquire(self) -> None:
        problems = [f"uid {uid} belongs to the host user {_owner(uid)!r}" for uid in self.uids if _owner(uid)]
        if problems:
            raise SandboxUnavailable([*problems, "choose a first_uid whose range no host user has"])
        LOCK_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        for uid in self.uids:
            fd = os.open(LOCK_DIR / f"uid-{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                self.release()
                raise SandboxUnavailable(
                    [
                        f"uid {uid} is in use by another execbox engine on this host: give each engine "
                        "its own range of slot uids (SandboxConfig.first_uid)"
                    ]
                ) from None
            self._locks.append(fd)

    def release(self) -> None:
        for fd in self._locks:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._locks = []


# How many ranges, one after the other, an engine tries before it gives up.
RANGES_TRIED = 64


def lease_free_range(first_uid: int, count: int) -> UidLease:
    """A lease on the first range of `count` uids, from `first_uid` on in steps of `count`, that
    no host user owns and no other engine of this host holds: several engines on one host (two
    workers, a worker and a server) each find their own without being told."""
    first_problems: list[str] = []
    for attempt in range(RANGES_TRIED):
        start = first_uid + attempt * count
        lease = UidLease(list(range(start, start + count)))
        try:
            lease.acquire()
        except SandboxUnavailable as error:
            first_problems = first_problems or error.problems
            continue
        return lease
    last = first_uid + RANGES_TRIED * count - 1
    raise SandboxUnavailable(
        [*first_problems, f"no free range of {count} slot uids between {first_uid} and {last}"]
    )


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return ""
