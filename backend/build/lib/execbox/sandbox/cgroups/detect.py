"""Pick the cgroup layout of this host and create this engine's parent groups in it."""

from __future__ import annotations

import os

from execbox.sandbox.cgroups.base import CgroupManager
from execbox.sandbox.cgroups.mounts import cgroup_mounts, own_groups, path_inside
from execbox.sandbox.cgroups.v1 import setup_v1
from execbox.sandbox.cgroups.v2 import V2Manager
from execbox.sandbox.errors import SandboxUnavailable


def detect() -> CgroupManager:
    """Find the cgroup layout of this host and create this engine's parent groups in it."""
    mounts = cgroup_mounts()
    own = own_groups()
    v1 = {c: m for m in mounts if m.fstype == "cgroup" for c in m.controllers}
    v2 = next((m for m in mounts if m.fstype == "cgroup2"), None)
    try:
        if "memory" in v1 and "pids" in v1:
            return setup_v1(v1, v2, own)
        if v2 is not None and os.path.exists(v2.mountpoint / "cgroup.controllers"):
            return V2Manager.setup(v2.mountpoint, path_inside(v2, own.get("", "/")))
    except PermissionError as error:
        raise SandboxUnavailable(
            [f"cannot create cgroups ({error}): run as root or give the service a delegated cgroup"]
        ) from error
    raise SandboxUnavailable(
        ["no usable cgroup hierarchy with memory and pids controllers is mounted under /sys/fs/cgroup"]
    )
