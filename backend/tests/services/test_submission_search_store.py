"""The store's search (`page(..., search=)`) on real SQLite and PostgreSQL, with more rows than
its first step reads (SEARCH_WALK): every match is found, newest first, page after page, wherever
it is among the owner's rows, and nobody else's is."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, insert, text

from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.db.models import Submission as Row
from execbox.db.models import User
from execbox.services import submission_store
from execbox.services.errors import InvalidRequest
from execbox.services.owners import Owner
from execbox.services.submission_store import SEARCH_WALK, SubmissionStore
from tests.support.databases import BACKENDS, MakeDatabase

ROWS = 2 * SEARCH_WALK + 50  # the newest SEARCH_WALK, and as many older ones and more
ACCOUNT = Owner(user_id=1, token=None)
BROWSER = Owner(user_id=None, token=secrets.token_urlsafe(32))


def _code(n: int) -> str:
    """Row n's code (0 the oldest): `Needle` in every 7th, `oldie` among the 30 oldest alone,
    `fresh` among the 10 newest alone, `every` in all; `100%_/` in the 5th oldest."""
    lines = [f"value = {n}  # every row", "Needle = 1" if n % 7 == 0 else "hay = 2"]
    lines += ["print('oldie')"] * (n < 30) + ["print('fresh')"] * (n >= ROWS - 10)
    lines += ["share = '100%_/'"] * (n == 4)
    return "\n".join(lines)


async def _fill(database: Database) -> None:
    """ROWS rows each for the account and for the browser's token, oldest first, and as many of
    a stranger's, whose code has every text searched for."""
    now = datetime.now(UTC)

    def row(n: int, owner: Owner | None) -> dict[str, object]:
        return {
            "id": secrets.token_urlsafe(12),
            "created_at": now,
            "client_ip_hash": "test",
            "owner_key": None if owner is None else owner.key,
            "user_id": 2 if owner is None else owner.user_id,
            "visibility": "unlisted",
            "code": _code(n) + ("\nNeedle oldie fresh (needle 0%_/" if owner is None else ""),
            "stdin": "",
            "status": "success",
            "kept": False,
        }

    async with database.engine.begin() as connection:
        for user in (1, 2):
            await connection.execute(
                insert(User).values(id=user, email=f"{user}@example.org", password_hash="x", created_at=now)
            )
        for n in range(ROWS):
            await connection.execute(insert(Row), [row(n, ACCOUNT), row(n, BROWSER), row(n, None)])


async def _found(store: SubmissionStore, owner: Owner, search: str, limit: int) -> list[int]:
    """Every page of the search in turn; the row numbers (see `_code`) of the items listed."""
    found: list[int] = []
    cursor = None
    while True:
        page = await store.page(owner, limit, cursor, search)
        found += [int(item.code_preview.split()[2]) for item in page.items]
        if page.next_cursor is None:
            assert len(page.items) <= limit
            return found
        assert len(page.items) == limit  # only the last page is short
        cursor = page.next_cursor


