"""Kernel isolation, in two stages.

`enter_sandbox_root` runs once in a new template, before it runs the interpreter again from
inside: it leaves the host's mount, network, UTS and IPC namespaces and pivots into a root
assembled from read-only binds, so that the template itself never sees the host.
`isolate_child` runs in every forked child, as root, before any user code exists: join the
slot's cgroup, take fresh mount, network, IPC, UTS and cgroup namespaces with a fresh /tmp,
drop to the slot's unprivileged uid, apply rlimits, load seccomp last.
"""

from __future__ import annotations

import functools
import os
import resource
import signal
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from execbox.sandbox.guest import linux
from execbox.sandbox.guest.protocol import CHILD_FD_COUNT, Mount, SandboxPlan, SpawnSpec

_TEMPLATE_NAMESPACES = linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS
# Fresh for every run (a new UTS namespace starts with the template's hostname).
_CHILD_NAMESPACES = (
    linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS | linux.CLONE_NEWCGROUP
)
_READ_ONLY_BIND = linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV
_OLD_ROOT = ".old-root"
_LAYERS = "/.layers"  # where host directories wait, bound, to be shown as overlays (see below)
# How long an init child that asked to be stopped waits for it before it exits instead.
_STOP_WAIT_S = 5.0


def enter_sandbox_root(plan: SandboxPlan) -> None:
    if plan["rootless"]:
        _become_root_in_a_user_namespace()
    linux.unshare(_TEMPLATE_NAMESPACES)
    linux.sethostname(plan["hostname"])
    # Nothing we mount may propagate back to the host's mount namespace.
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    root = plan["root_dir"]
    linux.mount("execbox-root", root, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "size=8m,mode=0755")
    for entry in plan["mounts"]:
        _apply(root, entry)
    os.mkdir(os.path.join(root, _OLD_ROOT))
    linux.pivot_root(root, os.path.join(root, _OLD_ROOT))
    os.chdir("/")
    linux.umount_detached("/" + _OLD_ROOT)
    os.rmdir("/" + _OLD_ROOT)
    _cover_staged_layers([entry["target"] for entry in plan["mounts"] if entry["kind"] == "layer"])
    for entry in plan["mounts"]:
        if entry["kind"] == "dev":
            linux.mount(
                None,
                entry["target"],
                None,
                linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NOEXEC,
            )
    linux.mount(None, "/", None, linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV)


