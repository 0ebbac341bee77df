"""Life of one sandbox child: isolate, warm up, wait for one request, run it, exit.

Everything before the request happens while the child is idle in the pool, so a request pays
only for running the user's code.
"""

from __future__ import annotations

import fcntl
import os
import random
import signal
import sys
import traceback
from typing import NoReturn, cast

from execbox.sandbox.guest import runner
from execbox.sandbox.guest.frames import MAX_SETUP_FAILURE, Kind, encode_text, frame, write_blocking
from execbox.sandbox.guest.input_files import InputFile
from execbox.sandbox.guest.isolate import isolate_child
from execbox.sandbox.guest.protocol import (
    CHILD_FD_COUNT,
    CHILD_REPORT_FD,
    CHILD_REQUEST_FD,
    RunRequest,
    SandboxPlan,
    SpawnSpec,
    read_exact_blocking,
    read_frame_blocking,
)

SETUP_FAILED_EXIT = 70
MAX_REQUEST = 16 * 1024 * 1024
# The host enforces the operator's limit (at most 50 MiB); this only bounds what a child reads.
MAX_INPUT_FILES_BYTES = 128 * 1024 * 1024
_WARM_UP = 'import pandas as pd\nprint(pd.DataFrame({"a": [1, 2]}).sum())\n'


def main(plan: SandboxPlan, spec: SpawnSpec, descriptors: list[int], seccomp_bpf: bytes) -> NoReturn:
    try:
        cgroup_fds = _install_descriptors(descriptors)
        try:
            stop_self = isolate_child(plan, spec, cgroup_fds, seccomp_bpf)
            _reseed()
            if spec["warm_up"]:
                warm_up()
        except BaseException:  # noqa: BLE001 - report every set-up failure to the host
            failure = encode_text(traceback.format_exc(limit=4))[:MAX_SETUP_FAILURE]
            write_blocking(CHILD_REPORT_FD, frame(Kind.SETUP_FAILED, failure))
            os._exit(SETUP_FAILED_EXIT)
        write_blocking(CHILD_REPORT_FD, frame(Kind.READY))
        request = cast(RunRequest, read_frame_blocking(CHILD_REQUEST_FD, MAX_REQUEST))
        files = _read_input_files(request)
        os.close(CHILD_REQUEST_FD)
        # Handed over, not kept: the runner drops the bytes once they are written to files.
        runner.run(request, files, stop_self)
    except BaseException:  # noqa: BLE001 - the host is gone or spoke nonsense: just leave
        os._exit(SETUP_FAILED_EXIT)


def _read_input_files(request: RunRequest) -> list[InputFile]:
    """The bytes of the request's input files, which follow it on the request pipe."""
    headers = request["files"]
    sizes = [header["size"] for header in headers]
    if any(size < 0 for size in sizes) or sum(sizes) > MAX_INPUT_FILES_BYTES:
        raise ValueError("the request's input files are larger than a run may be given")
    data = memoryview(read_exact_blocking(CHILD_REQUEST_FD, sum(sizes)))
    files = []
    offset = 0
    for header, size in zip(headers, sizes, strict=True):
        files.append(InputFile(header["name"], data[offset : offset + size]))
        offset += size
    return files


def _install_descriptors(descriptors: list[int]) -> list[int]:
    """Put the host's pipes at fds 0-4, the cgroup files right after, close everything else.

    Returns the cgroup files' descriptors."""
    for signum in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100) for fd in descriptors]
    for target, fd in enumerate(high):
        os.dup2(fd, target, inheritable=target < CHILD_FD_COUNT)
    os.closerange(len(high), 1 << 16)
    return list(range(CHILD_FD_COUNT, len(high)))


def _reseed() -> None:
    """Every child starts from the template's memory: give it its own random state."""
    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(int.from_bytes(os.urandom(4), "little"))


def warm_up() -> None:
    """Touch the pages a typical run touches, so their copy-on-write faults happen now."""
    with open(os.devnull, "w") as sink:
        saved, sys.stdout = sys.stdout, sink
        try:
            exec(compile(_WARM_UP, "<warm-up>", "exec"), {"__name__": "__warmup__"})  # noqa: S102
        finally:
            sys.stdout = saved
