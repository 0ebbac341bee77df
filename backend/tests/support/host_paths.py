"""What of the host a program must not see (issue 19): the service's own paths and the file
systems that hold them, and a program that prints everything of that kind it can ask for."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import execbox

PROBE = """
import inspect, json, os, sys, traceback
import numpy, pandas, matplotlib
seen = {
    "numpy.__file__": numpy.__file__,
    "pandas source": inspect.getsourcefile(pandas.DataFrame),
    "sys.prefix": sys.prefix,
    "sys.base_prefix": sys.base_prefix,
    "sys.exec_prefix": sys.exec_prefix,
    "sys.executable": sys.executable,
    "sys._base_executable": getattr(sys, "_base_executable", ""),
    "sys.path": sys.path,
    "matplotlib config": matplotlib.get_configdir(),
    "environment": dict(os.environ),
    "module files": sorted({getattr(m, "__file__", None) or "" for m in list(sys.modules.values())}),
    "maps": sorted({line.split()[-1] for line in open("/proc/self/maps") if "/" in line}),
    "cmdline": open("/proc/self/cmdline").read(),
    "mount tables": [open(f"/proc/self/{name}").read() for name in ("mountinfo", "mounts", "mountstats")],
}
try:
    pandas.DataFrame({"a": [1]}).loc["missing"]
except KeyError:
    seen["traceback"] = traceback.format_exc()
print(json.dumps(seen))
"""


def host_paths(runtime: Path) -> set[str]:
    """The service's own paths: its checkout, both virtualenvs and the interpreters they come
    from, the home directory and the temporary directory the engine builds roots in."""
    paths = {
        str(Path(execbox.__file__).resolve().parents[2]),  # the checkout
        str(runtime.absolute()),
        os.path.realpath(runtime),
        os.path.realpath(runtime / "bin" / "python"),  # its interpreter, symlinks followed
        sys.prefix,
        sys.base_prefix,
        os.path.realpath(sys.base_prefix),
        str(Path.home()),
        tempfile.gettempdir() + "/execbox-root-",
    }
    return {path for path in paths if path not in ("/", "/tmp", "/usr")}


def host_file_systems(runtime: Path) -> set[str]:
    """The block devices and mount options of the host file systems that hold the runtime, the
    interpreter and the checkout: what a bind mount would show in the mount tables."""
    holders = [os.path.realpath(runtime), sys.base_prefix, execbox.__file__]
    seen: set[str] = set()
    with open("/proc/self/mountinfo") as table:
        for line in table:
            fields = line.split()
            mount_point = fields[4]
            source, options = fields[-2], fields[-1]
            if any(path == mount_point or path.startswith(mount_point.rstrip("/") + "/") for path in holders):
                seen |= {source} if source.startswith("/dev/") else set()
                seen |= {options} if "," in options else set()
    return seen


def host_names_in(text: str, runtime: Path) -> set[str]:
    """The service's paths and its file systems' devices and options that `text` names."""
    return {name for name in host_paths(runtime) | host_file_systems(runtime) if name in text}
