"""Recording background runs' verdicts on real SQLite and PostgreSQL: a database outage is ridden
out for a while, a verdict the database refuses becomes internal_error, recorded the same way,
and nothing is tried for ever. Local mode's runs are in test_background_runs, the worker's in
tests/worker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.schemas.execution import ExecutionResult, Submission
from execbox.services.errors import Unavailable
from execbox.services.owners import NOBODY
from execbox.services.presenter import internal_error
from execbox.services.submission_store import SubmissionStore
from execbox.services.verdicts import UNSAVED, record_verdict
from tests.support.databases import BACKENDS, MakeDatabase
from tests.support.faults import DATABASE_DOWN, beyond_any_column, finish_failing

pytestmark = pytest.mark.parametrize("backend", BACKENDS)
T = TypeVar("T")
Asked = list[ExecutionResult]  # the verdicts store.finish was asked to record, in order


def _with_store(url: str, scenario: Callable[[SubmissionStore], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database(url)
        try:
            await upgrade_to_head(database)
            store = SubmissionStore(database.sessions)
            await store.save_queued("sub", "print(1)", "", "client", NOBODY)
            return await scenario(store)
        finally:
            await database.close()

    return asyncio.run(run())


def test_a_verdict_the_database_refuses_is_recorded_as_internal_error(
    backend: str, make_database: MakeDatabase
) -> None:
    async def scenario(store: SubmissionStore) -> Submission:
        await record_verdict(store, "sub", beyond_any_column(), backoff_s=0)
        return await store.get("sub", NOBODY)

    submission = _with_store(make_database(backend), scenario)
    assert submission.status == "internal_error"
    assert submission.stderr is not None and "could not be saved" in submission.stderr


def test_a_database_outage_is_ridden_out(backend: str, make_database: MakeDatabase) -> None:
    async def scenario(store: SubmissionStore) -> Submission:
        finish_failing(store, Unavailable("down"), Unavailable("still down"))
        await record_verdict(store, "sub", internal_error("the real verdict"), backoff_s=0)
        return await store.get("sub", NOBODY)

    submission = _with_store(make_database(backend), scenario)
    assert (submission.status, submission.stderr) == ("internal_error", "the real verdict")


def test_the_fallback_verdict_rides_out_an_outage_of_its_own(
    backend: str, make_database: MakeDatabase
) -> None:
    """An outage takes all tries but the last, the database refuses the verdict on it: its
    internal_error still gets as many tries, and an outage on those is ridden out too."""
    down = Unavailable(DATABASE_DOWN)

    async def scenario(store: SubmissionStore) -> Submission:
        finish_failing(store, down, down, None, down)  # None: the real finish, which refuses it
        await record_verdict(store, "sub", beyond_any_column(), attempts=3, backoff_s=0)
        return await store.get("sub", NOBODY)

    submission = _with_store(make_database(backend), scenario)
    assert submission.status == "internal_error", submission
    assert submission.stderr is not None and "could not be saved (" in submission.stderr


def test_a_database_that_refuses_even_internal_error_is_not_asked_for_ever(
    backend: str, make_database: MakeDatabase
) -> None:
    """The submission stays pending (the lost-run sweep or a restart ends it), and recording returns."""

    async def scenario(store: SubmissionStore) -> tuple[Submission, Asked]:
        asked = finish_failing(store, *[ValueError("refused")] * 10)
        await asyncio.wait_for(record_verdict(store, "sub", internal_error("ran"), backoff_s=0), 10)
        return await store.get("sub", NOBODY), asked

    submission, asked = _with_store(make_database(backend), scenario)
    assert submission.status == "queued"
    assert [result.stderr for result in asked] == ["ran", UNSAVED.format(error="ValueError")]


def test_an_outage_longer_than_the_tries_is_given_up(backend: str, make_database: MakeDatabase) -> None:
    async def scenario(store: SubmissionStore) -> tuple[Submission, Asked]:
        asked = finish_failing(store, *[Unavailable(DATABASE_DOWN)] * 10)
        await asyncio.wait_for(
            record_verdict(store, "sub", internal_error("ran"), attempts=3, backoff_s=0), 10
        )
        return await store.get("sub", NOBODY), asked

    submission, asked = _with_store(make_database(backend), scenario)
    assert submission.status == "queued"
    assert len(asked) == 3
