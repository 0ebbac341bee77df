"""The sandbox's seccomp policy, compiled to BPF by libseccomp.

An allow-list: a syscall that is not named here fails with EPERM, so a blocked call surfaces in
Python as a PermissionError the user can read rather than as a killed process. Calls from other
ABIs (i386, x32) kill the process outright. The program is built once in the template and loaded
by each sandbox with a single prctl.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import socket
import termios

from execbox.sandbox.guest.linux import NAMESPACE_FLAGS

_ACT_KILL_PROCESS = 0x80000000
_ACT_ALLOW = 0x7FFF0000
_ATTR_ACT_BADARCH = 2
_ATTR_CTL_NNP = 3
_ATTR_CTL_OPTIMIZE = 8
_OPTIMIZE_BINARY_TREE = 2  # also keeps the kernel's per-filter set-up cheap
_CMP_EQ = 4
_CMP_MASKED_EQ = 7
_INT_MASK = 0xFFFFFFFF  # the kernel reads these arguments as 32-bit ints: ignore the high half

ALLOWED_SYSCALLS = (
    # files and descriptors (the filesystem itself is read-only but /tmp)
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
    "pwritev2", "open", "openat", "close", "close_range", "stat", "fstat", "lstat", "newfstatat",
    "statx", "lseek", "access", "faccessat", "faccessat2", "getdents", "getdents64", "dup",
    "dup2", "dup3", "pipe", "pipe2", "fcntl", "fsync", "fdatasync", "truncate",
    "ftruncate", "fallocate", "fadvise64", "readlink", "readlinkat", "getcwd", "chdir", "fchdir",
    "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "link",
    "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat", "umask", "statfs",
    "fstatfs", "utime", "utimes", "utimensat", "sendfile", "copy_file_range", "ioctl",
    "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "timerfd_create",
    "timerfd_settime", "timerfd_gettime", "signalfd", "signalfd4",
    # memory
    "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "msync", "mincore",
    "get_mempolicy", "membarrier",
    # processes, threads and signals (fork is allowed: the pids cgroup bounds it)
    "clone", "fork", "vfork", "wait4", "waitid", "exit", "exit_group", "set_tid_address",
    "set_robust_list", "get_robust_list", "rseq", "futex", "futex_waitv", "sched_yield",
    "sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_getscheduler",
    "sched_get_priority_max", "sched_get_priority_min", "getpriority", "arch_prctl", "prctl",
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait",
    "rt_sigsuspend", "rt_sigqueueinfo", "sigaltstack", "kill", "tgkill", "tkill", "pause",
    "restart_syscall", "nanosleep", "clock_nanosleep", "getitimer", "setitimer", "alarm",
    # identity and clocks (read-only; changing uid is not allowed)
    "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
    "getresgid", "getgroups", "getpgrp", "getpgid", "getsid", "setsid", "setpgid", "uname",
    "sysinfo", "times", "getrusage", "getrlimit", "setrlimit", "prlimit64", "getrandom",
    "gettimeofday", "time", "clock_gettime", "clock_getres", "capget",
    # sockets: the network namespace is empty, and only these address families exist
    "socketpair", "connect", "bind", "listen", "accept", "accept4", "sendto", "recvfrom",
    "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown", "getsockname", "getpeername",
    "setsockopt", "getsockopt",
)  # fmt: skip

SOCKET_FAMILIES = (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6)
BLOCKED_IOCTLS = (termios.TIOCSTI, getattr(termios, "TIOCLINUX", 0x541C))
# Locks and leases on files every sandbox shares (the read-only runtime, /etc/passwd) would be
# a channel between concurrent runs, and F_GETLK would tell another run's host pid; so would
# flock(), which is not allowed at all. Private /tmp files lose locking with them.
BLOCKED_FCNTLS = (
    fcntl.F_GETLK, fcntl.F_SETLK, fcntl.F_SETLKW,
    getattr(fcntl, "F_OFD_GETLK", 36), getattr(fcntl, "F_OFD_SETLK", 37), getattr(fcntl, "F_OFD_SETLKW", 38),
    getattr(fcntl, "F_SETLEASE", 1024), getattr(fcntl, "F_GETLEASE", 1025), getattr(fcntl, "F_NOTIFY", 1026),
)  # fmt: skip


_FILTERED_COMMANDS = {"ioctl": BLOCKED_IOCTLS, "fcntl": BLOCKED_FCNTLS}


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


class _Filter:
    def __init__(self) -> None:
        path = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
        self._lib = ctypes.CDLL(path, use_errno=True)
        self._lib.seccomp_init.restype = ctypes.c_void_p
        self._lib.seccomp_init.argtypes = [ctypes.c_uint32]
        self._lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
        self._lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        self._lib.seccomp_rule_add_array.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.POINTER(_ArgCmp),
        ]
        self._lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self._lib.seccomp_release.argtypes = [ctypes.c_void_p]
        self._ctx = self._lib.seccomp_init(_errno_action(errno.EPERM))
        if not self._ctx:
            raise OSError("libseccomp: seccomp_init failed")
        self._check(self._lib.seccomp_attr_set(self._ctx, _ATTR_ACT_BADARCH, _ACT_KILL_PROCESS))
        self._check(self._lib.seccomp_attr_set(self._ctx, _ATTR_CTL_NNP, 1))
        self._check(self._lib.seccomp_attr_set(self._ctx, _ATTR_CTL_OPTIMIZE, _OPTIMIZE_BINARY_TREE))

    @staticmethod
    def _check(result: int) -> None:
        if result < 0:
            raise OSError(-result, f"libseccomp: {os.strerror(-result)}")

    def rule(self, action: int, name: str, *conditions: tuple[int, int, int, int]) -> None:
        number = self._lib.seccomp_syscall_resolve_name(name.encode())
        if number < 0:
            return  # not a syscall on this architecture (e.g. `open` on arm64)
        array = (_ArgCmp * max(1, len(conditions)))(*(_ArgCmp(*c) for c in conditions))
        self._check(self._lib.seccomp_rule_add_array(self._ctx, action, number, len(conditions), array))

    def export(self) -> bytes:
        fd = os.memfd_create("seccomp-bpf")
        try:
            self._check(self._lib.seccomp_export_bpf(self._ctx, fd))
            os.lseek(fd, 0, os.SEEK_SET)
            chunks = []
            while chunk := os.read(fd, 65536):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)
            self._lib.seccomp_release(self._ctx)


def all_but(excluded: tuple[int, ...], bits: int = 32) -> list[tuple[int, int]]:
    """(mask, value) pairs whose masked-equality tests match every `bits`-bit number except
    `excluded`: the complement as prefix classes. libseccomp takes only one comparison per
    argument and rule, and a not-equal test on the full 64-bit register could be dodged by
    setting high bits the kernel then ignores; these masks never look at those bits."""
    pairs: list[tuple[int, int]] = []

    def walk(prefix: int, length: int, members: list[int]) -> None:
        if not members:
            pairs.append((((1 << length) - 1) << (bits - length), prefix))
        elif length < bits:
            shift = bits - 1 - length
            for bit in (0, 1):
                walk(prefix | bit << shift, length + 1, [m for m in members if (m >> shift) & 1 == bit])

    walk(0, 0, sorted(set(excluded)))
    return pairs


def build_policy() -> bytes:
    """Compile the sandbox policy to a BPF program for PR_SET_SECCOMP."""
    policy = _Filter()
    for name in ALLOWED_SYSCALLS:
        if name == "clone":
            # threads and fork, never new namespaces
            policy.rule(_ACT_ALLOW, name, (0, _CMP_MASKED_EQ, NAMESPACE_FLAGS, 0))
        elif name in _FILTERED_COMMANDS:
            for mask, value in all_but(_FILTERED_COMMANDS[name]):
                policy.rule(_ACT_ALLOW, name, (1, _CMP_MASKED_EQ, mask, value))
        else:
            policy.rule(_ACT_ALLOW, name)
    for family in SOCKET_FAMILIES:
        policy.rule(_ACT_ALLOW, "socket", (0, _CMP_MASKED_EQ, _INT_MASK, family))
    # glibc falls back to clone() only when clone3 reports ENOSYS; clone3's flags are in memory
    # a filter cannot read, so it must not be allowed at all.
    policy.rule(_errno_action(errno.ENOSYS), "clone3")
    return policy.export()
