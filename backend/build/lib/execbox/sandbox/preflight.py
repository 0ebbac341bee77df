"""Can this host sandbox code? Every missing piece is named with the way to fix it.

The engine refuses to start on any problem found here: it never runs code unsandboxed.
"""

from __future__ import annotations

import ctypes.util
import os
from pathlib import Path

from execbox.sandbox.guest import linux

_NAMESPACES = ("mnt", "net", "ipc", "uts", "cgroup")


def _user_namespaces_work() -> bool:
    """Try it: the sysctls that forbid it differ between distributions."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            linux.unshare(linux.CLONE_NEWUSER)
        except OSError:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def problems() -> list[str]:
    found: list[str] = []
    if os.geteuid() != 0 and not _user_namespaces_work():
        found.append(
            "the service is not running as root and this kernel does not let it create user "
            "namespaces: run it as root, or allow unprivileged user namespaces "
            "(sysctl kernel.unprivileged_userns_clone=1 on Debian kernels, "
            "kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu)"
        )
    for name in _NAMESPACES:
        if not Path(f"/proc/self/ns/{name}").exists():
            found.append(f"the kernel lacks {name} namespaces (CONFIG_{name.upper()}_NS)")
    if "Seccomp:" not in Path("/proc/self/status").read_text():
        found.append("the kernel lacks seccomp filtering (CONFIG_SECCOMP_FILTER)")
    if ctypes.util.find_library("seccomp") is None:
        found.append("libseccomp is not installed: apt-get install libseccomp2")
    return found
