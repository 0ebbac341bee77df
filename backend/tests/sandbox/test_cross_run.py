"""Runs are isolated from each other: no shared state, no channel between concurrent runs, no
memory or randomness inherited from an earlier run or from the common template."""

from __future__ import annotations

import json
import uuid

import pytest

from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, Job, SandboxHarness
from tests.sandbox.memscan import SCANNER, scan_request

pytestmark = IN_BOTH_TEMPLATES

LIMITS = LimitRequest(wall_time_s=10)


def _last_json(text: str) -> dict[str, object]:
    value = json.loads(text.strip().splitlines()[-1])
    assert isinstance(value, dict)
    return value


def test_no_channel_through_dev_shm(sandbox: SandboxHarness) -> None:
    token = uuid.uuid4().hex
    writer = f"""
import json, os, time
out = {{}}
try:
    with open("/dev/shm/execbox-probe", "w") as handle:
        handle.write({token!r})
    out["file"] = "WROTE"
except OSError as error:
    out["file"] = type(error).__name__
try:
    from multiprocessing import shared_memory
    block = shared_memory.SharedMemory(name="execbox-probe-shm", create=True, size=64)
    block.buf[:32] = {token!r}.encode()
    out["shm"] = "CREATED"
except OSError as error:
    out["shm"] = type(error).__name__
print(json.dumps(out), flush=True)
time.sleep(1.5)
"""
    reader = """
import json, os, time
time.sleep(0.5)
out = {}
try:
    out["file"] = open("/dev/shm/execbox-probe").read()
except OSError as error:
    out["file"] = type(error).__name__
try:
    from multiprocessing import shared_memory
    out["shm"] = bytes(shared_memory.SharedMemory(name="execbox-probe-shm").buf[:32]).decode()
except OSError as error:
    out["shm"] = type(error).__name__
# Control: the same read does return a file that is there.
with open("/tmp/control", "w") as handle:
    handle.write("planted")
out["control"] = open("/tmp/control").read()
print(json.dumps(out))
"""
    wrote, read = sandbox.run_concurrently([Job(writer, limits=LIMITS), Job(reader, limits=LIMITS)])
    assert wrote.status is RunStatus.SUCCESS, wrote
    assert read.status is RunStatus.SUCCESS, read
    assert token not in read.stdout.text
    seen = _last_json(read.stdout.text)
    assert seen["control"] == "planted"
    assert seen["file"] in ("FileNotFoundError", "PermissionError"), seen
    assert seen["shm"] in ("FileNotFoundError", "PermissionError"), seen
    sandbox.assert_healthy()


# Files every run can open: the generated /etc files, the runtime's interpreter and libraries,
# and a same-named file in each run's own /tmp.
LOCK_TARGETS = """
import numpy, os, sys
with open("/tmp/execbox-lock", "a"):
    pass
targets = ["/etc/passwd", "/etc/hosts", sys.executable, os.__file__, numpy.__file__, "/tmp/execbox-lock"]
"""


def test_file_locks_are_refused_so_they_carry_nothing_between_runs(sandbox: SandboxHarness) -> None:
    # Every run shares the runtime's and /etc's inodes: a lock on one would be a channel to a
    # concurrent run (and F_GETLK would tell that run's host pid). So locking is not allowed.
    prober = (
        LOCK_TARGETS
        + """
import fcntl, json, struct
refused, allowed = [], []
attempts = {
    "flock": lambda h: fcntl.flock(h, fcntl.LOCK_SH | fcntl.LOCK_NB),
    "lockf": lambda h: fcntl.lockf(h, fcntl.LOCK_SH | fcntl.LOCK_NB),
    "getlk": lambda h: fcntl.fcntl(h, fcntl.F_GETLK, struct.pack("hhqqi", fcntl.F_RDLCK, 0, 0, 0, 0)),
    "ofd": lambda h: fcntl.fcntl(h, 37, struct.pack("hhqqi", fcntl.F_RDLCK, 0, 0, 0, 0)),
}
for path in targets + ["/tmp/own-file"]:
    with open(path, "ab" if path == "/tmp/own-file" else "rb") as handle:
        for name, attempt in attempts.items():
            try:
                attempt(handle)
                allowed.append((path, name))
            except PermissionError:
                refused.append((path, name))
print(json.dumps({"allowed": allowed, "refused": len(refused), "checked": len(targets) + 1}))
"""
    )
    first, second = sandbox.run_concurrently([Job(prober, limits=LIMITS), Job(prober, limits=LIMITS)])
    for result in (first, second):
        assert result.status is RunStatus.SUCCESS, result
        seen = _last_json(result.stdout.text)
        assert seen["allowed"] == []
        assert seen["refused"] == 4 * int(str(seen["checked"]))
    sandbox.assert_healthy()


