"""The template: a runtime interpreter with its preload imported (the scientific stack, or the
plain template's standard-library modules), that only forks.

It never reads code, stdin or output: it receives spawn specs with the child's descriptors
attached, forks, and reports children's births, stops and deaths. A process that has handled one
run's data is never forked for another.

Started by `launch` from inside the sandbox root, which it never leaves (every path it and its
children see is the root's: `/opt/python`, `/opt/runtime`, `/opt/execbox`), as
`INTERPRETER -I -S -c <bootstrap> CONTROL_FD PRELOAD_JSON PACKAGE_DIR PREFIX`, with INTERPRETER,
PACKAGE_DIR and PREFIX as the `SandboxPlan` names them. The bootstrap sets `sys.prefix` to PREFIX
(`/opt/runtime`, or `/opt/python` for a runtime that is not a virtualenv), runs `site`, appends
PACKAGE_DIR (`/opt/execbox`, the guest code) to `sys.path` and calls
`main(CONTROL_FD, PRELOAD, PACKAGE_DIR)`: the socket to the host, the modules to import, and the
directory to take off `sys.path` again once they are imported. The first message on the socket
is the `SandboxPlan` again.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.metadata
import io
import json
import os
import selectors
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from execbox.sandbox.guest import allocator, child, display, linux
from execbox.sandbox.guest.protocol import (
    CHILD_FD_COUNT,
    MAX_CGROUP_FDS,
    MAX_TEMPLATE_MESSAGE,
    Exited,
    Hello,
    SandboxPlan,
    Spawned,
    SpawnSpec,
    Stopped,
    decode,
    encode,
)
from execbox.sandbox.guest.seccomp import build_policy

_REPORTED_PACKAGES = ("numpy", "pandas", "scipy", "matplotlib")


def main(control_fd: int, preload: list[str], package_dir: str) -> None:
    control = socket.socket(fileno=control_fd)
    # The host may go away (its process killed) while we start or serve: then there is nobody
    # to report to, and the person's terminal is no place for our traceback.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        _start_and_serve(control, preload, package_dir)


def _start_and_serve(control: socket.socket, preload: list[str], package_dir: str) -> None:
    first = control.recv(MAX_TEMPLATE_MESSAGE)
    if not first:
        return  # the host is gone before it sent the plan
    plan = cast(SandboxPlan, decode(first))
    # Whatever a run leaves behind is re-parented to us, reaped at once, and so stops
    # counting against its slot's process limits.
    linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)
    # Each thread would otherwise reserve its own 64 MiB malloc arena of address space,
    # which the per-run RLIMIT_AS turns into a cap of about 15 threads.
    linux.limit_malloc_arenas(2)
    allocator.allocate_from_heap()
    with _writable_matplotlib_config():
        for module in preload:
            importlib.import_module(module)
    if "pandas" in sys.modules:
        # Lazy initialisation inside the libraries (formatters, caches) happens once, here.
        child.warm_up()
    _draw_a_figure()
    display.patch_matplotlib()
    seccomp_bpf = build_policy()
    _forget_package_dir(package_dir)
    linux.umount_detached("/tmp")  # the launcher's scratch, needed only while importing
    seal_matplotlib_config()
    _assert_single_threaded()
    hello: Hello = {
        "type": "hello",
        "python": sys.version.split()[0],
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "packages": {name: _version(name) for name in _REPORTED_PACKAGES},
        "loaded_packages": _loaded_packages(),
    }
    control.send(encode(hello))
    # Objects created so far live as long as the template: keep the collector off their pages
    # so that children do not copy them by merely collecting.
    gc.collect()
    gc.freeze()
    # From here on, what the template and its children allocate comes from pymalloc's arenas,
    # not from free spots all over the heap: each huge page the template writes to while it
    # shares it with a child is split into 4 KiB pages for good.
    allocator.restore_pymalloc()
    linux.release_free_heap()
    _collapse_into_huge_pages()
    _serve(control, plan, seccomp_bpf)


def _serve(control: socket.socket, plan: SandboxPlan, seccomp_bpf: bytes) -> None:
    wake_read, wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the selector
    children: dict[int, int] = {}  # pid -> child_id
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fileobj is control:
                message, descriptors, _flags, _addr = socket.recv_fds(
                    control, MAX_TEMPLATE_MESSAGE, CHILD_FD_COUNT + MAX_CGROUP_FDS
                )
                if not message:
                    return  # the host is gone; our children die with their pdeathsig
                spec = cast(SpawnSpec, decode(message))
                pid = os.fork()
                if pid == 0:
                    child.main(plan, spec, descriptors, seccomp_bpf)
                for fd in descriptors:
                    os.close(fd)
                children[pid] = spec["child_id"]
                spawned: Spawned = {"type": "spawned", "child_id": spec["child_id"], "pid": pid}
                control.send(encode(spawned))
            else:
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_read, 4096)
                _reap(control, children)


def _reap(control: socket.socket, children: dict[int, int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG | os.WUNTRACED)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if os.WIFSTOPPED(status):
            if pid in children:
                signal_number = os.WSTOPSIG(status)
                stopped: Stopped = {"type": "stopped", "child_id": children[pid], "signal": signal_number}
                control.send(encode(stopped))
            continue
        child_id = children.pop(pid, None)
        if child_id is not None:
            exited: Exited = {"type": "exited", "child_id": child_id, "wait_status": status}
            control.send(encode(exited))


@contextlib.contextmanager
def _writable_matplotlib_config() -> Iterator[None]:
    """Matplotlib takes only a writable config directory; else it makes one of its own in the
    host's /tmp, and every run would try to remove it at exit. A runtime the service cannot
    write to (set up by another user) gets a copy of its font cache in a directory of ours,
    needed only while matplotlib is imported."""
    configured = os.environ.get("MPLCONFIGDIR", "")
    try:
        os.makedirs(configured, exist_ok=True)
        writable = os.access(configured, os.W_OK)
    except OSError:
        writable = False
    if not configured or writable:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="execbox-matplotlib-") as private:
        for cache in Path(configured).glob("fontlist-*.json"):
            shutil.copy(cache, private)
        os.environ["MPLCONFIGDIR"] = private
        try:
            yield
        finally:
            os.environ["MPLCONFIGDIR"] = configured


def seal_matplotlib_config() -> None:
    """The launcher's writable copy of matplotlib's config directory becomes read-only: what
    one run could write there, every later run would read."""
    configured = os.environ.get("MPLCONFIGDIR", "")
    if configured and os.path.ismount(configured):
        flags = linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
        linux.mount(None, configured, None, flags)


def _draw_a_figure() -> None:
    """Matplotlib sets up much on first use (backend, text layout, the PNG writer): once, here."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    figure = pyplot.figure()
    figure.gca().plot([1, 2], [1, 2], label="warm-up")
    figure.legend()
    figure.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    pyplot.close(figure)
    # Matplotlib drops its open fonts in every child after a fork (they hold file offsets);
    # dropping them here already saves each child the copied pages of freeing them (~0.5 MiB).
    fonts = getattr(sys.modules["matplotlib.font_manager"], "_get_font", None)
    if fonts is not None:
        fonts.cache_clear()


