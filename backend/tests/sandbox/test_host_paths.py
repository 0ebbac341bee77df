"""Nothing of the host's layout shows through what a program can ask Python or read in /proc
(issue 19): the interpreter, the runtime and its packages live at /opt/python and /opt/runtime
whatever the host's paths, in both templates, and the mount tables name no host file system.
(The engine runs no code policy: this is the sandbox alone.)"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import execbox
from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness

pytestmark = IN_BOTH_TEMPLATES

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


def _host_paths(sandbox: SandboxHarness) -> set[str]:
    """The service's own paths: its checkout, both virtualenvs and the interpreters they come
    from, the home directory and the temporary directory the engine builds roots in."""
    runtime = sandbox.engine.config.runtime
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


def _host_file_systems(sandbox: SandboxHarness) -> set[str]:
    """The block devices and mount options of the host file systems that hold the runtime, the
    interpreter and the checkout: what a bind mount would show in the mount tables."""
    holders = [os.path.realpath(sandbox.engine.config.runtime), sys.base_prefix, execbox.__file__]
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


def test_the_interpreter_and_its_packages_name_only_neutral_paths(sandbox: SandboxHarness) -> None:
    result = sandbox.run(PROBE, wall_time_s=10)
    assert result.status is RunStatus.SUCCESS, result
    seen = json.loads(result.stdout.text)
    assert seen["sys.prefix"] == seen["sys.exec_prefix"] == "/opt/runtime"
    assert seen["sys.base_prefix"] == "/opt/python"
    assert seen["sys.executable"].startswith("/opt/python/bin/python3")
    assert seen["numpy.__file__"] == "/opt/runtime/lib/python3.11/site-packages/numpy/__init__.py"
    assert seen["matplotlib config"] == "/opt/runtime/mplconfig"
    assert all(entry.startswith(("/opt/python/", "/opt/runtime/")) for entry in seen["sys.path"]), seen
    assert 'File "/opt/runtime/lib/python3.11/site-packages/pandas/' in seen["traceback"]

    text = json.dumps(seen)
    leaked = {path for path in _host_paths(sandbox) if path in text}
    assert leaked == set(), f"host paths visible to the program: {leaked}"
    sandbox.assert_healthy()


def test_the_mount_tables_show_neutral_names_only(sandbox: SandboxHarness) -> None:
    """/proc/self/mountinfo, mounts and mountstats list overlays and tmpfs by neutral names:
    no host path, host block device or host mount option."""
    result = sandbox.run(PROBE, wall_time_s=10)
    assert result.status is RunStatus.SUCCESS, result
    tables = "\n".join(json.loads(result.stdout.text)["mount tables"])
    assert " /opt/runtime " in tables and " - overlay overlay " in tables, tables
    leaked = {name for name in _host_paths(sandbox) | _host_file_systems(sandbox) if name in tables}
    assert leaked == set(), f"host file systems visible in the mount tables: {leaked}\n{tables}"


IDENTITY = """
import json, os, platform, pwd, socket
print(json.dumps({
    "hostname": socket.gethostname(),
    "nodename": os.uname().nodename,
    "node": platform.node(),
    "cmdline": os.path.exists("/proc/cmdline"),
    "sys": os.path.exists("/sys"),
    "users": sorted({entry.pw_name for entry in pwd.getpwall()}),
    "me": pwd.getpwuid(os.getuid()).pw_name,
    "uid": os.getuid(),
    "passwd": open("/etc/passwd").read().splitlines(),
    "group": open("/etc/group").read().splitlines(),
}))
"""


def test_no_other_host_identity_shows(sandbox: SandboxHarness) -> None:
    """The host's name, its kernel command line, /sys and its users stay out, as before; and
    the users and groups a run sees are root and its own."""
    result = sandbox.run(IDENTITY, wall_time_s=10)
    assert result.status is RunStatus.SUCCESS, result
    seen = json.loads(result.stdout.text)
    hostname = sandbox.engine.config.hostname
    assert (seen["hostname"], seen["nodename"], seen["node"]) == (hostname, hostname, hostname)
    assert (seen["cmdline"], seen["sys"]) == (False, False)
    assert seen["users"] == ["root", "sandbox"] and seen["me"] == "sandbox"
    # Only the run's own user and group: not every slot's, which would tell the host's capacity.
    uid = seen["uid"]
    assert seen["passwd"] == [
        "root:x:0:0::/:/usr/sbin/nologin",
        f"sandbox:x:{uid}:{uid}::/tmp:/usr/sbin/nologin",
    ]
    assert seen["group"] == ["root:x:0:", f"sandbox:x:{uid}:"]
