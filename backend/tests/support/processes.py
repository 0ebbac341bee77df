"""What every service process a test starts shares: a sandbox uid range of its own, and an
environment free of the developer's own settings."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator

from execbox.sandbox.errors import SandboxUnavailable
from execbox.sandbox.uid_lease import LOCK_DIR, UidLease

# Sandbox uid ranges of every engine a test starts (its own, a server's, a worker's), above any
# host user's and leased through the engines' own uid locks, so that two test sessions on one
# host (a contributor's and a worktree's) never collide. A server holds
# SANDBOX_LIVE_RUNS=64 (api_server: a synchronous run past its live runs is refused, and tests
# send up to 50 at once) and a worker 2, each SANDBOX_WARM_CHILDREN=2: 64 + 2 x 2 templates x 2
# = 72 slots, whatever the cores. A test's own server may hold up to 242 live runs in the stride.
_FIRST_UIDS = range(100_000, 125_000, 250)
_SLOTS = 250

# A range handed to a test stays claimed, for every test session on the host, until it is handed
# back: a flock on a file of its own, held from the check until the release, so that another
# session cannot take it while this one's server is still starting (and not yet holding its uids).
_CLAIM_DIR = LOCK_DIR / "test-uid-ranges"
_claimed: dict[int, int] = {}  # first uid: the claim file's descriptor
_lock = threading.Lock()

# Settings a test process must not inherit from the developer's shell (or CI's environment).
_SETTING_PREFIXES = (
    "DATABASE_",
    "POSTGRES_",
    "REDIS_",
    "RATE_LIMIT",
    "USER_RATE_LIMIT",
    "KEY_RATE_LIMIT",
    "SANDBOX_",
    "CODE_POLICY",
    "SQLITE_",
    "EXECUTION_",
    "QUEUE_",
    "WORKER_",
)


def free_uid_range() -> int:
    """The first uid of a range that no test session has claimed and no running engine holds
    (another test session may be running beside this one); hand it back with
    `release_uid_range` once its process has stopped."""
    _CLAIM_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _lock:
        for first in _FIRST_UIDS:
            if first in _claimed:
                continue
            claim = os.open(_CLAIM_DIR / f"{first}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
                lease = UidLease(list(range(first, first + _SLOTS)))
                lease.acquire()  # an engine that is not a test's may hold it
            except (BlockingIOError, SandboxUnavailable):
                os.close(claim)
                continue
            lease.release()
            _claimed[first] = claim
            return first
    raise RuntimeError("no free sandbox uid range for another test server or worker")


def release_uid_range(first: int) -> None:
    with _lock:
        claim = _claimed.pop(first, None)
    if claim is not None:
        os.close(claim)


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
