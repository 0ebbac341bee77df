"""What a sandbox sees: its mounts, environment and rlimits, computed on the host.

The root is an empty tmpfs that gets, read-only, the system's libraries; the runtime's
interpreter at `/opt/python` and its virtualenv at `/opt/runtime`, wherever they are on the
host; the sandbox's own code at `/opt/execbox`; a /dev with five harmless devices; a /proc that
shows a process only its own uid's processes. Every child adds a private size-capped /tmp.
Nothing else of the host exists in it: not the server's code or virtualenv, not /etc, /home,
/root, /var or /run. The templates start inside it, so no module, path or traceback of theirs
names a host directory; and host directories appear as overlays ("layer"), host files as
copies, so that the mount tables do not name them either.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
from dataclasses import dataclass
from pathlib import Path

from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.errors import SandboxUnavailable
from execbox.sandbox.guest.protocol import Mount, SandboxPlan

GUEST_PYTHON = "/opt/python"  # the interpreter's installation (sys.base_prefix)
GUEST_RUNTIME = "/opt/runtime"  # the runtime's virtualenv (sys.prefix)
GUEST_PACKAGE_DIR = "/opt/execbox"  # holds execbox.sandbox.guest and what it imports, no more
_SANDBOX_PACKAGE = Path(__file__).resolve().parent
# What the guest imports of execbox: its own package and the result types it reports in.
_GUEST_CODE = ("guest", "result.py", "errors.py")
_PACKAGE_MARKER = '"""execbox: only its sandbox guest code is here."""\n'
_ASK_RUNTIME = (
    "import json, os, sys; print(json.dumps({'prefix': sys.prefix, 'base_prefix': sys.base_prefix, "
    "'executable': os.path.realpath(sys.executable)}))"
)

_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_HOST_FILES = ("/etc/ld.so.cache", "/etc/localtime")
_DEVICES = "null,zero,full,random,urandom"
SANDBOX_USER = "sandbox"


@dataclass(frozen=True, slots=True)
class RuntimePaths:
    """Where the runtime lives on the host: its virtualenv (or installation), its interpreter's
    installation, and the interpreter binary itself (symlinks resolved)."""

    prefix: str
    base_prefix: str
    executable: str

    @property
    def is_virtualenv(self) -> bool:
        return self.prefix != self.base_prefix

    @property
    def guest_prefix(self) -> str:
        """`sys.prefix` inside the sandbox."""
        return GUEST_RUNTIME if self.is_virtualenv else GUEST_PYTHON

    @property
    def guest_interpreter(self) -> str:
        """The interpreter binary inside the sandbox, under GUEST_PYTHON."""
        relative = os.path.relpath(self.executable, self.base_prefix)
        if relative.startswith(".."):
            outside = f"the runtime's interpreter {self.executable} lies outside {self.base_prefix}"
            raise SandboxUnavailable([outside])
        return f"{GUEST_PYTHON}/{relative}"


async def runtime_paths(config: SandboxConfig) -> RuntimePaths:
    """Asks the runtime's interpreter where it lives (once per engine start, ~20 ms)."""
    python = config.runtime / "bin" / "python"
    if not os.access(python, os.X_OK):
        raise SandboxUnavailable(
            [f"runtime interpreter {python} not found: run `make setup` or set EXECBOX_RUNTIME"]
        )
    process = await asyncio.create_subprocess_exec(
        str(python), "-I", "-c", _ASK_RUNTIME, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise SandboxUnavailable(
            [f"runtime interpreter {python} did not start: {err.decode(errors='replace')}"]
        )
    answer = json.loads(out)
    resolved = {name: os.path.realpath(answer[name]) for name in ("prefix", "base_prefix", "executable")}
    return RuntimePaths(**resolved)


def _mount(kind: str, target: str, source: str = "", options: str = "") -> Mount:
    return {"kind": kind, "target": target, "source": source, "options": options}  # type: ignore[typeddict-item]


def plan(config: SandboxConfig, runtime: RuntimePaths, root_dir: str, uids: list[int]) -> SandboxPlan:
    return {
        "rootless": config.rootless,
        "root_dir": root_dir,
        "mounts": mounts(config, runtime, uids),
        "hostname": config.hostname,
        "tmp_options": f"size={config.tmp_size_mb}m,nr_inodes=8192,mode=1777",
        "interpreter": runtime.guest_interpreter,
        "prefix": runtime.guest_prefix,
        "package_dir": GUEST_PACKAGE_DIR,
        "environment": environment(config, runtime),
        "rlimits": rlimits(config),
    }


def mounts(config: SandboxConfig, runtime: RuntimePaths, uids: list[int]) -> list[Mount]:
    plan: list[Mount] = []
    for directory in _SYSTEM_DIRS:
        if os.path.islink(directory):
            plan.append(_mount("symlink", directory, os.readlink(directory)))
        elif os.path.isdir(directory):
            plan.append(_mount("layer", directory, directory))
    for path in _HOST_FILES:
        if os.path.islink(path):
            plan.append(_mount("symlink", path, os.readlink(path)))
        elif os.path.isfile(path):
            plan.append(_mount("copy", path, path))
    users = "".join(f"{SANDBOX_USER}:x:{uid}:{uid}::/tmp:/usr/sbin/nologin\n" for uid in uids)
    groups = "".join(f"{SANDBOX_USER}:x:{uid}:\n" for uid in uids)
    plan += [
        _mount("file", "/etc/passwd", "root:x:0:0::/:/usr/sbin/nologin\n" + users),
        _mount("file", "/etc/group", "root:x:0:\n" + groups),
        _mount("file", "/etc/hostname", f"{config.hostname}\n"),
        _mount("file", "/etc/hosts", f"127.0.0.1 localhost {config.hostname}\n::1 localhost\n"),
    ]
    plan.append(_mount("layer", GUEST_PYTHON, runtime.base_prefix))
    if runtime.is_virtualenv:
        plan.append(_mount("layer", GUEST_RUNTIME, runtime.prefix))
    plan += [
        _mount("file", f"{GUEST_PACKAGE_DIR}/execbox/__init__.py", _PACKAGE_MARKER),
        _mount("file", f"{GUEST_PACKAGE_DIR}/execbox/sandbox/__init__.py", _PACKAGE_MARKER),
    ]
    plan += [
        _mount(
            "layer" if (_SANDBOX_PACKAGE / name).is_dir() else "copy",
            f"{GUEST_PACKAGE_DIR}/execbox/sandbox/{name}",
            str(_SANDBOX_PACKAGE / name),
        )
        for name in _GUEST_CODE
    ]
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


def matplotlib_config_dir(runtime: RuntimePaths) -> str:
    """Matplotlib's config and font cache, built by `make setup` in the runtime (or else by the
    template's first start): read-only in a run, which would otherwise build a font cache of
    its own each time."""
    return f"{runtime.guest_prefix}/mplconfig"


def environment(config: SandboxConfig, runtime: RuntimePaths) -> dict[str, str]:
    """The whole environment user code (and the template) gets: nothing is inherited from the
    service."""
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
        "MPLCONFIGDIR": matplotlib_config_dir(runtime),
        # An interpreter built with a shared libpython finds it by the host path it was built
        # for, which the sandbox does not have.
        "LD_LIBRARY_PATH": f"{GUEST_PYTHON}/lib",
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
