"""The sandbox's filesystem: nothing of the host's secrets or the server, read-only but /tmp,
and a /tmp that is private to one run and capped in size."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import execbox
from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness

pytestmark = IN_BOTH_TEMPLATES

WRITE_ERRNOS = {"EROFS", "EACCES", "EPERM"}
# What a run finds in /tmp, less the read-only path to the runtime, which shows there when the
# runtime itself lives under /tmp (a checkout in /tmp, as on some CI machines).
TMP_LISTING = (
    "sorted(e for e in __import__('os').listdir('/tmp') if not any("
    "p.startswith('/tmp/' + e + '/') for p in (__import__('sys').prefix, __import__('sys').base_prefix)))"
)
# Prints the /tmp listing and whether every block of the tmpfs is free.
EMPTY_TMP = f"import os\nfs = os.statvfs('/tmp')\nprint({TMP_LISTING}, fs.f_bfree == fs.f_blocks)"


def _json_line(text: str) -> dict[str, object]:
    lines = text.strip().splitlines()
    assert lines, "the program printed nothing"
    value = json.loads(lines[-1])
    assert isinstance(value, dict)
    return value


def test_etc_shadow_is_absent(sandbox: SandboxHarness) -> None:
    code = """
import json
out = {}
for path in ("/etc/shadow", "/etc/gshadow", "/etc/passwd"):
    try:
        with open(path) as handle:
            out[path] = handle.read()
    except OSError as error:
        out[path] = type(error).__name__
print(json.dumps(out))
"""
    result = sandbox.run(code, wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    seen = _json_line(result.stdout.text)
    assert seen["/etc/shadow"] == "FileNotFoundError"
    assert seen["/etc/gshadow"] == "FileNotFoundError"
    # Control: the same code does read a file that exists (the generated passwd).
    assert isinstance(seen["/etc/passwd"], str)
    assert seen["/etc/passwd"].startswith("root:x:0:0:")
    sandbox.assert_healthy()


def test_server_files_are_invisible(sandbox: SandboxHarness) -> None:
    package_dir = str(Path(execbox.__file__).resolve().parent)
    backend_dir = str(Path(execbox.__file__).resolve().parents[1])
    repo_dir = str(Path(execbox.__file__).resolve().parents[2])
    hidden = [
        package_dir,
        str(Path(package_dir) / "sandbox" / "engine.py"),
        backend_dir,
        str(Path(__file__).resolve()),
        repo_dir + "/.venv",
        repo_dir + "/.git",
        "/work/main/backend",
        "/work/main/.venv",
        "/root/.ssh",
        "/home",
        "/var",
        "/run",
        "/sys",
        "/boot",
        "/srv",
        "/mnt",
    ]
    code = """
import json, os, sys
paths = json.loads(sys.stdin.read())
out = {}
for path in paths + [sys.prefix, "/usr/lib"]:
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, "rb").close()
        out[path] = "visible"
    except OSError as error:
        out[path] = type(error).__name__
    if os.path.lexists(path) and out[path] != "visible":
        out[path] += "+exists"
print(json.dumps(out))
"""
    result = sandbox.run(code, stdin=json.dumps(hidden), wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    seen = _json_line(result.stdout.text)
    leaked = {path: seen[path] for path in hidden if seen[path] != "FileNotFoundError"}
    assert leaked == {}, f"host paths visible in the sandbox: {leaked}"
    # Control: the runtime interpreter and the system libraries are there, so the probe works.
    assert "visible" in seen.values()
    assert seen["/usr/lib"] == "visible"
    # /opt holds the sandbox's own neutral paths, nothing of the host's /opt.
    listing = sandbox.run("import os\nprint(sorted(os.listdir('/opt')))", wall_time_s=5).stdout.text
    assert listing == "['execbox', 'python', 'runtime']\n"
    sandbox.assert_healthy()


def test_writes_outside_tmp_fail(sandbox: SandboxHarness) -> None:
    code = """
import errno, json, os, sys
import numpy
site_packages = os.path.dirname(os.path.dirname(numpy.__file__))
targets = ["/", "/usr", "/usr/lib", "/etc", "/dev", "/bin", "/opt", sys.prefix,
           sys.base_prefix, site_packages, os.path.dirname(os.__file__)]
out = {"new_file": {}, "mkdir": {}, "overwrite": {}}
for directory in targets:
    path = os.path.join(directory, "execbox-write-probe")
    try:
        with open(path, "w") as handle:
            handle.write("x")
        out["new_file"][directory] = "WROTE"
    except OSError as error:
        out["new_file"][directory] = errno.errorcode.get(error.errno, str(error.errno))
    try:
        os.mkdir(path + "-dir")
        out["mkdir"][directory] = "MADE"
    except OSError as error:
        out["mkdir"][directory] = errno.errorcode.get(error.errno, str(error.errno))
