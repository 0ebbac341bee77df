"""Nothing of the host's layout shows through what a program can ask Python or read in /proc
(issue 19): the interpreter, the runtime and its packages live at /opt/python and /opt/runtime
whatever the host's paths, in both templates, and the mount tables name no host file system.
(The engine runs no code policy: this is the sandbox alone.)"""

from __future__ import annotations

import json

from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness
from tests.support.host_paths import PROBE, host_names_in, host_paths

pytestmark = IN_BOTH_TEMPLATES


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
    leaked = {path for path in host_paths(sandbox.engine.config.runtime) if path in text}
    assert leaked == set(), f"host paths visible to the program: {leaked}"
    sandbox.assert_healthy()


def test_the_mount_tables_show_neutral_names_only(sandbox: SandboxHarness) -> None:
    """/proc/self/mountinfo, mounts and mountstats list overlays and tmpfs by neutral names:
    no host path, host block device or host mount option."""
    result = sandbox.run(PROBE, wall_time_s=10)
    assert result.status is RunStatus.SUCCESS, result
    tables = "\n".join(json.loads(result.stdout.text)["mount tables"])
    assert " /opt/runtime " in tables and " - overlay overlay " in tables, tables
    leaked = host_names_in(tables, sandbox.engine.config.runtime)
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