def test_no_channel_through_abstract_unix_sockets(sandbox: SandboxHarness) -> None:
    listener = """
import json, select, socket, time
stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
stream.bind("\\0execbox-probe")
stream.listen(8)
datagrams = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
datagrams.bind("\\0execbox-probe-dgram")
received = []
deadline = time.monotonic() + 2.5
while (left := deadline - time.monotonic()) > 0:
    ready, _, _ = select.select([stream, datagrams], [], [], left)
    if stream in ready:
        connection, _ = stream.accept()
        connection.settimeout(0.5)
        try:
            received.append("stream:" + connection.recv(64).decode(errors="replace"))
        except OSError:
            received.append("stream:connected")
        connection.close()
    if datagrams in ready:
        received.append("datagram:" + datagrams.recv(64).decode(errors="replace"))
# Control: this run's own datagram does arrive at the same socket.
sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sender.sendto(b"self", "\\0execbox-probe-dgram")
control = select.select([datagrams], [], [], 1)[0] == [datagrams] and datagrams.recv(64) == b"self"
print(json.dumps({"received": received, "control": control}))
"""
    intruder = """
import json, socket, time
reached = []
deadline = time.monotonic() + 2
while time.monotonic() < deadline:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect("\\0execbox-probe")
        client.sendall(b"intruder")
        reached.append("stream")
    except OSError:
        pass
    finally:
        client.close()
    sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sender.sendto(b"intruder", "\\0execbox-probe-dgram")
        reached.append("datagram")
    except OSError:
        pass
    finally:
        sender.close()
    time.sleep(0.05)
# While the other run still holds the name, this run can take the same name for itself.
squatter = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    squatter.bind("\\0execbox-probe")
    name_free = True
except OSError:
    name_free = False
print(json.dumps({"reached": sorted(set(reached)), "name_free": name_free}))
"""
    listened, intruded = sandbox.run_concurrently(
        [Job(listener, limits=LIMITS), Job(intruder, limits=LIMITS)]
    )
    assert listened.status is RunStatus.SUCCESS, listened
    assert intruded.status is RunStatus.SUCCESS, intruded
    heard = _last_json(listened.stdout.text)
    tried = _last_json(intruded.stdout.text)
    assert heard["control"] is True
    assert heard["received"] == []
    assert tried["reached"] == []
    assert tried["name_free"] is True
    sandbox.assert_healthy()


def test_random_state_differs_between_runs(sandbox: SandboxHarness) -> None:
    code = """
import json, random
import numpy
print(json.dumps([random.random(), float(numpy.random.rand()), random.getrandbits(64)]))
"""
    results = sandbox.run_concurrently([Job(code), Job(code)])
    results += [sandbox.run(code) for _ in range(sandbox.engine.config.slots)]
    assert all(r.status is RunStatus.SUCCESS for r in results), results
    draws = [json.loads(r.stdout.text) for r in results]
    for column in range(3):
        values = [draw[column] for draw in draws]
        assert len(set(values)) == len(values), f"runs drew the same random numbers: {values}"
    sandbox.assert_healthy()


HOLDER = """
import time
held = {marker!r}
print(held, flush=True)
time.sleep({seconds})
"""


@pytest.mark.parametrize("concurrent", [True, False], ids=["while-held", "after-exit"])
def test_memory_of_another_run_is_not_visible(sandbox: SandboxHarness, concurrent: bool) -> None:
    marker = uuid.uuid4().hex
    request = scan_request({"marker": marker})
    scanner = "import time\ntime.sleep(0.3)\n" + SCANNER if concurrent else SCANNER
    scan_limits = LimitRequest(wall_time_s=30)
    if concurrent:
        holder = HOLDER.format(marker=marker, seconds=3)
        held, scanned = sandbox.run_concurrently(
            [Job(holder, limits=LIMITS), Job(scanner, stdin=request, limits=scan_limits)]
        )
    else:
        held = sandbox.run(HOLDER.format(marker=marker, seconds=0), wall_time_s=5)
        scanned = sandbox.run(scanner, stdin=request, wall_time_s=30)
    assert held.status is RunStatus.SUCCESS, held
    assert held.stdout.text == marker + "\n"  # the other run did have it in memory
    assert scanned.status is RunStatus.SUCCESS, scanned
    assert marker not in scanned.stdout.text
    scan = _last_json(scanned.stdout.text)
    assert scan["control_found"] is True, scan
    scanned_bytes = scan["scanned_bytes"]
    assert isinstance(scanned_bytes, int) and scanned_bytes > 10 << 20
    assert scan["found"] == [], "another run's data is in this run's memory"
    sandbox.assert_healthy()