SEARCHES: dict[str, Callable[[int], bool]] = {
    "needle": lambda n: n % 7 == 0,  # in some of the newest rows and of the older ones
    "OLDIE": lambda n: n < 30,  # among the older ones alone
    "fresh": lambda n: n >= ROWS - 10,  # among the newest alone
    "every row": lambda _n: True,
    "0%_/": lambda n: n == 4,  # `%`, `_` and `/` as the text
    "nowhere": lambda _n: False,
    "(needle": lambda _n: False,  # its trigrams are in every 7th row's code; the text in none
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_match_is_found_newest_first_page_after_page(backend: str, make_database: MakeDatabase) -> None:
    async def scenario() -> None:
        database = Database(make_database(backend))
        try:
            await upgrade_to_head(database)
            await _fill(database)
            store = SubmissionStore(database.sessions)
            for text, wanted in SEARCHES.items():
                expected = [n for n in reversed(range(ROWS)) if wanted(n)]
                for owner in (ACCOUNT, BROWSER):
                    for limit in (1, 7, 100):
                        assert await _found(store, owner, text, limit) == expected, (text, owner, limit)
        finally:
            await database.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("backend", ["postgresql"])
def test_on_postgresql_older_rows_are_read_by_a_bitmap_scan_of_the_owners_rows(
    backend: str, make_database: MakeDatabase
) -> None:
    """The second step's statements, as the store sent them, explained: a bitmap scan whose index
    condition names the owner (no other account's rows are read), never a walk of the table. On
    rows this few and short, reading the owner's is cheaper than the search index; with that
    index gone (in a transaction rolled back), the search index answers the same statement."""

    async def scenario() -> dict[tuple[str, str], str]:
        database = Database(make_database(backend))
        sent: list[tuple[str, Sequence[object]]] = []

        def seen(
            _conn: object, _cursor: object, statement: str, parameters: Sequence[object], *_: object
        ) -> None:
            if "ILIKE" in statement and "seq + " in statement:
                sent.append((statement, parameters))

        plans: dict[tuple[str, str], str] = {}
        try:
            await upgrade_to_head(database)
            await _fill(database)
            async with database.engine.begin() as connection:
                await connection.execute(text("ANALYZE submissions"))
            event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
            store = SubmissionStore(database.sessions)
            for search in ("nowhere", "oldie", "(needle"):
                await _found(store, ACCOUNT, search, 100)
                statement, parameters = sent[-1]
                for without in ("", "ix_submissions_user_id_seq"):
                    async with database.engine.connect() as connection, connection.begin() as transaction:
                        await connection.execute(text("SET LOCAL enable_indexscan = off"))
                        await connection.execute(text("SET LOCAL enable_seqscan = off"))
                        if without:
                            await connection.execute(text(f"DROP INDEX {without}"))
                        driver = (await connection.get_raw_connection()).driver_connection
                        assert driver is not None
                        plan = await driver.fetch("EXPLAIN " + statement, *parameters)
                        plans[search, without] = "\n".join(line[0] for line in plan)
                        await transaction.rollback()
        finally:
            await database.close()
        return plans

    plans = asyncio.run(scenario())
    for (_, without), plan in plans.items():
        assert "Seq Scan" not in plan and "Index Scan Backward" not in plan, plan
        index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        assert index_conditions and all("user_id = " in line for line in index_conditions), plan
        if without:
            assert "Bitmap Index Scan on ix_submissions_search" in plan, plan
            assert "~~*" in index_conditions[0], plan


@pytest.mark.parametrize("backend", ["postgresql"])
def test_on_postgresql_a_search_that_reads_too_long_is_refused_saying_what_to_do(
    backend: str, make_database: MakeDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its words in every row, the text itself in none: each older row is read to rule it out,
    past SEARCH_TIMEOUT_MS (1 ms here), and the search is refused as query.q, not answered 500."""
    monkeypatch.setattr(submission_store, "SEARCH_TIMEOUT_MS", 1)
    line = "value = compute(alpha, beta) + 1  # a line of ordinary code\n"

    async def scenario() -> InvalidRequest:
        database = Database(make_database(backend))
        try:
            await upgrade_to_head(database)
            now = datetime.now(UTC)
            async with database.engine.begin() as connection:
                await connection.execute(
                    insert(User).values(id=1, email="a@example.org", password_hash="x", created_at=now)
                )
                rows = [
                    {
                        "id": secrets.token_urlsafe(12),
                        "created_at": now,
                        "client_ip_hash": "test",
                        "user_id": 1,
                        "code": (line * 170)[:10_000],
                        "stdin": "",
                        "status": "success",
                    }
                    for _ in range(SEARCH_WALK + 300)
                ]
                await connection.execute(insert(Row), rows)
            store = SubmissionStore(database.sessions)
            assert len((await store.page(ACCOUNT, 20, None, "COMPUTE(alpha")).items) == 20  # the first step
            with pytest.raises(InvalidRequest) as refused:
                await store.page(ACCOUNT, 20, None, "compute(beta")
            return refused.value
        finally:
            await database.close()

    refused = asyncio.run(scenario())
    assert [field for field, _ in refused.problems] == ["query.q"]
    assert "took over 0.001 s and was stopped" in str(refused)
    assert "Type more of the text, or a rarer part of it." in str(refused)
