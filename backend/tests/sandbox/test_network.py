"""Network: a run has its own empty network namespace, with only a loopback that is down.

The only non-loopback address these tests ever target is the documentation address 192.0.2.1
(TEST-NET-1), and only after the sandboxed code itself has confirmed that no interface but lo
exists, so that a broken sandbox cannot send anything anywhere.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator

import pytest

from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness

pytestmark = IN_BOTH_TEMPLATES

UNSAFE = "UNSAFE-NETWORK-INTERFACES"

# Sets `interfaces` (from /proc/self/net/dev), `indexed` (names of ifindex 1..1024 via
# SIOCGIFNAME) and `lo_up`; both listings are what this process's network namespace holds.
INTERFACES = """
import fcntl, socket, struct
SIOCGIFNAME, SIOCGIFFLAGS, IFF_UP = 0x8910, 0x8913, 0x1
with open("/proc/self/net/dev") as handle:
    interfaces = [line.split(":")[0].strip() for line in handle.read().splitlines()[2:]]
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
indexed = []
for index in range(1, 1025):
    try:
        reply = fcntl.ioctl(probe, SIOCGIFNAME, struct.pack("16si20x", b"", index))
    except OSError:
        continue
    indexed.append(reply[:16].rstrip(b"\\0").decode())
flags = struct.unpack_from("16sH", fcntl.ioctl(probe, SIOCGIFFLAGS, struct.pack("16sH22x", b"lo", 0)))[1]
lo_up = bool(flags & IFF_UP)
probe.close()
"""


def test_only_lo_exists_and_it_is_down(sandbox: SandboxHarness) -> None:
    code = INTERFACES + "print(json.dumps({'dev': interfaces, 'indexed': indexed, 'lo_up': lo_up}))"
    result = sandbox.run("import json\n" + code, wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    seen = json.loads(result.stdout.text)
    # Control: both listings do find lo, so an empty answer would not pass.
    assert seen["dev"] == ["lo"]
    assert seen["indexed"] == ["lo"]
    assert seen["lo_up"] is False
    sandbox.assert_healthy()


@pytest.fixture
def tcp_server() -> Iterator[socket.socket]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _pending_connection(server: socket.socket, wait_s: float) -> bool:
    readable, _, _ = select.select([server], [], [], wait_s)
    return bool(readable)


def test_host_loopback_tcp_server_is_unreachable(sandbox: SandboxHarness, tcp_server: socket.socket) -> None:
    port = tcp_server.getsockname()[1]
    code = f"""
import socket
for host in ("127.0.0.1", "localhost"):
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.settimeout(2)
    try:
        client.connect((host, {port}))
        client.sendall(b"escaped")
        print("CONNECTED", host)
    except OSError as error:
        print("failed", host, type(error).__name__, error.errno)
    finally:
        client.close()
"""
    result = sandbox.run(code, wall_time_s=10)
    assert result.status is RunStatus.SUCCESS, result
    assert "CONNECTED" not in result.stdout.text
    assert result.stdout.text.count("failed ") == 2, result.stdout.text
    assert not _pending_connection(tcp_server, 0.2), "the host's server saw a connection from the sandbox"
    # Control: a connection from the host itself is seen by the same check.
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        assert _pending_connection(tcp_server, 2)
    sandbox.assert_healthy()


def test_host_loopback_udp_is_unreachable(sandbox: SandboxHarness) -> None:
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    port = receiver.getsockname()[1]
    try:
        code = f"""
import socket
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    sender.sendto(b"escaped", ("127.0.0.1", {port}))
    print("SENT")
except OSError as error:
    print("failed", type(error).__name__, error.errno)
"""
        result = sandbox.run(code, wall_time_s=5)
        assert result.status is RunStatus.SUCCESS, result
        assert "SENT" not in result.stdout.text
        assert select.select([receiver], [], [], 0.2)[0] == [], "a datagram from the sandbox arrived"
        # Control: the same receiver does see a datagram sent from the host.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as host_sender:
            host_sender.sendto(b"control", ("127.0.0.1", port))
        assert select.select([receiver], [], [], 2)[0] == [receiver]
        assert receiver.recv(64) == b"control"
    finally:
        receiver.close()
    sandbox.assert_healthy()


def test_outside_address_fails_immediately(sandbox: SandboxHarness) -> None:
    code = (
        "import json, socket, time\n"
        + INTERFACES
        + f"""
if interfaces != ["lo"] or indexed != ["lo"] or lo_up:
    print({UNSAFE!r}, interfaces, indexed, lo_up)
else:
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.settimeout(3)
    started = time.monotonic()
    try:
        client.connect(("192.0.2.1", 80))
        print("CONNECTED")
    except OSError as error:
        print(json.dumps({{"error": type(error).__name__, "errno": error.errno,
                          "seconds": time.monotonic() - started}}))
"""
    )
    result = sandbox.run(code, wall_time_s=10)
    assert result.status is RunStatus.SUCCESS, result
    assert UNSAFE not in result.stdout.text, "the sandbox has network interfaces: connect not attempted"
    assert "CONNECTED" not in result.stdout.text
    outcome = json.loads(result.stdout.text)
    assert outcome["errno"] is not None
    assert outcome["seconds"] < 0.5, "the connect was attempted on a network rather than refused at once"
    sandbox.assert_healthy()


def test_name_resolution_fails_fast(sandbox: SandboxHarness) -> None:
    """No resolver is reachable (no resolv.conf; the default 127.0.0.1:53 is on a down lo)."""
    code = """
import socket, time
started = time.monotonic()
try:
    socket.getaddrinfo("example.com", 80)
    print("RESOLVED")
except OSError as error:
    print(type(error).__name__, round(time.monotonic() - started, 3))
print(socket.getaddrinfo("localhost", 80)[0][4][0] in ("127.0.0.1", "::1"))
"""
    started = time.monotonic()
    result = sandbox.run(code, wall_time_s=10)
    assert result.status is RunStatus.SUCCESS, result
    failure, local = result.stdout.text.splitlines()
    assert failure.startswith("gaierror "), failure
    assert float(failure.split()[1]) < 1
    assert local == "True"  # control: /etc/hosts still resolves localhost
    assert time.monotonic() - started < 5
    sandbox.assert_healthy()
