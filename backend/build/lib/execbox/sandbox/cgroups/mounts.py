"""Where the cgroup hierarchies are mounted, and where this process sits in them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from execbox.sandbox.cgroups.base import read_text


@dataclass(frozen=True, slots=True)
class CgroupMount:
    fstype: str
    root: str
    mountpoint: Path
    controllers: frozenset[str]


def cgroup_mounts() -> list[CgroupMount]:
    found = []
    for line in read_text(Path("/proc/self/mountinfo")).splitlines():
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if tail and tail[0] in ("cgroup", "cgroup2"):
            options = set(tail[2].split(",")) if len(tail) > 2 else set()
            found.append(CgroupMount(tail[0], fields[3], Path(fields[4]), frozenset(options)))
    return found


def own_groups() -> dict[str, str]:
    """Controller name (or "" for v2) -> this process's group path."""
    groups: dict[str, str] = {}
    for line in read_text(Path("/proc/self/cgroup")).splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            groups[controller] = path
    return groups


def path_inside(mount: CgroupMount, group: str) -> Path:
    relative = os.path.relpath(group, mount.root) if group.startswith(mount.root) else group
    return (mount.mountpoint / relative.lstrip("/")).resolve() if relative != "." else mount.mountpoint
