"""What searching one's submissions costs (`GET /api/v1/code/submissions?mine=true&q=`): the
store's page query, with and without `q`, for one owner with many large submissions.

Run from the repository root, with a database URL per backend to measure (default: a SQLite
file in a temporary directory). The database is migrated (`execbox migrate`: on PostgreSQL with
its search index) and its submissions deleted before each size:

    .venv/bin/python bench/search_bench.py
    .venv/bin/python bench/search_bench.py postgresql+asyncpg://postgres@127.0.0.1:5432/bench

The searches: a text found in every row (the first page ends at once), one found nowhere (a
text whose trigrams are nowhere either), and one whose words are in every row but not the text
itself (each row a candidate of the trigram index, each read to be ruled out: its worst case).
Each figure is the p50 of REPEATS calls after a warm-up one. Prints a table and one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, text

from common import Host, p50, progress
from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.db.models import Submission as Row
from execbox.services.owners import Owner, token_key
from execbox.services.submission_store import SubmissionStore

SIZES = ((10_000, 1_000), (10_000, 10_000))  # (submissions, characters of code each); 10,000: MAX_CODE_LENGTH
SEARCHES = {
    "no q": None,
    "found nowhere": "zzz-nowhere",
    "found in every row": "COMPUTE",
    "its words in every row, itself nowhere": "compute(beta",
}
REPEATS = 7
PAGE = 20
LINE = "value = compute(alpha, beta) + 1  # a line of ordinary code\n"


async def fill(database: Database, owner: Owner, rows: int, chars: int) -> None:
    code = (LINE * (chars // len(LINE) + 1))[:chars]
    now = datetime.now(UTC)
    async with database.engine.begin() as connection:
        await connection.execute(delete(Row))
        for start in range(0, rows, 1_000):
            batch = [
                {
                    "id": secrets.token_urlsafe(12),
                    "created_at": now,
                    "client_ip_hash": "bench",
                    "owner_key": owner.key,
                    "visibility": "unlisted",
                    "code": code,
                    "stdin": "",
                    "status": "success",
                    "kept": False,
                }
                for _ in range(start, min(rows, start + 1_000))
            ]
            await connection.execute(insert(Row), batch)
    # The planner's statistics and a clean index, as autovacuum keeps them (VACUUM: no transaction).
    async with database.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        statement = "VACUUM ANALYZE submissions" if database.backend == "postgresql" else "ANALYZE"
        await autocommit.execute(text(statement))


async def timed_ms(store: SubmissionStore, owner: Owner, search: str | None) -> float:
    started = time.perf_counter()
    await store.page(owner, PAGE, None, search)
    return (time.perf_counter() - started) * 1000


async def measure(url: str) -> dict[str, float]:
    database = Database(url)
    await upgrade_to_head(database)
    store = SubmissionStore(database.sessions)
    owner = Owner(user_id=None, token=secrets.token_urlsafe(32))
    assert owner.key == token_key(owner.token or "")
    numbers: dict[str, float] = {}
    try:
        for rows, chars in SIZES:
            progress(f"{database.backend}: {rows} submissions of {chars} characters")
            await fill(database, owner, rows, chars)
            for name, search in SEARCHES.items():
                await timed_ms(store, owner, search)  # warm-up: the pages in the cache
                samples = [await timed_ms(store, owner, search) for _ in range(REPEATS)]
                numbers[f"{database.backend} {rows}x{chars} {name}"] = p50(samples)
    finally:
        await database.close()
    return numbers


def main() -> None:
    host = Host()
    with tempfile.TemporaryDirectory(prefix="execbox-search-bench-") as directory:
        urls = sys.argv[1:] or [f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"]
        numbers: dict[str, float] = {}
        for url in urls:
            numbers |= asyncio.run(measure(url))
    host.finish()
    print(host.describe())
    print()
    print("| database, submissions x characters, search | p50 |")
    print("|---|---|")
    for name, value in numbers.items():
        print(f"| {name} | {value:.1f} ms |")
    print()
    print(json.dumps({**host.summary(), "p50_ms": numbers, "total_s": host.total_s()}, sort_keys=True))


if __name__ == "__main__":
    main()
