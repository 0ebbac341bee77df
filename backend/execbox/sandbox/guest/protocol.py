"""The typed protocol between the host engine and the guest processes.

Channels (all created by the host, handed to the guest as file descriptors):
- host <-> template: a SOCK_SEQPACKET socket. The host sends the `SandboxPlan` once; the
  template enters that root, answers `Prepared`, and runs the interpreter again from inside it,
  which is sent the plan again and answers `Hello`. Then the host sends a `SpawnSpec` with the
  child's descriptors attached for each child, and the template answers with `Spawned`,
  `Stopped` and `Exited` events: the kernel's word on how each child ended, which no program
  can forge.
  The template never sees code, stdin or output.
- host -> child: the child's fd 3, a pipe carrying one length-prefixed JSON `RunRequest`, then
  the bytes of its input files, one after another, as long as the request says each is.
- child -> host: the child's fd 4, a pipe carrying the binary frames of `frames.py` (ready, then
  displayed results and the report). Once user code runs, anything on it is untrusted.
- the child's stdin, stdout and stderr are plain pipes (fds 0, 1, 2).

Pipes, not sockets, reach into the sandbox: a pipe has no peer whose pid and uid the program
could ask for (SO_PEERCRED), and carries no descriptors or credentials (SCM_RIGHTS).
"""

from __future__ import annotations

import io
import json
import struct
from typing import Any, Literal, TypedDict, cast

# Descriptor layout inside a child, in the order the host attaches them to a spawn request
# (stdin is fd 0).
CHILD_STDOUT_FD = 1
CHILD_STDERR_FD = 2
CHILD_REQUEST_FD = 3
CHILD_REPORT_FD = 4
CHILD_FD_COUNT = 5
MAX_CGROUP_FDS = 8

MAX_TEMPLATE_MESSAGE = 64 * 1024
_LENGTH = struct.Struct(">I")


class Mount(TypedDict):
    kind: Literal["layer", "copy", "dir", "symlink", "file", "proc", "host-proc", "dev"]
    target: str
    source: str  # layer, copy: host path; symlink: link text; file: contents; others: ""
    options: str  # proc: mount data; dev: the device names to bind


class SandboxPlan(TypedDict):
    """Sent once to a new template: the root every sandbox shares, built once and entered."""

    # The service is not root: the template maps itself to root in a user namespace of its
    # own, and every child, all then one uid, gets a PID namespace of its own.
    rootless: bool
    root_dir: str  # an empty host directory to build the sandbox's root on
    mounts: list[Mount]
    hostname: str
    tmp_options: str  # mount data of each child's private /tmp
    interpreter: str  # the runtime's interpreter, as the root has it
    prefix: str  # its sys.prefix there (the virtualenv's)
    package_dir: str  # where the root has execbox.sandbox.guest, for the template to import
    environment: dict[str, str]
    rlimits: dict[str, list[int]]  # resource name -> [soft, hard]


class SpawnSpec(TypedDict):
    """Sent per child, with CHILD_FD_COUNT descriptors and then one open cgroup.procs file per
    hierarchy attached, which the child writes to in order to join its slot's cgroup."""

    child_id: int
    uid: int
    gid: int
    warm_up: bool  # run a pandas snippet while idle, so the first run's pandas call is fast


class Hello(TypedDict):
    type: Literal["hello"]
    python: str
    prefix: str
    base_prefix: str
    packages: dict[str, str]
    loaded_packages: list[str]


class Prepared(TypedDict):
    type: Literal["prepared"]
    error: str  # empty on success


class Spawned(TypedDict):
    type: Literal["spawned"]
    child_id: int
    pid: int


class Stopped(TypedDict):
    """The child stopped itself (or was stopped): how every finished run signals its end."""

    type: Literal["stopped"]
    child_id: int
    signal: int


class Exited(TypedDict):
    type: Literal["exited"]
    child_id: int
    wait_status: int


class InputFileHeader(TypedDict):
    """An input file of a run: its bytes follow the request on the pipe, in the listed order."""

    name: str
    size: int


class RunRequest(TypedDict):
    code: str
    files: list[InputFileHeader]
    cpu_time_s: float
    memory_bytes: int
    live: bool  # someone watches the output as it comes: line-buffer the program's stdout
    result_bytes: int  # budget for the data of all the run's display frames together
    max_results: int


def encode(message: object) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()


def decode(data: bytes) -> dict[str, Any]:
    value = json.loads(data)
    if not isinstance(value, dict):
        raise ValueError("protocol message is not an object")
    return cast(dict[str, Any], value)


def frame(message: object) -> bytes:
    body = encode(message)
    return _LENGTH.pack(len(body)) + body


def frame_length(header: bytes) -> int:
    (length,) = _LENGTH.unpack(header)
    return int(length)


FRAME_HEADER_SIZE = _LENGTH.size


def read_frame_blocking(fd: int, limit: int) -> dict[str, Any]:
    """Read one frame from a blocking pipe (guest side)."""
    length = frame_length(_read_exact(fd, FRAME_HEADER_SIZE))
    if length > limit:
        raise ValueError(f"frame of {length} bytes exceeds {limit}")
    return decode(_read_exact(fd, length))


def read_exact_blocking(fd: int, size: int) -> bytearray:
    """Exactly `size` bytes from a blocking pipe (guest side), read in place: input files can
    be tens of MiB."""
    data = bytearray(size)
    view = memoryview(data)
    with io.FileIO(fd, closefd=False) as pipe:
        while view:
            count = pipe.readinto(view)
            if not count:
                raise EOFError("the request pipe closed")
            view = view[count:]
    return data


def _read_exact(fd: int, size: int) -> bytes:
    return bytes(read_exact_blocking(fd, size))
