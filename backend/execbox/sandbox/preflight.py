"""Can this host sandbox code? Every missing piece is named with the way to fix it.

The engine refuses to start on any problem found here: it never runs code unsandboxed.
"""

from __future__ import annotations

import ctypes.util
import os
import resource
from pathlib import Path

from execbox.sandbox.guest import linux

_NAMESPACES = ("mnt", "net", "ipc", "uts", "cgroup")
# What the engine holds open per slot (its uid's lock, the child's five pipes, its cgroup's
# files), and for everything else the process does.
_DESCRIPTORS_PER_SLOT = 24
_DESCRIPTORS_BESIDE = 1024


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


def _descriptors_for(slots: int) -> list[str]:
    """Raise this process's soft open-files limit as far as `slots` children need (a service
    often starts with 1024, and the hard limit is its to take)."""
    needed = slots * _DESCRIPTORS_PER_SLOT + _DESCRIPTORS_BESIDE
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return []
    if hard != resource.RLIM_INFINITY and hard < needed:
        return [
            f"{slots} sandbox slots need {needed} open files and the hard limit is {hard}: raise it "
            "(ulimit -Hn, LimitNOFILE= in systemd, --ulimit nofile= in Docker) or lower SANDBOX_LIVE_RUNS"
        ]
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return []


def problems(slots: int) -> list[str]:
    """What stops this host from running `slots` sandbox children at once."""
    found = _descriptors_for(slots)
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