def isolate_child(
    plan: SandboxPlan, spec: SpawnSpec, cgroup_fds: list[int], seccomp_bpf: bytes
) -> Callable[[], None]:
    """Returns how this child, once its program has ended, gets itself stopped (see `runner`)."""
    # If the template (our parent) dies, nobody is left to reap or report us.
    linux.prctl(linux.PR_SET_PDEATHSIG, 9)
    for fd in cgroup_fds:
        os.write(fd, b"0")
        os.close(fd)
    if plan["rootless"]:
        # Every rootless run has the service's uid: only a PID namespace of its own keeps it
        # from seeing and signalling the others.
        linux.unshare(_CHILD_NAMESPACES | linux.CLONE_NEWPID)
        stop_self = _continue_as_pid_one()
        linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC, "subset=pid")
    else:
        linux.unshare(_CHILD_NAMESPACES)
        stop_self = _stop_by_signal
    linux.mount("tmpfs", "/tmp", "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, plan["tmp_options"])
    _own_etc(spec["uid"], spec["gid"])
    os.setsid()
    if plan["rootless"]:
        linux.drop_all_capabilities()
        linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
    else:
        _drop_privileges(spec["uid"], spec["gid"])
    for name, (soft, hard) in plan["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    os.environ.clear()
    os.environ.update(plan["environment"])
    os.umask(0o077)
    os.chdir("/tmp")
    linux.load_seccomp_bpf(seccomp_bpf)
    return stop_self


def _own_etc(uid: int, gid: int) -> None:
    """A /etc of the child's own, the shared one's files copied, whose users and groups are root
    and the run's own: not every slot's uid, which would tell how many runs the host holds."""
    files: dict[str, bytes | str] = {}
    for name in os.listdir("/etc"):
        path = os.path.join("/etc", name)
        if os.path.islink(path):
            files[name] = os.readlink(path)
        else:
            with open(path, "rb") as handle:
                files[name] = handle.read()
    for name, id_field in (("passwd", uid), ("group", gid)):
        if isinstance(content := files.get(name), bytes):
            files[name] = _lines_for(content, {0, id_field})
    size = sum(len(content) for content in files.values()) + 4096 * (len(files) + 1)
    linux.mount(
        "tmpfs", "/etc", "tmpfs", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC, f"size={size},mode=0755"
    )
    for name, content in files.items():
        path = os.path.join("/etc", name)
        if isinstance(content, str):
            os.symlink(content, path)
        else:
            with open(path, "wb") as handle:
                handle.write(content)
            os.chmod(path, 0o444)
    read_only = linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
    linux.mount(None, "/etc", None, read_only)


def _lines_for(table: bytes, ids: set[int]) -> bytes:
    """The lines of a passwd or group file whose third field (uid or gid) is one of `ids`."""
    wanted = {str(number).encode() for number in ids}
    kept = []
    for line in table.splitlines(keepends=True):
        fields = line.split(b":")
        if len(fields) > 2 and fields[2] in wanted:
            kept.append(line)
    return b"".join(kept)


def _stop_by_signal() -> None:
    os.kill(os.getpid(), signal.SIGSTOP)


def _apply(root: str, entry: Mount) -> None:
    target = root + entry["target"]
    kind = entry["kind"]
    if kind == "symlink":
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        os.symlink(entry["source"], target)
    elif kind == "file":
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        with open(target, "w") as handle:
            handle.write(entry["source"])
        os.chmod(target, 0o444)
    elif kind == "layer":
        os.makedirs(target, mode=0o755, exist_ok=True)
        _bind_read_only(entry["source"], root + _LAYERS + entry["target"])
    elif kind == "copy":
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        with open(entry["source"], "rb") as source, open(target, "wb") as copy:
            copy.write(source.read())
        os.chmod(target, 0o444)
    elif kind == "dir":
        os.makedirs(target, mode=0o755, exist_ok=True)
    elif kind == "host-proc":
        os.makedirs(target, mode=0o755, exist_ok=True)
        linux.mount("/proc", target, None, linux.MS_BIND | linux.MS_REC)
    elif kind == "proc":
        os.makedirs(target, mode=0o755, exist_ok=True)
        linux.mount(
            "proc", target, "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC, entry["options"]
        )
    elif kind == "dev":
        _populate_dev(target, entry["options"])
    else:
        raise ValueError(f"unknown mount kind {kind!r}")


def _become_root_in_a_user_namespace() -> None:
    uid, gid = os.getuid(), os.getgid()
    linux.unshare(linux.CLONE_NEWUSER)
    for name, content in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(content)


def _continue_as_pid_one() -> Callable[[], None]:
    """Fork into the new PID namespace; this process stays behind to pass on how the child
    ended, as its own wait status, to the template.

    The child, as the namespace's init, cannot stop itself with a signal (the kernel ignores
    it): it asks us instead, on a pipe of its own, and we stop it, then ourselves."""
    asked, ask = os.pipe2(os.O_CLOEXEC)
    pid = os.fork()
    if pid != 0:
        os.close(ask)
        for fd in range(CHILD_FD_COUNT):
            os.close(fd)
        _relay_the_end(pid, asked)
    linux.prctl(linux.PR_SET_PDEATHSIG, 9)
    os.close(asked)
    return functools.partial(_ask_to_be_stopped, ask)


def _ask_to_be_stopped(ask: int) -> None:
    try:
        os.write(ask, b"!")
    except OSError:
        return  # the program closed the pipe: it will exit instead
    time.sleep(_STOP_WAIT_S)


def _relay_the_end(pid: int, asked: int) -> NoReturn:
    # One byte asks for the stop; end-of-file means every holder of the pipe is gone.
    if os.read(asked, 1):
        os.kill(pid, signal.SIGSTOP)
    while True:
        _, status = os.waitpid(pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            break
        os.kill(os.getpid(), signal.SIGSTOP)  # seen by the template; the host then kills us
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [number])
        os.kill(os.getpid(), number)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _bind_read_only(source: str, target: str) -> None:
    os.makedirs(target, mode=0o755, exist_ok=True)
    linux.mount(source, target, None, linux.MS_BIND | linux.MS_REC)
    linux.mount(None, target, None, _READ_ONLY_BIND)


def _cover_staged_layers(targets: list[str]) -> None:
    """Show each host directory staged under /.layers at its target as a read-only overlay,
    then drop the stages. A bind mount would list, in /proc/self/mountinfo, the directory's
    host path, its block device and the host file system's options; an overlay lists only
    the neutral stage names it was given here, inside the new root. (An overlay needs two
    layers when it has no upper one: the second is empty, and stays, as a directory still in
    use keeps the root from being made read-only.)"""
    empty = _LAYERS + "/empty"
    os.mkdir(empty)
    for target in targets:
        stage = _LAYERS + target
        flags = linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV
        linux.mount("overlay", target, "overlay", flags, f"lowerdir={stage}:{empty}")
        # The overlay holds a private clone of its layers: the stage is no longer needed.
        linux.umount_detached(stage)
    for directory, _, _ in os.walk(_LAYERS, topdown=False):
        if directory not in (_LAYERS, empty):
            os.rmdir(directory)


def _populate_dev(target: str, devices: str) -> None:
    """A tmpfs /dev holding only harmless character devices: made afresh where the kernel lets
    us, bound from the host where it does not (in a user namespace, or without CAP_MKNOD),
    which lists the host's /dev file system in the mount table."""
    os.makedirs(target, mode=0o755, exist_ok=True)
    linux.mount("tmpfs", target, "tmpfs", linux.MS_NOSUID | linux.MS_NOEXEC, "size=64k,mode=0755")
    for name in devices.split(","):
        node = os.path.join(target, name)
        host_node = Path("/dev", name)
        try:
            os.mknod(node, 0o666 | stat.S_IFCHR, host_node.stat().st_rdev)
            os.chmod(node, 0o666)  # noqa: S103 -- as on the host: past the umask, for every uid
        except PermissionError:
            open(node, "w").close()
            linux.mount(str(host_node), node, None, linux.MS_BIND)
            no_exec = linux.MS_BIND | linux.MS_REMOUNT | linux.MS_NOSUID | linux.MS_NOEXEC
            linux.mount(None, node, None, no_exec)
    links = {
        "fd": "/proc/self/fd",
        "stdin": "/proc/self/fd/0",
        "stdout": "/proc/self/fd/1",
        "stderr": "/proc/self/fd/2",
    }
    for name, link in links.items():
        os.symlink(link, os.path.join(target, name))


def _drop_privileges(uid: int, gid: int) -> None:
    parent = os.getppid()
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)  # leaving uid 0 clears every capability
    linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
    # Changing uid made us non-dumpable, which hands /proc/self to root; the user's own process
    # may read itself, nothing else may (ptrace is filtered, and other runs have other uids).
    linux.prctl(linux.PR_SET_DUMPABLE, 1)
    # It also cleared the parent-death signal, which ends the run when its template (and so the
    # service that enforces its wall time) dies: set it again, then make sure the parent did not
    # die in between, when the signal could no longer come.
    linux.prctl(linux.PR_SET_PDEATHSIG, 9)
    if os.getppid() != parent:
        os._exit(1)
