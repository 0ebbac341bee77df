"""What every service process a test starts shares: a sandbox uid range of its own, and an
environment free of the developer's own settings."""

from __future__ import annotations

import os
import threading

from execbox.sandbox.errors import SandboxUnavailable
from execbox.sandbox.uid_lease import UidLease

# Sandbox uid ranges of servers and workers started by tests: clear of the engine tests' ranges
# (62000.., 63000.., 64000.., 64500.., 64600.., 64800..). Each process holds SANDBOX_LIVE_RUNS=2
# and SANDBOX_WARM_CHILDREN=2 (api_server, worker_process): 2 + 2 x 2 templates x 2 = 10 slots,
# whatever the cores, inside the stride.
_FIRST_UIDS = range(64100, 64490, 20)
_SLOTS = 10

_claimed: set[int] = set()
_lock = threading.Lock()

# Settings a test process must not inherit from the developer's shell (or CI's environment).
_SETTING_PREFIXES = (
    "DATABASE_",
    "POSTGRES_",
    "REDIS_",
    "RATE_LIMIT",
    "SANDBOX_",
    "CODE_POLICY",
    "SQLITE_",
    "EXECUTION_",
    "QUEUE_",
    "WORKER_",
)


def free_uid_range() -> int:
    """The first uid of a range no running engine holds (another test session may be running
    beside this one); hand it back with `release_uid_range` once its process has stopped."""
    with _lock:
        for first in _FIRST_UIDS:
            if first in _claimed:
                continue
            lease = UidLease(list(range(first, first + _SLOTS)))
            try:
                lease.acquire()
            except SandboxUnavailable:
                continue
            lease.release()
            _claimed.add(first)
            return first
    raise RuntimeError("no free sandbox uid range for another test server or worker")


def release_uid_range(first: int) -> None:
    with _lock:
        _claimed.discard(first)


def clean_environment() -> dict[str, str]:
    """This process's environment without any execbox setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith(_SETTING_PREFIXES)}
