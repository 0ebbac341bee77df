"""Local mode's runs on real SQLite and PostgreSQL, with a failure injected at each step: a
background run's submission always ends with a final state and a sentence saying what happened,
and a synchronous run is answered internal_error instead of raising (a 500 on /execute). The
worker's task is in tests/worker; the recording of verdicts itself in test_verdicts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.limits import RunLimits
from execbox.sandbox.result import RunStatus
from execbox.schemas.execution import ExecutionResult, Submission
from execbox.services.errors import Unavailable
from execbox.services.live_session import LiveSession
from execbox.services.owners import NOBODY
from execbox.services.presenter import internal_error
from execbox.services.runners import local
from execbox.services.runners.base import Job
from execbox.services.runners.local import LocalRunner
from execbox.services.submission_store import SubmissionStore
from tests.support.databases import BACKENDS, MakeDatabase
from tests.support.faults import answering, beyond_any_column, broken, database_down, finish_failing
from tests.support.processes import free_uid_range, release_uid_range

Scenario = Callable[[LocalRunner], Awaitable[Any]]


def _job() -> Job:
    return Job(id="sub", code="print('ran')", stdin="", limits=RunLimits())


def _in_local_mode(url: str, scenario: Scenario, engine_started: bool = False) -> Any:
    """`scenario(runner)` on a runner over a fresh database holding the queued submission "sub"."""
    first_uid = free_uid_range()  # another test session may run an engine beside this one

    async def run() -> Any:
        database = Database(url)
        engine = SandboxEngine(SandboxConfig(live_runs=1, warm_children=1, first_uid=first_uid))
        try:
            await upgrade_to_head(database)
            store = SubmissionStore(database.sessions)
            await store.save_queued("sub", _job().code, "", "client", NOBODY)
            if engine_started:
                await engine.start()
            return await scenario(LocalRunner(engine, store))
        finally:
            if engine_started:
                await engine.close()
            await database.close()

    try:
        return asyncio.run(run())
    finally:
        release_uid_range(first_uid)


async def _in_background(runner: LocalRunner) -> Submission:
    await runner.dispatch(_job())
    await runner.drain()
    return await runner.store.get("sub", NOBODY)


_STEPS: dict[str, tuple[Callable[[LocalRunner], object], str]] = {
    # the step that fails: (how it fails, a part of the sentence the submission must end with)
    "mark_running raises": (lambda r: setattr(r.store, "mark_running", broken), "ran"),
    "mark_running: an outage": (lambda r: setattr(r.store, "mark_running", database_down), "ran"),
    "run raises": (lambda r: setattr(r, "run", broken), "The service failed this run (RuntimeError)"),
    "finish refuses the row once": (
        lambda r: finish_failing(r.store, ValueError("refused")),
        "could not be saved (ValueError)",
    ),
    "the database refuses the verdict": (
        lambda r: setattr(r, "run", answering(beyond_any_column())),
        "could not be saved",
    ),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("step", list(_STEPS))
def test_a_background_run_ends_whatever_step_fails(
    backend: str, make_database: MakeDatabase, step: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The engine is never started: the run answers "ran" unless its step is the one failing."""
    inject, expected = _STEPS[step]

    async def scenario(runner: LocalRunner) -> Submission:
        runner.run = answering(internal_error("ran"))  # type: ignore[method-assign]
        inject(runner)
        return await _in_background(runner)

    submission = _in_local_mode(make_database(backend), scenario)
    assert submission.status == "internal_error", submission
    assert submission.stderr is not None and expected in submission.stderr, submission.stderr
    if "outage" not in step:  # something unexpected happened: logged with its traceback
        assert any(record.exc_info for record in caplog.records), caplog.text


def _present_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def present(*_args: Any) -> ExecutionResult:
        raise ValueError("cannot present this result")

    monkeypatch.setattr(local, "present", present)


def test_a_run_whose_result_cannot_be_presented_is_internal_error_not_a_500(
    make_database: MakeDatabase, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A real run; only presenting its result fails. What /execute answers instead of a 500."""
    _present_fails(monkeypatch)

    async def scenario(runner: LocalRunner) -> ExecutionResult:
        return await runner.run(_job())

    result = _in_local_mode(make_database("sqlite"), scenario, engine_started=True)
    assert result.status is RunStatus.INTERNAL_ERROR
    assert result.stderr == "The service failed this run (ValueError); run it again."
    assert any(record.exc_info and record.levelno == logging.ERROR for record in caplog.records)


def test_a_live_run_whose_output_cannot_be_flushed_is_internal_error_not_a_500(
    make_database: MakeDatabase,
) -> None:
    """A real live run whose last output cannot be flushed (/stream's path, a live queue run's)."""

    async def scenario(runner: LocalRunner) -> ExecutionResult:
        live = LiveSession(lambda _stream, _text: None)
        live.flush = lambda: _raise(RuntimeError("the output sink broke"))  # type: ignore[method-assign]
        return await runner.run(_job(), live)

    result = _in_local_mode(make_database("sqlite"), scenario, engine_started=True)
    assert result.status is RunStatus.INTERNAL_ERROR
    assert result.stderr == "The service failed this run (RuntimeError); run it again."


def _raise(error: Exception) -> None:
    raise error


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_background_run_whose_result_cannot_be_presented_ends_internal_error(
    backend: str, make_database: MakeDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    _present_fails(monkeypatch)
    submission = _in_local_mode(make_database(backend), _in_background, engine_started=True)
    assert submission.status == "internal_error", submission
    assert submission.stderr == "The service failed this run (ValueError); run it again."


def test_a_sandbox_outage_stays_unavailable(make_database: MakeDatabase) -> None:
    """An engine not running is an outage (a 503, worth retrying), not a failed run."""

    async def scenario(runner: LocalRunner) -> None:
        with pytest.raises(Unavailable, match="The sandbox cannot run code now"):
            await runner.run(_job())

    _in_local_mode(make_database("sqlite"), scenario)
