"""What every service process a test starts shares: a sandbox uid range of its own, and an
environment free of the developer's own settings."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

from execbox.sandbox.errors import SandboxUnavailable
from execbox.sandbox.uid_lease import UidLease

# Sandbox uid ranges of every engine a test starts (its own, a server's, a worker's), above any
# host user's and leased through the engines' own uid locks, so that two test sessions on one
# host (a contributor's and a worktree's) never collide. A server holds
# SANDBOX_LIVE_RUNS=64 (api_server: a synchronous run past its live runs is refused, and tests
# send up to 50 at once) and a worker 2, each SANDBOX_WARM_CHILDREN=2: 64 + 2 x 2 templates x 2
# = 72 slots, whatever the cores. A test's own server may hold up to 242 live runs in the stride.
_FIRST_UIDS = range(100_000, 125_000, 250)
_SLOTS = 250

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


@contextlib.contextmanager
def uid_range() -> Iterator[int]:
    """A range of slot uids for an engine of the test's own, handed back afterwards."""
    first = free_uid_range()
    try:
        yield first
    finally:
        release_uid_range(first)


def clean_environment() -> dict[str, str]:
    """This process's environment without any execbox setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith(_SETTING_PREFIXES)}