def _collapse_into_huge_pages() -> None:
    """Back the template's private memory with 2 MiB pages where the kernel allows.

    fork() then copies one page-table entry per 2 MiB instead of 512, and exit frees as few:
    forking and tearing down the children is most of a run's cost. A child that writes to
    such a page gets a 4 KiB copy of it, as before (the kernel splits the mapping, not the
    page). Best effort: without transparent huge pages nothing changes.
    """
    with open("/proc/self/maps") as maps:
        lines = maps.read().splitlines()
    for line in lines:
        fields = line.split()
        name = fields[5] if len(fields) > 5 else ""
        if name not in ("", "[heap]") or not fields[1].startswith("rw"):
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        start = -(-start // linux.HUGE_PAGE) * linux.HUGE_PAGE
        end = end // linux.HUGE_PAGE * linux.HUGE_PAGE
        if end > start and linux.madvise(start, end - start, linux.MADV_HUGEPAGE):
            linux.madvise(start, end - start, linux.MADV_COLLAPSE)


def _forget_package_dir(package_dir: str) -> None:
    """The sandbox code's directory was on sys.path only to import this package."""
    if package_dir in sys.path:
        sys.path.remove(package_dir)
    sys.path_importer_cache.pop(package_dir, None)
    importlib.invalidate_caches()


def _assert_single_threaded() -> None:
    threads = os.listdir("/proc/self/task")
    if len(threads) != 1:
        raise SystemExit(
            f"execbox template: {len(threads)} threads after imports; forking would be unsafe. "
            "Set OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=1 for the runtime."
        )


def _loaded_packages() -> list[str]:
    """Top-level names of the modules imported so far that are not the standard library's."""
    names = {name.partition(".")[0] for name in sys.modules}
    return sorted(name for name in names if name not in sys.stdlib_module_names and not name.startswith("_"))


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return ""


if __name__ == "__main__":
    main(int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3])
