"""Background runs' verdicts on real SQLite and PostgreSQL: whatever fails on the way, a pending
submission ends with a final state (local mode's LocalRunner here; the worker in tests/worker)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.limits import RunLimits
from execbox.sandbox.result import RunStatus
from execbox.schemas.execution import Submission
from execbox.services.errors import Unavailable
from execbox.services.presenter import internal_error
from execbox.services.runners.base import Job
from execbox.services.runners.local import LocalRunner
from execbox.services.submission_store import SubmissionStore
from execbox.services.verdicts import record_verdict
from tests.support.databases import BACKENDS, MakeDatabase

pytestmark = pytest.mark.parametrize("backend", BACKENDS)


def _beyond_any_column() -> Any:
    """A verdict with an exit code no database integer holds, as a forged report once made."""
    return internal_error("x").model_copy(update={"status": RunStatus.RUNTIME_ERROR, "exit_code": 2**80})


def _with_store(url: str, scenario: Callable[[SubmissionStore], Awaitable[Submission]]) -> Submission:
    async def run() -> Submission:
        database = Database(url)
        try:
            await upgrade_to_head(database)
            store = SubmissionStore(database.sessions)
            await store.save_queued("sub", "print(1)", "", "client")
            return await scenario(store)
        finally:
            await database.close()

    return asyncio.run(run())


def test_a_verdict_the_database_refuses_is_recorded_as_internal_error(
    backend: str, make_database: MakeDatabase
) -> None:
    async def scenario(store: SubmissionStore) -> Submission:
        await record_verdict(store, "sub", _beyond_any_column(), backoff_s=0)
        return await store.get("sub")

    submission = _with_store(make_database(backend), scenario)
    assert submission.status == "internal_error"
    assert submission.stderr is not None and "could not be saved" in submission.stderr


def test_a_database_outage_is_ridden_out(backend: str, make_database: MakeDatabase) -> None:
    async def scenario(store: SubmissionStore) -> Submission:
        finish = store.finish
        failures = iter([Unavailable("down"), Unavailable("still down")])

        async def flaky(submission_id: str, result: Any) -> bool:
            failure = next(failures, None)
            if failure is not None:
                raise failure
            return await finish(submission_id, result)

        store.finish = flaky  # type: ignore[method-assign]
        await record_verdict(store, "sub", internal_error("the real verdict"), backoff_s=0)
        return await store.get("sub")

    submission = _with_store(make_database(backend), scenario)
    assert (submission.status, submission.stderr) == ("internal_error", "the real verdict")


def _job() -> Job:
    return Job(id="sub", code="print(1)", stdin="", limits=RunLimits())


@pytest.mark.parametrize("failing_step", ["mark_running", "run", "finish"])
def test_a_local_background_run_ends_whatever_step_fails(
    backend: str, make_database: MakeDatabase, failing_step: str
) -> None:
    """The engine is never started: each step either fails or answers as told."""

    async def scenario(store: SubmissionStore) -> Submission:
        runner = LocalRunner(SandboxEngine(SandboxConfig()), store)

        async def broken(*_args: Any, **_kwargs: Any) -> Any:
            raise RuntimeError(f"{failing_step} broke")

        async def answered(*_args: Any, **_kwargs: Any) -> Any:
            return _beyond_any_column() if failing_step == "finish" else internal_error("ran")

        runner.run = broken if failing_step == "run" else answered  # type: ignore[method-assign]
        if failing_step == "mark_running":
            store.mark_running = broken  # type: ignore[method-assign]
        await runner.dispatch(_job())
        await runner.drain()
        return await store.get("sub")

    submission = _with_store(make_database(backend), scenario)
    expected = {
        "mark_running": "ran",
        "run": "The sandbox failed this run (RuntimeError); run it again.",
        "finish": "could not be saved",
    }[failing_step]
    assert submission.status == "internal_error", submission
    assert submission.stderr is not None and expected in submission.stderr
