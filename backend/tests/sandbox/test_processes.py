"""Processes: a run sees and can signal only its own processes, and cannot exhaust the host's."""

from __future__ import annotations

import json
import os
import time

from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, Job, SandboxHarness

pytestmark = IN_BOTH_TEMPLATES

LIST_PROC = """
import json, os, sys, time
test_pid = int(sys.stdin.read())
time.sleep(0.4)  # let the concurrent run start and print its pid
child = os.fork()
if child == 0:
    time.sleep(5)
    os._exit(0)
owners = {}
for entry in os.listdir("/proc"):
    if entry.isdigit():
        try:
            owners[entry] = os.stat("/proc/" + entry).st_uid
        except FileNotFoundError:
            pass
probes = {str(pid): os.path.exists(f"/proc/{pid}") for pid in (1, test_pid, os.getppid())}
os.kill(child, 9)
os.waitpid(child, 0)
print(json.dumps({"uid": os.getuid(), "pid": os.getpid(), "child": child, "ppid": os.getppid(),
                  "owners": owners, "exists": probes}))
"""

FORK_BOMB = """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""

THREADS_AND_FORK = """
import os, threading, time
threads = [threading.Thread(target=time.sleep, args=(0.2,)) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
child = os.fork()
if child == 0:
    os._exit(7)
print(os.waitpid(child, 0)[1] >> 8)
"""

SLEEPER = """
import os, time
print(os.getpid(), flush=True)
time.sleep(1)
print("survived")
"""


def test_proc_shows_only_the_runs_own_processes(sandbox: SandboxHarness) -> None:
    lister, neighbour = sandbox.run_concurrently(
        [
            Job(LIST_PROC, stdin=str(os.getpid()), limits=LimitRequest(wall_time_s=10)),
            Job(SLEEPER, limits=LimitRequest(wall_time_s=10)),
        ]
    )
    assert lister.status is RunStatus.SUCCESS, lister
    assert neighbour.status is RunStatus.SUCCESS, neighbour
    seen = json.loads(lister.stdout.text)
    owners: dict[str, int] = seen["owners"]
    neighbour_pid = neighbour.stdout.text.split()[0]
    # Control: the run sees itself and the child it forked.
    assert str(seen["pid"]) in owners
    assert str(seen["child"]) in owners
    assert set(owners.values()) == {seen["uid"]}, owners
    assert seen["uid"] >= sandbox.engine.config.first_uid
    for invisible in ("1", str(os.getpid()), str(seen["ppid"]), neighbour_pid):
        assert invisible not in owners, f"pid {invisible} is visible in the sandbox"
    assert not any(seen["exists"].values()), seen["exists"]
    sandbox.assert_healthy()


def test_kill_all_harms_nothing_outside_the_run(sandbox: SandboxHarness) -> None:
    killer = """
import os, sys, time
test_pid = int(sys.stdin.read())
outcomes = set()
try:
    os.kill(os.getppid(), 9)
    outcomes.add("parent killed")
except OSError as error:
    outcomes.add("parent: " + type(error).__name__)
for pid in (1, test_pid):
    try:
        os.kill(pid, 0)
        outcomes.add(f"pid {pid} signalable")
    except OSError as error:
        outcomes.add(type(error).__name__)
deadline = time.monotonic() + 1.5
while time.monotonic() < deadline:
    try:
        os.kill(-1, 9)
    except OSError as error:
        outcomes.add("kill(-1): " + type(error).__name__)
    time.sleep(0.01)
print(sorted(outcomes))
print("killer alive")
"""
    started = time.monotonic()
    killed, sleeper = sandbox.run_concurrently(
        [
            Job(killer, stdin=str(os.getpid()), limits=LimitRequest(wall_time_s=10)),
            Job(SLEEPER, limits=LimitRequest(wall_time_s=10)),
        ]
    )
    assert sleeper.status is RunStatus.SUCCESS, sleeper
    assert sleeper.stdout.text.endswith("\nsurvived\n")
    assert killed.status is RunStatus.SUCCESS, killed
    assert "killer alive" in killed.stdout.text
    assert "parent killed" not in killed.stdout.text
    assert "signalable" not in killed.stdout.text
    assert "parent: PermissionError" in killed.stdout.text
    assert time.monotonic() - started < 10
    sandbox.assert_healthy()


def test_spinning_threads_end_in_timeout(sandbox: SandboxHarness) -> None:
    code = """
import threading
def spin():
    while True:
        pass
for _ in range(8):
    threading.Thread(target=spin).start()
print("started", flush=True)
"""
    started = time.monotonic()
    result = sandbox.run(code, wall_time_s=2)
    assert result.status is RunStatus.TIMEOUT, result
    assert result.stdout.text == "started\n"
    assert 1900 <= result.wall_ms < 3000
    assert time.monotonic() - started < 8
    sandbox.assert_healthy()


def test_fork_bomb_is_contained(sandbox: SandboxHarness) -> None:
    started = time.monotonic()
    result = sandbox.run(FORK_BOMB, wall_time_s=5)
    elapsed = time.monotonic() - started
    assert result.status in (RunStatus.TIMEOUT, RunStatus.RUNTIME_ERROR), result
    assert elapsed < 15, f"the fork bomb took {elapsed:.1f} s to end"
    # The host can still make processes, and the engine still runs programs.
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    assert os.waitpid(pid, 0)[1] == 0
    sandbox.assert_healthy()
    both = sandbox.run_concurrently([Job("print(1)"), Job("print(2)")])
    assert [r.stdout.text for r in both] == ["1\n", "2\n"]
    _settle_after_fork_bomb(sandbox)


def test_runs_after_a_fork_bomb_get_their_full_process_budget(sandbox: SandboxHarness) -> None:
    """The processes a fork bomb leaves behind must not count against whoever runs next.

    Runs are sequential and the lowest free slot goes first, so within 2 x slots runs one lands
    on the bomb's slot (same uid, same cgroup) right after the bomb was killed."""
    bomb = sandbox.run(FORK_BOMB, wall_time_s=2)
    assert bomb.status in (RunStatus.TIMEOUT, RunStatus.RUNTIME_ERROR), bomb
    try:
        for attempt in range(2 * sandbox.engine.config.slots):
            result = sandbox.run(THREADS_AND_FORK, wall_time_s=5)
            assert result.status is RunStatus.SUCCESS, f"run {attempt} after the fork bomb: {result}"
            assert result.stdout.text == "7\n"
    finally:
        _settle_after_fork_bomb(sandbox)
    sandbox.assert_healthy()


def _settle_after_fork_bomb(sandbox: SandboxHarness) -> None:
    """Wait (a few seconds at most) until every slot can start threads and processes again, so
    that a failure of the test above does not spill into later tests."""
    deadline = time.monotonic() + 10
    streak = 0
    while streak < 2 * sandbox.engine.config.slots and time.monotonic() < deadline:
        ok = sandbox.run(THREADS_AND_FORK, wall_time_s=5).stdout.text == "7\n"
        streak = streak + 1 if ok else 0
        if not ok:
            time.sleep(0.2)


def test_a_run_can_start_32_threads(sandbox: SandboxHarness) -> None:
    """The process limit is 64 tasks, threads included; a program with a 32-worker thread pool
    (what ThreadPoolExecutor picks on a host with 28+ cores) must be able to start them."""
    code = """
import threading
release = threading.Event()
threads = [threading.Thread(target=release.wait) for _ in range(32)]
started = 0
try:
    for thread in threads:
        thread.start()
        started += 1
finally:
    release.set()
    print(started)
"""
    result = sandbox.run(code, wall_time_s=5)
    assert (result.status, result.stdout.text) == (RunStatus.SUCCESS, "32\n"), result
    sandbox.assert_healthy()


PRIORITY = """
import os
print(os.getpriority(os.PRIO_PROCESS, 0))
for change in (-1, -20):
    try:
        os.nice(change)
        print("raised", change)
    except PermissionError:
        pass
print(os.getpriority(os.PRIO_PROCESS, 0))
"""


def test_programs_run_below_the_services_cpu_priority_and_cannot_raise_it(sandbox: SandboxHarness) -> None:
    service = os.getpriority(os.PRIO_PROCESS, 0)
    expected = min(service + sandbox.engine.config.niceness, 19)
    assert expected > service
    result = sandbox.run(PRIORITY)
    assert result.status is RunStatus.SUCCESS, result
    assert result.stdout.text.split() == [str(expected), str(expected)]