for existing in ["/etc/passwd", "/etc/hosts", numpy.__file__, os.__file__, sys.executable]:
    try:
        with open(existing, "a") as handle:
            handle.write("#")
        out["overwrite"][existing] = "WROTE"
    except OSError as error:
        out["overwrite"][existing] = errno.errorcode.get(error.errno, str(error.errno))
# Control: /tmp is writable, so the failures above are not a broken probe.
with open("/tmp/execbox-write-probe", "w") as handle:
    handle.write("x")
out["tmp"] = open("/tmp/execbox-write-probe").read()
print(json.dumps(out))
"""
    result = sandbox.run(code, wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    seen = _json_line(result.stdout.text)
    assert seen["tmp"] == "x"
    for kind in ("new_file", "mkdir", "overwrite"):
        outcomes = seen[kind]
        assert isinstance(outcomes, dict) and outcomes
        allowed = {path: why for path, why in outcomes.items() if why not in WRITE_ERRNOS}
        assert allowed == {}, f"{kind} outside /tmp did not fail as expected: {allowed}"
    sandbox.assert_healthy()


def test_dev_holds_only_harmless_devices(sandbox: SandboxHarness) -> None:
    code = "import json, os\nprint(json.dumps(os.listdir('/dev')))"
    result = sandbox.run(code, wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    entries = set(json.loads(result.stdout.text))
    assert "null" in entries
    assert entries <= {"null", "zero", "full", "random", "urandom", "fd", "stdin", "stdout", "stderr"}
    sandbox.assert_healthy()


def test_tmp_does_not_survive_the_run(sandbox: SandboxHarness) -> None:
    name = f"/tmp/execbox-persist-{uuid.uuid4().hex}"
    write = f"""
with open({name!r}, "w") as handle:
    handle.write("persisted")
import os
print(sorted(os.listdir("/tmp")))
"""
    first = sandbox.run(write, wall_time_s=5)
    assert first.status is RunStatus.SUCCESS, first
    assert Path(name).name in first.stdout.text  # control: the file existed in its own run
    check = f"import os\nprint(os.path.exists({name!r}), {TMP_LISTING})"
    # Enough runs to go through every slot the engine uses at least once.
    for _ in range(sandbox.engine.config.slots + 1):
        later = sandbox.run(check, wall_time_s=5)
        assert later.status is RunStatus.SUCCESS, later
        assert later.stdout.text == "False []\n"
    sandbox.assert_healthy()


def test_dev_shm_cannot_be_written(sandbox: SandboxHarness) -> None:
    code = """
import json, os
out = {}
try:
    with open("/dev/shm/execbox-probe", "w") as handle:
        handle.write("x")
    out["file"] = "WROTE"
except OSError as error:
    out["file"] = type(error).__name__
try:
    os.makedirs("/dev/shm", exist_ok=True)
    out["mkdir"] = "MADE"
except OSError as error:
    out["mkdir"] = type(error).__name__
try:
    from multiprocessing import shared_memory
    block = shared_memory.SharedMemory(name="execbox-probe", create=True, size=4096)
    block.buf[:1] = b"x"
    out["shm_open"] = "CREATED"
except OSError as error:
    out["shm_open"] = type(error).__name__
with open("/tmp/control", "w") as handle:
    handle.write("x")
out["control"] = os.path.exists("/tmp/control")
print(json.dumps(out))
"""
    result = sandbox.run(code, wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    seen = _json_line(result.stdout.text)
    assert seen["control"] is True
    assert seen["file"] not in ("WROTE", None)
    assert seen["mkdir"] != "MADE"
    assert seen["shm_open"] != "CREATED"
    sandbox.assert_healthy()


def test_filling_tmp_stops_at_its_size(sandbox: SandboxHarness) -> None:
    tmp_mb = sandbox.engine.config.tmp_size_mb
    code = """
import errno, json, os
written = 0
stop = None
chunk = b"x" * (1 << 20)
try:
    with open("/tmp/fill", "wb") as handle:
        for _ in range(4096):
            handle.write(chunk)
            handle.flush()
            written += len(chunk)
except OSError as error:
    stop = errno.errorcode.get(error.errno)
more = None
try:
    with open("/tmp/fill-2", "wb") as handle:
        for _ in range(4096):
            handle.write(chunk)
            handle.flush()
except OSError as error:
    more = errno.errorcode.get(error.errno)
print(json.dumps({"stop": stop, "more": more, "size": os.path.getsize("/tmp/fill")}))
"""
    result = sandbox.run(code, wall_time_s=10)
    assert result.status is RunStatus.SUCCESS, result
    seen = _json_line(result.stdout.text)
    assert seen["stop"] in ("ENOSPC", "EFBIG"), seen
    assert seen["more"] in ("ENOSPC", "EFBIG"), seen
    size = seen["size"]
    assert isinstance(size, int)
    assert 0 < size <= tmp_mb << 20
    for _ in range(sandbox.engine.config.slots + 1):
        later = sandbox.run(EMPTY_TMP, wall_time_s=5)
        assert later.status is RunStatus.SUCCESS, later
        assert later.stdout.text == "[] True\n"
    sandbox.assert_healthy()
