"""The cgroup layer against this host's real cgroup hierarchy."""

import os
import signal
import time
import traceback
from collections.abc import Iterator

import pytest

from execbox.sandbox import cgroups
from execbox.sandbox.cgroups import CgroupManager, GroupLimits, RunGroup

LIMITS = GroupLimits(memory_bytes=64 << 20, max_processes=8, cpu_cores=1.0)


@pytest.fixture
def manager() -> Iterator[CgroupManager]:
    found = cgroups.detect()
    yield found
    found.close()


@pytest.fixture
def group(manager: CgroupManager) -> Iterator[RunGroup]:
    created = manager.create(f"test-{os.getpid()}", LIMITS)
    yield created
    created.kill()
    deadline = time.monotonic() + 5
    while not created.is_empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert created.remove()


def _spawn_in(group: RunGroup, child_code: str) -> int:
    """Fork a child that joins `group` through its descriptors, then runs `child_code`.

    Returns once the child is in every hierarchy of the group: a child seen in one of them only
    (pids.current counts it at once) would escape a kill sent through another."""
    descriptors = group.procs_descriptors()
    joined_read, joined_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        exit_code = 0
        try:
            for fd in descriptors:
                os.write(fd, b"0")
            os.write(joined_write, b"j")
            exec(child_code)  # noqa: S102 - fixed test code
        except SystemExit as request:
            exit_code = int(request.code or 0)
        except BaseException:  # noqa: BLE001 - shown to the test's output, not swallowed
            traceback.print_exc()
            exit_code = 70
        finally:
            os._exit(exit_code)
    os.close(joined_write)
    try:
        assert os.read(joined_read, 1) == b"j", "the child could not join the group"
    finally:
        os.close(joined_read)
    return pid


def test_a_new_group_is_empty_and_joinable(group: RunGroup) -> None:
    assert group.is_empty()
    pid = _spawn_in(group, "import time; time.sleep(30)")
    deadline = time.monotonic() + 5
    while group.is_empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not group.is_empty()
    group.kill()
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_memory_over_the_limit_is_counted_as_an_oom_kill(group: RunGroup) -> None:
    group.start_measuring()
    pid = _spawn_in(group, "blocks = [bytearray(8 << 20) for _ in range(64)]")
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    usage = group.usage()
    assert usage.oom_kills == 1
    assert usage.memory_peak_bytes >= 60 << 20


def test_cpu_time_is_accounted_from_start_measuring(group: RunGroup) -> None:
    group.start_measuring()
    pid = _spawn_in(
        group, "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    )
    os.waitpid(pid, 0)
    cpu_ms = group.usage().cpu_ns / 1e6
    assert 250 <= cpu_ms <= 2000
    group.start_measuring()
    assert group.usage().cpu_ns / 1e6 < 50


def test_the_pids_limit_stops_a_fork_bomb(group: RunGroup) -> None:
    pid = _spawn_in(
        group,
        "import os, time\n"
        "for _ in range(20):\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(30)\n"
        "    except BlockingIOError:\n"
        "        raise SystemExit(42)\n",
    )
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 42
