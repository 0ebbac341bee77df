"""Can this host sandbox code? Every missing piece is named with the way to fix it.

The engine refuses to start on any problem found here: it never runs code unsandboxed.
"""

from __future__ import annotations

import ctypes.util
import os
from pathlib import Path

_NAMESPACES = ("mnt", "net", "ipc", "uts", "cgroup")


def problems() -> list[str]:
    found: list[str] = []
    if os.geteuid() != 0:
        found.append(
            "the service is not running as root, which the sandbox needs to create namespaces, "
            "cgroups and per-slot users; run it as root (inside a container: see the README "
            "for the narrow set of privileges it needs)"
        )
    for name in _NAMESPACES:
        if not Path(f"/proc/self/ns/{name}").exists():
            found.append(f"the kernel lacks {name} namespaces (CONFIG_{name.upper()}_NS)")
    if "Seccomp:" not in Path("/proc/self/status").read_text():
        found.append("the kernel lacks seccomp filtering (CONFIG_SECCOMP_FILTER)")
    if ctypes.util.find_library("seccomp") is None:
        found.append("libseccomp is not installed: apt-get install libseccomp2")
    return found
