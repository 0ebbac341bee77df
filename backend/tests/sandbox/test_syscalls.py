"""The seccomp allow-list: dangerous calls fail with EPERM (the filter's answer, distinct from
what the kernel would say to an unprivileged caller), other ABIs kill the process."""

from __future__ import annotations

import json
import platform
from typing import Any

import pytest

from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness

pytestmark = IN_BOTH_TEMPLATES

LIBC = """
import ctypes, errno, json, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def failure(result):
    return "succeeded" if result != -1 else errno.errorcode.get(ctypes.get_errno(), "?")
"""

x86_64_only = pytest.mark.skipif(platform.machine() != "x86_64", reason="raw x86_64 syscall numbers")


def _outcomes(sandbox: SandboxHarness, code: str) -> dict[str, Any]:
    result = sandbox.run(LIBC + code, wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    outcomes = json.loads(result.stdout.text.strip().splitlines()[-1])
    assert isinstance(outcomes, dict) and outcomes
    return outcomes


def test_unshare_fails(sandbox: SandboxHarness) -> None:
    code = """
flags = {"CLONE_NEWUSER": 0x10000000, "CLONE_NEWNS": 0x00020000, "CLONE_NEWNET": 0x40000000,
         "CLONE_NEWPID": 0x20000000, "CLONE_NEWUTS": 0x04000000, "CLONE_NEWIPC": 0x08000000,
         "CLONE_NEWCGROUP": 0x02000000}
print(json.dumps({name: failure(libc.unshare(flag)) for name, flag in flags.items()}))
"""
    outcomes = _outcomes(sandbox, code)
    assert outcomes == dict.fromkeys(outcomes, "EPERM")
    assert {"CLONE_NEWUSER", "CLONE_NEWNS"} <= outcomes.keys()
    sandbox.assert_healthy()


def test_mount_fails(sandbox: SandboxHarness) -> None:
    code = """
out = {"tmpfs": failure(libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0, None)),
       "remount": failure(libc.mount(None, b"/", None, 32, None)),  # MS_REMOUNT read-write
       "bind": failure(libc.mount(b"/tmp", b"/usr", None, 4096, None)),
       "umount": failure(libc.umount2(b"/proc", 2))}
print(json.dumps(out))
"""
    assert _outcomes(sandbox, code) == {
        "tmpfs": "EPERM",
        "remount": "EPERM",
        "bind": "EPERM",
        "umount": "EPERM",
    }
    sandbox.assert_healthy()


def test_ptrace_fails(sandbox: SandboxHarness) -> None:
    code = """
import time
out = {"traceme": failure(libc.ptrace(0, 0, None, None))}
child = os.fork()
if child == 0:
    time.sleep(5)
    os._exit(0)
# The child has our uid and is our descendant: only the filter stands in the way.
out["attach_own_child"] = failure(libc.ptrace(16, child, None, None))
out["seize_own_child"] = failure(libc.ptrace(0x4206, child, None, None))
os.kill(child, 9)
os.waitpid(child, 0)
print(json.dumps(out))
"""
    assert _outcomes(sandbox, code) == {
        "traceme": "EPERM",
        "attach_own_child": "EPERM",
        "seize_own_child": "EPERM",
    }
    sandbox.assert_healthy()


def test_setuid_to_root_fails(sandbox: SandboxHarness) -> None:
    code = """
out = {}
for name, call in {"setuid": lambda: os.setuid(0), "setresuid": lambda: os.setresuid(0, 0, 0),
                   "setgid": lambda: os.setgid(0), "setgroups": lambda: os.setgroups([0])}.items():
    try:
        call()
        out[name] = "succeeded"
    except PermissionError:
        out[name] = "PermissionError"
out["uid"] = str(os.getuid())
print(json.dumps(out))
"""
    outcomes = _outcomes(sandbox, code)
    assert int(outcomes.pop("uid")) >= sandbox.engine.config.first_uid
    assert outcomes == dict.fromkeys(["setuid", "setresuid", "setgid", "setgroups"], "PermissionError")
    sandbox.assert_healthy()


def test_programs_cannot_be_executed(sandbox: SandboxHarness) -> None:
    code = """
import subprocess
out = {"exists": os.path.exists("/bin/true") and os.path.exists("/bin/sh")}  # control
try:
    out["subprocess"] = str(subprocess.run(["/bin/true"]).returncode)
except OSError as error:
    out["subprocess"] = type(error).__name__
out["os.system"] = os.system("true")
try:
    out["posix_spawn"] = str(os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0)[1])
except OSError as error:
    out["posix_spawn"] = type(error).__name__
child = os.fork()
if child == 0:
    try:
        os.execv("/bin/true", ["true"])
    except OSError as error:
        os._exit(100 + error.errno)
    os._exit(0)
out["execv_exit"] = os.waitpid(child, 0)[1] >> 8
print(json.dumps(out))
"""
    outcomes = _outcomes(sandbox, code)
    assert outcomes["exists"] is True
    assert outcomes["subprocess"] == "PermissionError"
    assert outcomes["posix_spawn"] == "PermissionError"
    assert outcomes["os.system"] != 0  # the shell itself cannot be started (127)
    assert outcomes["execv_exit"] == 101  # 100 + EPERM
    sandbox.assert_healthy()


def test_terminal_injection_ioctls_fail(sandbox: SandboxHarness) -> None:
    code = """
import fcntl, termios
out = {}
for name, request in {"TIOCSTI": termios.TIOCSTI, "TIOCLINUX": 0x541C}.items():
    try:
        fcntl.ioctl(0, request, b"x")
        out[name] = "succeeded"
    except OSError as error:
        out[name] = errno.errorcode.get(error.errno, "?")
# Control: an ordinary ioctl on the same descriptor gets the kernel's own answer.
try:
    fcntl.ioctl(0, termios.TIOCGWINSZ, b"\\0" * 8)
    out["TIOCGWINSZ"] = "succeeded"
except OSError as error:
    out["TIOCGWINSZ"] = errno.errorcode.get(error.errno, "?")
print(json.dumps(out))
"""
    # stdin is a pipe: without the filter these would fail with ENOTTY, not EPERM.
    assert _outcomes(sandbox, code) == {"TIOCSTI": "EPERM", "TIOCLINUX": "EPERM", "TIOCGWINSZ": "ENOTTY"}
    sandbox.assert_healthy()


@x86_64_only
def test_filtered_arguments_ignore_high_bits(sandbox: SandboxHarness) -> None:
    """The kernel reads these arguments as 32-bit ints; setting the upper half must not slip a
    blocked value past the filter."""
    code = """
high = 1 << 32
TIOCSTI = 0x5412
out = {
    "ioctl_TIOCSTI": failure(libc.syscall(16, 0, ctypes.c_ulong(high | TIOCSTI), b"x")),
    "socket_AF_NETLINK": failure(libc.syscall(41, ctypes.c_long(high | 16), 3, 0)),
    "socket_AF_PACKET": failure(libc.syscall(41, ctypes.c_long(high | 17), 3, 0)),
    "clone_NEWUSER": failure(libc.syscall(56, ctypes.c_ulong(high | 0x10000000 | 17), 0, 0, 0, 0)),
}
print(json.dumps(out))
"""
    assert _outcomes(sandbox, code) == {
        "ioctl_TIOCSTI": "EPERM",
        "socket_AF_NETLINK": "EPERM",
        "socket_AF_PACKET": "EPERM",
        "clone_NEWUSER": "EPERM",
    }
    sandbox.assert_healthy()


@x86_64_only
def test_clone_with_namespace_flags_fails(sandbox: SandboxHarness) -> None:
    code = """
SIGCHLD = 17
out = {}
for name, flag in {"none": 0, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWNS": 0x00020000,
                   "CLONE_NEWNET": 0x40000000, "CLONE_NEWPID": 0x20000000}.items():
    pid = libc.syscall(56, ctypes.c_ulong(flag | SIGCHLD), 0, 0, 0, 0)
    if pid == 0:
        os._exit(0)
    if pid > 0:
        os.waitpid(pid, 0)
        out[name] = "succeeded"
    else:
        out[name] = errno.errorcode.get(ctypes.get_errno(), "?")
out["clone3"] = failure(libc.syscall(435, None, 0))
print(json.dumps(out))
"""
    assert _outcomes(sandbox, code) == {
        "none": "succeeded",  # control: a plain fork-like clone is allowed
        "CLONE_NEWUSER": "EPERM",
        "CLONE_NEWNS": "EPERM",
        "CLONE_NEWNET": "EPERM",
        "CLONE_NEWPID": "EPERM",
        "clone3": "ENOSYS",  # so that glibc falls back to the filterable clone
    }
    sandbox.assert_healthy()


@x86_64_only
def test_dangerous_syscalls_fail_with_eperm(sandbox: SandboxHarness) -> None:
    """Called with null arguments: were they allowed, the kernel would answer EFAULT, EINVAL or
    EBADF (or succeed harmlessly), not EPERM."""
    code = """
numbers = {"execve": 59, "execveat": 322, "ptrace": 101, "mount": 165, "umount2": 166,
           "unshare": 272, "setns": 308, "pivot_root": 155, "chroot": 161, "bpf": 321,
           "keyctl": 250, "add_key": 248, "request_key": 249, "io_uring_setup": 425,
           "perf_event_open": 298, "userfaultfd": 323, "process_vm_readv": 310,
           "process_vm_writev": 311, "open_by_handle_at": 304, "name_to_handle_at": 303,
           "init_module": 175, "kexec_load": 246, "reboot": 169, "swapon": 167,
           "setuid": 105, "personality": 135, "memfd_secret": 447, "fanotify_init": 300,
           "seccomp": 317, "mknod": 133}
print(json.dumps({name: failure(libc.syscall(number, 0, 0, 0, 0, 0, 0))
                  for name, number in numbers.items()}))
"""
    outcomes = _outcomes(sandbox, code)
    allowed = {name: why for name, why in outcomes.items() if why != "EPERM"}
    assert allowed == {}
    sandbox.assert_healthy()


def test_x32_syscall_kills_the_process(sandbox: SandboxHarness) -> None:
    code = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
print("before", flush=True)
result = libc.syscall(0x40000000 | 39)  # x32 getpid
print("after", result, ctypes.get_errno(), flush=True)
"""
    if platform.machine() != "x86_64":
        pytest.skip("x32 is an x86_64 ABI")
    result = sandbox.run(code, wall_time_s=5)
    assert result.stdout.text == "before\n"  # control: the program did run up to the call
    assert result.status is RunStatus.RUNTIME_ERROR, result
    assert result.signal == "SIGSYS"
    sandbox.assert_healthy()


def test_only_unix_and_inet_sockets_exist(sandbox: SandboxHarness) -> None:
    code = """
import socket
out = {}
for family, kind in [("AF_UNIX", "SOCK_STREAM"), ("AF_INET", "SOCK_STREAM"), ("AF_INET6", "SOCK_DGRAM"),
                     ("AF_NETLINK", "SOCK_RAW"), ("AF_PACKET", "SOCK_RAW"), ("AF_ALG", "SOCK_SEQPACKET"),
                     ("AF_VSOCK", "SOCK_STREAM"), ("AF_KEY", "SOCK_RAW"), ("AF_CAN", "SOCK_RAW")]:
    if not hasattr(socket, family):
        continue
    try:
        socket.socket(getattr(socket, family), getattr(socket, kind)).close()
        out[family] = "opened"
    except OSError as error:
        out[family] = errno.errorcode.get(error.errno, "?")
print(json.dumps(out))
"""
    outcomes = _outcomes(sandbox, code)
    assert {outcomes.pop(f) for f in ("AF_UNIX", "AF_INET", "AF_INET6")} == {"opened"}  # control
    assert {"AF_NETLINK", "AF_PACKET"} <= outcomes.keys()
    assert outcomes == dict.fromkeys(outcomes, "EPERM")
    sandbox.assert_healthy()
