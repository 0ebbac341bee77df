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


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return ""
