"""Without what it needs, the engine refuses to start and says what is missing."""

import asyncio
import os

from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.errors import SandboxUnavailable

NOBODY = 65534


def _start_engine_as(uid: int) -> str:
    """Try to start an engine in a forked process running as `uid`; returns what happened."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            asyncio.run(SandboxEngine().start())
            outcome = "STARTED"
        except SandboxUnavailable as error:
            outcome = f"REFUSED {error}"
        except BaseException as error:  # noqa: BLE001 - reported to the parent, which fails
            outcome = f"CRASHED {error!r}"
        os.write(write_end, outcome.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        outcome = pipe.read()
    os.waitpid(pid, 0)
    return outcome


def test_an_unprivileged_service_without_a_delegated_cgroup_is_refused_with_a_reason() -> None:
    # User namespaces are allowed here, so what is missing is a cgroup the user may manage.
    outcome = _start_engine_as(NOBODY)
    assert outcome.startswith("REFUSED"), outcome
    assert "cannot create cgroups" in outcome
    assert "delegated cgroup" in outcome
