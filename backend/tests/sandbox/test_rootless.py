"""The engine run by an ordinary user, on unprivileged user namespaces and a delegated cgroup.

Root prepares what an operator would: a Python the user can reach (the system's, since the
project's own may live under /root), virtualenvs built from it, and cgroups handed over to the
user. The engine then runs as `nobody`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.conftest import SECRET_VALUE

NOBODY = 65534
SYSTEM_PYTHON = "/usr/bin/python3"
BACKEND = Path(__file__).resolve().parents[2]
REQUIREMENTS = BACKEND / "runtime-requirements.txt"
HIERARCHIES = ("memory", "pids", "cpuacct", "cpu")
DELEGATED = "execbox-rootless-test"

_SWITCH_USER = """
import os, sys
for procs in sys.argv[1].split(","):
    with open(procs, "w") as handle:
        handle.write(str(os.getpid()))
os.setgroups([])
os.setresgid(65534, 65534, 65534)
os.setresuid(65534, 65534, 65534)
python, probe, runtime = sys.argv[2:5]
os.execve(python, [python, probe], {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "EXECBOX_RUNTIME": runtime})
"""


def _venv_home() -> Path:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    return Path("/var/tmp") / f"execbox-rootless-{digest}"


def _venvs() -> tuple[Path, Path]:
    """A runtime and a server virtualenv on the system Python, readable by anybody."""
    home = _venv_home()
    runtime, server = home / "runtime", home / "server"
    if not (runtime / ".installed").exists():
        shutil.rmtree(runtime, ignore_errors=True)
        subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(runtime)], check=True)
        subprocess.run([str(runtime / "bin/pip"), "install", "-q", "-r", str(REQUIREMENTS)], check=True)
        (runtime / ".installed").touch()
    shutil.rmtree(server, ignore_errors=True)
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(server)], check=True)
    # A copy, not an editable install: the checkout may be where the user cannot read. Built
    # from a copy of the sources too, so that the build leaves nothing in the checkout.
    sources = home / "sources"
    shutil.rmtree(sources, ignore_errors=True)
    shutil.copytree(
        BACKEND, sources, ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__")
    )
    subprocess.run([str(server / "bin/pip"), "install", "-q", "--no-deps", str(sources)], check=True)
    for path in (home, runtime, server):
        path.chmod(0o755)
    return runtime, server


def _device_of(path: Path) -> str:
    """The source of the host file system that holds `path`, as the mount table names it."""
    holder = max(
        (line.split() for line in Path("/proc/self/mountinfo").read_text().splitlines()),
        key=lambda fields: len(fields[4]) if str(path).startswith(fields[4].rstrip("/") + "/") else -1,
    )
    return holder[-2]


def _own_group(controller: str) -> str:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return path
    raise AssertionError(f"no {controller} cgroup")


@pytest.fixture(scope="module")
def delegated_cgroups() -> Iterator[list[Path]]:
    groups = [Path(f"/sys/fs/cgroup/{h}") / _own_group(h).lstrip("/") / DELEGATED for h in HIERARCHIES]
    for group in groups:
        group.mkdir(exist_ok=True)
        for path in [group, *group.iterdir()]:
            os.chown(path, NOBODY, NOBODY)
    yield groups
    for group in groups:
        for child in group.iterdir():
            if child.is_dir():
                child.rmdir()
        group.rmdir()


def _run_as_nobody(groups: list[Path], programs: list[str]) -> dict[str, object]:
    runtime, server = _venvs()
    procs = ",".join(str(group / "cgroup.procs") for group in groups)
    probe = Path(__file__).with_name("rootless_probe.py")
    completed = subprocess.run(
        [sys.executable, "-c", _SWITCH_USER, procs, str(server / "bin/python"), str(probe), str(runtime)],
        input=json.dumps(programs),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert isinstance(report, dict)
    return report


def test_an_ordinary_user_runs_isolated_programs(delegated_cgroups: list[Path]) -> None:
    programs = [
        "import os\nprint(os.getuid(), sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))",
        "import pandas as pd\nprint(pd.Series([1, 2, 3]).sum())",
        "import os\nprint(open('/proc/self/environ', 'rb').read(), dict(os.environ))",
        "import errno\nfor path in ('/usr/x', '/etc/x', '/x'):\n"
        "    try:\n        open(path, 'w')\n        print('WROTE')\n"
        "    except OSError as error:\n        print(errno.errorcode[error.errno])",
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "print(libc.unshare(0x10000000), ctypes.get_errno())",
        "import os, time\nif os.fork() == 0:\n    time.sleep(60)\nos.kill(-1, 9)\nprint('survived')",
        "while True:\n    pass",
        "data = bytearray(3 << 30)",
        # As its namespace's init, the program is stopped by the process above it, on request.
        "import sys, os\nos.write(4, sys.modules['execbox.sandbox.guest.frames'].encode_report(0, None))\n"
        "import ctypes\nctypes.string_at(0)",
        "raise KeyError('x')",
        "print('still fine')",
        "print(open('/proc/self/mountinfo').read())",
        "# live\ninput('name? ')",
    ]
    report = _run_as_nobody(delegated_cgroups, programs)
    assert report["rootless"] is True
    outcomes = report["outcomes"]
    assert isinstance(outcomes, list)
    (
        ids,
        pandas,
        environment,
        writes,
        unshare,
        kill_all,
        spin,
        memory,
        forged,
        error,
        after,
        mounts,
        waiting,
    ) = outcomes
    assert ids["stdout"] == "0 [1]\n"  # root of its own user namespace, alone in its PID namespace
    assert pandas["stdout"] == "6\n"
    assert SECRET_VALUE not in environment["stdout"] and "EXECBOX_RUNTIME" not in environment["stdout"]
    assert set(writes["stdout"].split()) <= {"EROFS", "EACCES", "EPERM"}, writes
    assert unshare["stdout"] == "-1 1\n"  # EPERM
    assert kill_all["stdout"] == "survived\n"  # kill(-1) reached only its own child
    assert spin["status"] == "timeout"
    assert memory["status"] == "memory_limit"
    assert (forged["status"], forged["signal"]) == ("runtime_error", "SIGSEGV")
    assert (error["status"], error["error"], error["signal"]) == ("runtime_error", "KeyError", None)
    assert after == {
        "status": "success",
        "stdout": "still fine\n",
        "stderr": "",
        "signal": None,
        "error": None,
        "waiting_for_input": False,
    }
    # Seen from the host through the PID namespace's relay: waiting for input when time ran out.
    assert (waiting["status"], waiting["waiting_for_input"], spin["waiting_for_input"]) == (
        "timeout",
        True,
        False,
    )
    # The runtime shows as an overlay; its host path and block device do not. (The five device
    # nodes are bound from the host here, as a user namespace may not create them.)
    assert " /opt/runtime " in mounts["stdout"] and " - overlay overlay " in mounts["stdout"], mounts
    home = _venv_home()
    assert str(home) not in mounts["stdout"] and _device_of(home) not in mounts["stdout"], mounts
