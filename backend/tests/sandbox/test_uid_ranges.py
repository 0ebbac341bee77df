"""Several engines on one host find their own slot uids: each leases the first range, from
its first_uid on, that no other engine holds and no host user owns."""

from __future__ import annotations

import pwd

import pytest

from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.errors import SandboxUnavailable
from execbox.sandbox.uid_lease import RANGES_TRIED, UidLease, lease_free_range
from tests.sandbox.conftest import SandboxHarness

UID = "import os\nprint(os.getuid())\n"


def test_a_second_engine_with_the_same_first_uid_takes_the_next_free_range(own_uids: int) -> None:
    config = SandboxConfig(live_runs=1, warm_children=1, first_uid=own_uids)
    first = SandboxHarness(config)
    try:
        second = SandboxHarness(config)
        try:
            slots = config.slots
            assert first.engine.config.first_uid == own_uids
            assert second.engine.config.first_uid == own_uids + slots
            first_uid, second_uid = (int(h.run(UID).stdout.text) for h in (first, second))
            assert own_uids <= first_uid < own_uids + slots <= second_uid < own_uids + 2 * slots
        finally:
            second.close()
    finally:
        first.close()


def test_a_range_with_a_host_users_uid_is_passed_over() -> None:
    host_uid = pwd.getpwnam("nobody").pw_uid
    lease = lease_free_range(host_uid - 1, 4)
    try:
        assert lease.uids == [host_uid + 3, host_uid + 4, host_uid + 5, host_uid + 6]
    finally:
        lease.release()


def test_when_every_range_is_taken_the_engine_says_so(own_uids: int) -> None:
    held = UidLease([own_uids + n for n in range(0, RANGES_TRIED * 2, 2)])  # one uid of each range
    held.acquire()
    try:
        with pytest.raises(SandboxUnavailable) as refused:
            lease_free_range(own_uids, 2)
    finally:
        held.release()
    assert f"uid {own_uids} is in use by another execbox engine" in str(refused.value)
    assert f"no free range of 2 slot uids between {own_uids} and {own_uids + 2 * RANGES_TRIED - 1}" in str(
        refused.value
    )
