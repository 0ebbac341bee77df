"""What a sandbox sees: its mounts, environment and rlimits, computed on the host.

The root is an empty tmpfs that gets, read-only, the system's libraries and the runtime
interpreter with its packages; a /dev with five harmless devices; a /proc that shows a process
only its own uid's processes. Every child adds a private size-capped /tmp. Nothing else of the
host exists in it: not the server's code or virtualenv, not /etc, /home, /root, /var or /run.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass

from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.guest.protocol import RUNTIME_ALIAS_DIR, Mount, SandboxPlan

_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_HOST_FILES = ("/etc/ld.so.cache", "/etc/localtime")
_DEVICES = "null,zero,full,random,urandom"
SANDBOX_USER = "sandbox"


@dataclass(frozen=True, slots=True)
class RuntimePaths:
    prefix: str
    base_prefix: str


def _mount(kind: str, target: str, source: str = "", options: str = "") -> Mount:
    return {"kind": kind, "target": target, "source": source, "options": options}  # type: ignore[typeddict-item]


def _under_tmp(runtime: RuntimePaths) -> list[str]:
    return [p for p in dict.fromkeys((runtime.base_prefix, runtime.prefix)) if p.startswith("/tmp/")]


def _under_system_dir(path: str) -> bool:
    return any(path == d or path.startswith(d + "/") for d in _SYSTEM_DIRS)


def plan(config: SandboxConfig, runtime: RuntimePaths, root_dir: str, uids: list[int]) -> SandboxPlan:
    return {
        "rootless": config.rootless,
        "root_dir": root_dir,
        "mounts": mounts(config, runtime, uids),
        "hostname": config.hostname,
        "tmp_options": f"size={config.tmp_size_mb}m,nr_inodes=8192,mode=1777",
        "tmp_binds": _under_tmp(runtime),
        "environment": environment(config),
        "rlimits": rlimits(config),
    }


def mounts(config: SandboxConfig, runtime: RuntimePaths, uids: list[int]) -> list[Mount]:
    plan: list[Mount] = []
    for directory in _SYSTEM_DIRS:
        if os.path.islink(directory):
            plan.append(_mount("symlink", directory, os.readlink(directory)))
        elif os.path.isdir(directory):
            plan.append(_mount("bind", directory, directory))
    for path in _HOST_FILES:
        if os.path.islink(path):
            plan.append(_mount("symlink", path, os.readlink(path)))
        elif os.path.isfile(path):
            plan.append(_mount("bind", path, path))
    users = "".join(f"{SANDBOX_USER}:x:{uid}:{uid}::/tmp:/usr/sbin/nologin\n" for uid in uids)
    groups = "".join(f"{SANDBOX_USER}:x:{uid}:\n" for uid in uids)
    plan += [
        _mount("file", "/etc/passwd", "root:x:0:0::/:/usr/sbin/nologin\n" + users),
        _mount("file", "/etc/group", "root:x:0:\n" + groups),
        _mount("file", "/etc/hostname", f"{config.hostname}\n"),
        _mount("file", "/etc/hosts", f"127.0.0.1 localhost {config.hostname}\n::1 localhost\n"),
    ]
    for path in dict.fromkeys((runtime.base_prefix, runtime.prefix)):
        if not _under_system_dir(path):
            plan.append(_mount("bind", path, path))
    for index, path in enumerate(_under_tmp(runtime)):
        plan.append(_mount("bind", f"{RUNTIME_ALIAS_DIR}/{index}", path))
    plan += [
        _mount("dir", "/tmp"),  # each child mounts its own tmpfs here
        _mount("dev", "/dev", options=_DEVICES),
        # Rootless children mount a /proc of their own PID namespace, which the kernel allows
        # only where a full /proc is already visible: the host's, covered before user code runs.
        _mount("host-proc", "/proc")
        if config.rootless
        else _mount("proc", "/proc", options="hidepid=2,subset=pid"),
    ]
    return plan


def matplotlib_config_dir(config: SandboxConfig) -> str:
    """Matplotlib's config and font cache, built by `make setup` (or else by the template's first
    start): read-only in a run, which would otherwise build a font cache of its own each time."""
    return str(config.runtime.absolute() / "mplconfig")


def environment(config: SandboxConfig) -> dict[str, str]:
    """The whole environment user code gets: nothing is inherited from the service."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "USER": SANDBOX_USER,
        "LANG": "C.UTF-8",
        "HOSTNAME": config.hostname,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",  # no display here: figures become results, not windows
        "MPLCONFIGDIR": matplotlib_config_dir(config),
    }


def rlimits(config: SandboxConfig) -> dict[str, list[int]]:
    """A second line behind the cgroup (CPU time and address space are set per run)."""
    mib = 1024 * 1024
    limits = {
        "RLIMIT_NOFILE": config.max_open_files,
        "RLIMIT_FSIZE": config.max_file_size_mb * mib,
        "RLIMIT_CORE": 0,
        "RLIMIT_STACK": config.stack_mb * mib,
        "RLIMIT_NPROC": config.max_processes,
        "RLIMIT_MEMLOCK": 0,
        "RLIMIT_MSGQUEUE": 0,
    }
    if config.rootless:
        # Counted per uid: rootless runs share the service's, so only the pids cgroup can.
        del limits["RLIMIT_NPROC"]
    return {name: [value, value] for name, value in limits.items() if hasattr(resource, name)}
