"""Submissions in the database: one place for every read and write, each its own transaction.

Used by the API and by queue workers (which write the verdicts of runs they did)."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, delete, false, func, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from execbox.db.models import Submission as Row
from execbox.sandbox.result import RunStatus
from execbox.schemas.execution import (
    CURSOR_PATTERN,
    ErrorOut,
    ExecutionResult,
    PendingStatus,
    RichResultOut,
    Submission,
    SubmissionPage,
    SubmissionStatus,
    SubmissionSummary,
    TruncatedOut,
    Visibility,
)
from execbox.services.errors import Conflict, InvalidRequest, NotFound, Unavailable
from execbox.services.owners import Owner

_PREVIEW_CHARS = 80
# Any cursor of this form is a place in the owner's list (the page after that submission).
CURSOR_FORMAT = re.compile(CURSOR_PATTERN)
# What `new_id` hands out; anything else cannot name a submission.
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
_PENDING = (PendingStatus.QUEUED.value, PendingStatus.RUNNING.value)  # still waiting for a verdict
# On PostgreSQL a search reads this many of the owner's newest rows before it looks at the older
# ones another way (`_search`): more than a page of 100 matches and one to spare, a few ms of code.
SEARCH_WALK = 200
# What the second step may take on PostgreSQL (a statement_timeout), when the search index cannot
# narrow a search down: its words fill the owner's code, so each row must be read. Then 422.
SEARCH_TIMEOUT_MS = 3_000
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by its timeout


def new_id() -> str:
    return secrets.token_urlsafe(12)


def _status(value: str) -> SubmissionStatus:
    return PendingStatus(value) if value in PendingStatus.__members__.values() else RunStatus(value)


def _encode_cursor(seq: int) -> str:
    return str(seq)


def _decode_cursor(cursor: str) -> int:
    if CURSOR_FORMAT.fullmatch(cursor):
        return int(cursor)
    message = f"cursor {cursor!r} is not one this API handed out; use `next_cursor` of a page"
    raise InvalidRequest(message, [("query.cursor", message)])


@asynccontextmanager
async def database_errors() -> AsyncIterator[None]:
    try:
        yield
    except (OperationalError, InterfaceError, SQLAlchemyTimeoutError, OSError) as error:
        raise Unavailable(
            f"The database is unavailable ({type(error).__name__}); nothing was changed, try again shortly."
        ) from error


def _preview(code: str) -> str:
    first = next((line.strip() for line in code.splitlines() if line.strip()), "")
    return first if len(first) <= _PREVIEW_CHARS else first[: _PREVIEW_CHARS - 1] + "…"


def _result_columns(result: ExecutionResult) -> dict[str, object]:
    return {
        "status": result.status.value,
        "exit_code": result.exit_code,
        "signal": result.signal,
        "stdout": result.stdout,
        "stdout_truncated": result.truncated.stdout,
        "stderr": result.stderr,
        "stderr_truncated": result.truncated.stderr,
        "error_type": result.error.type if result.error else None,
        "error_message": result.error.message if result.error else None,
        "error_line": result.error.line if result.error else None,
        "wall_ms": result.wall_ms,
        "cpu_ms": result.cpu_ms,
        "memory_kb": result.memory_kb,
        "results": [item.model_dump() for item in result.results],
        "finished_at": datetime.now(UTC),
    }


def _to_submission(row: Row) -> Submission:
    error = None
    if row.error_type is not None:
        error = ErrorOut(type=row.error_type, message=row.error_message or "", line=row.error_line)
    truncated = None
    if row.stdout_truncated is not None and row.stderr_truncated is not None:
        truncated = TruncatedOut(stdout=row.stdout_truncated, stderr=row.stderr_truncated)
    return Submission(
        id=row.id,
        code=row.code,
        stdin=row.stdin,
        created_at=row.created_at,
        finished_at=row.finished_at,
        status=_status(row.status),
        exit_code=row.exit_code,
        signal=row.signal,
        stdout=row.stdout,
        stderr=row.stderr,
        truncated=truncated,
        error=error,
        wall_ms=row.wall_ms,
        cpu_ms=row.cpu_ms,
        memory_kb=row.memory_kb,
        results=None
        if row.finished_at is None
        else [RichResultOut.model_validate(item) for item in row.results or []],
        visibility=Visibility(row.visibility),
    )


class SubmissionStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def save_finished(
        self,
        submission_id: str,
        code: str,
        stdin: str,
        result: ExecutionResult,
        client: str,
        owner: Owner,
        visibility: Visibility = Visibility.UNLISTED,
        kept: bool = False,
    ) -> None:
        """`kept`: saved by choice, never forgotten by the retention sweep (see `retention`)."""
        columns = {**_result_columns(result), "kept": kept}
        await self._insert(submission_id, code, stdin, client, owner, visibility, columns)

    async def save_queued(
        self,
        submission_id: str,
        code: str,
        stdin: str,
        client: str,
        owner: Owner,
        visibility: Visibility = Visibility.UNLISTED,
    ) -> None:
        columns: dict[str, object] = {"status": PendingStatus.QUEUED.value}
        await self._insert(submission_id, code, stdin, client, owner, visibility, columns)

    async def _insert(
        self,
        submission_id: str,
        code: str,
        stdin: str,
        client: str,
        owner: Owner,
        visibility: Visibility,
        columns: dict[str, object],
    ) -> None:
        row = Row(
            id=submission_id,
            created_at=datetime.now(UTC),
            client_ip_hash=client,
            owner_key=owner.key,
            user_id=owner.user_id,
            visibility=visibility.value,
            code=code,
            stdin=stdin,
            **columns,
        )
        async with database_errors(), self.sessions.begin() as session:
            session.add(row)

    async def delete(self, submission_id: str) -> None:
        async with database_errors(), self.sessions.begin() as session:
            await session.execute(delete(Row).where(Row.id == submission_id))

    async def mark_running(self, submission_id: str) -> None:
        async with database_errors(), self.sessions.begin() as session:
            await session.execute(
                update(Row)
                .where(Row.id == submission_id, Row.status == PendingStatus.QUEUED.value)
                .values(status=PendingStatus.RUNNING.value)
            )

    async def finish(self, submission_id: str, result: ExecutionResult) -> bool:
        """Record the verdict of a pending submission; False when it already had one."""
        async with database_errors(), self.sessions.begin() as session:
            outcome = await session.execute(
                update(Row)
                .where(Row.id == submission_id, Row.status.in_(_PENDING))
                .values(**_result_columns(result))
            )
        return bool(outcome.rowcount)  # type: ignore[attr-defined]

    async def pending_since(self, cutoff: datetime) -> list[str]:
        """The submissions still waiting for a verdict that were created before `cutoff`."""
        async with database_errors(), self.sessions() as session:
            rows = await session.scalars(
                select(Row.id).where(Row.status.in_(_PENDING), Row.created_at < cutoff).order_by(Row.seq)
            )
            return list(rows)

    async def finish_pending(self, result: ExecutionResult) -> int:
        """Give every pending submission `result` as its verdict; how many there were."""
        async with database_errors(), self.sessions.begin() as session:
            outcome = await session.execute(
                update(Row).where(Row.status.in_(_PENDING)).values(**_result_columns(result))
            )
        return int(outcome.rowcount)  # type: ignore[attr-defined]

    async def count_pending(self, client: str | None = None) -> int:
        """Submissions still waiting for a verdict: all of them, or one client's."""
        query = select(func.count()).select_from(Row).where(Row.status.in_(_PENDING))
        if client is not None:
            query = query.where(Row.client_ip_hash == client)
        async with database_errors(), self.sessions() as session:
            return int(await session.scalar(query) or 0)

    async def delete_finished_before(self, cutoff: datetime, statuses: frozenset[str]) -> int:
        """Forget the submissions that ended with one of `statuses` before `cutoff`, but those
        saved by choice; how many."""
        async with database_errors(), self.sessions.begin() as session:
            outcome = await session.execute(
                delete(Row).where(Row.status.in_(statuses), Row.finished_at < cutoff, Row.kept.is_(False))
            )
        return int(outcome.rowcount)  # type: ignore[attr-defined]

    async def get(self, submission_id: str, reader: Owner) -> Submission:
        """The submission, when `reader` may read it: a private one is its account's alone, and
        to anybody else it does not exist (404, never 403: an id tells nothing)."""
        nowhere = NotFound(f"There is no submission with id {submission_id!r}.")
        if not _ID_PATTERN.fullmatch(submission_id):
            raise nowhere
        async with database_errors(), self.sessions() as session:
            row = await session.scalar(select(Row).where(Row.id == submission_id))
        if row is None or (row.visibility == Visibility.PRIVATE and row.user_id != reader.user_id):
            raise nowhere
        return _to_submission(row)

    async def delete_own(self, submission_id: str, owner: Owner) -> None:
        """Forget one of `owner`'s submissions, once it has its verdict (a worker may be writing
        one); NotFound for any other, as if there were none."""
        async with database_errors(), self.sessions.begin() as session:
            row = await session.scalar(
                select(Row).where(Row.id == submission_id, _owned_by(owner)).with_for_update()
            )
            if row is None:
                raise NotFound(f"You have no submission with id {submission_id!r}.")
            if row.status in _PENDING:
                raise Conflict(
                    f"Submission {submission_id!r} is still {row.status}: delete it once it has its verdict."
                )
            await session.delete(row)

    async def adopt(self, owner_key: str, user_id: int) -> int:
        """Give account `user_id` every submission made with the owner token whose hash is
        `owner_key` and with no account, as they are (visibility, verdict); how many. One UPDATE
        on the owner's index, so idempotent: the token owns none of them afterwards (its hash is
        cleared), and a second call finds nothing. Pending ones are taken too: a worker writes a
        verdict by id (`finish`), whoever owns the row by then."""
        async with database_errors(), self.sessions.begin() as session:
            outcome = await session.execute(
                update(Row)
                .where(Row.owner_key == owner_key, Row.user_id.is_(None))
                .values(user_id=user_id, owner_key=None)
            )
        return int(outcome.rowcount)  # type: ignore[attr-defined]

    async def page(
        self, owner: Owner, limit: int, cursor: str | None, search: str | None = None
    ) -> SubmissionPage:
        """The owner's submissions, newest first: its account's when it has one, else its owner
        token's; nobody's for nobody. `search`: only those whose code contains it, case aside."""
        before = None if cursor is None else _decode_cursor(cursor)  # checked either way
        if owner.nobody:
            return SubmissionPage(items=[], next_cursor=None)
        owned = _owned_by(owner) if before is None else and_(_owned_by(owner), Row.seq < before)
        # One transaction (autobegun, rolled back at the end): a search's SET LOCAL lasts its page.
        async with database_errors(), self.sessions() as session:
            if search is None:
                rows = list(await session.execute(_summaries(owned, limit + 1)))
            else:
                rows = await _search(session, owned, search, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return SubmissionPage(
            items=[
                SubmissionSummary(
                    id=row.id,
                    created_at=row.created_at,
                    status=_status(row.status),
                    code_preview=_preview(row.code),
                    wall_ms=row.wall_ms,
                    visibility=Visibility(row.visibility),
                )
                for row in rows
            ],
            next_cursor=_encode_cursor(rows[-1].seq) if more else None,
        )


def _summaries(
    where: ColumnElement[bool], count: int
) -> Select[int, str, datetime, str, str, float | None, str]:
    return (
        select(Row.seq, Row.id, Row.created_at, Row.status, Row.code, Row.wall_ms, Row.visibility)
        .where(where)
        .order_by(Row.seq.desc())
        .limit(count)
    )


def _contains(code: SQLColumnExpression[str], text: str, dialect: str) -> ColumnElement[bool]:
    """The code contains `text`, case aside for ASCII letters; `%`, `_` and the escape character
    `/` are the text, not wildcards. PostgreSQL: ILIKE, which the search index answers. SQLite:
    LIKE, which folds ASCII letters itself (no lower() copy of each row's code)."""
    pattern = "%" + re.sub(r"([/%_])", r"/\1", text) + "%"
    return code.ilike(pattern, escape="/") if dialect == "postgresql" else code.like(pattern, escape="/")


async def _search(session: AsyncSession, owned: ColumnElement[bool], text: str, count: int) -> list[Any]:
    """The first `count` rows in `owned`, newest first, whose code contains `text`, reading the
    owner's rows alone. SQLite walks them newest first (the owner's index) until it has `count`.
    PostgreSQL's plan would hang on its guess of how often the text is found, made from every
    account's rows (or not at all, for code over 1 KB): guessing often, it walks the whole table
    newest first, matching every account's code on the way. So there, two steps:

    1. The owner's SEARCH_WALK newest rows (a subquery with its own LIMIT, which the outer match
       does not enter: at most that many rows' code is matched). A text found often ends here.
    2. If they held too few and the owner has older rows: the older ones, through a bitmap scan
       of the search index (the owner's rows holding every trigram of the text) or of the
       owner's index, never an index walk: index and sequential scans are off for this one
       statement, and the bound on `seq` is no index condition. It may take SEARCH_TIMEOUT_MS;
       then the search is refused (InvalidRequest)."""
    if session.get_bind().dialect.name != "postgresql":
        return list(
            await session.execute(_summaries(and_(owned, _contains(Row.code, text, "sqlite")), count))
        )
    newest = _summaries(owned, SEARCH_WALK).subquery()
    first = select(newest).where(_contains(newest.c.code, text, "postgresql")).order_by(newest.c.seq.desc())
    found = list(await session.execute(first.limit(count)))
    if len(found) >= count:
        return found
    walked = select(Row.seq).where(owned).order_by(Row.seq.desc()).limit(SEARCH_WALK).subquery()
    read, oldest = (await session.execute(select(func.count(), func.min(walked.c.seq)))).one()
    if read < SEARCH_WALK:
        return found  # that was all of the owner's rows
    for setting in (
        "enable_indexscan = off",
        "enable_seqscan = off",
        f"statement_timeout = {SEARCH_TIMEOUT_MS}",
    ):
        await session.execute(sql_text(f"SET LOCAL {setting}"))
    # `seq + 0`: no index condition, so no bitmap of every account's older rows.
    older = and_(owned, Row.seq + 0 < oldest, _contains(Row.code, text, "postgresql"))
    try:
        return found + list(await session.execute(_summaries(older, count - len(found))))
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != _QUERY_CANCELED:
            raise
        message = (
            f"Searching your code for this text took over {SEARCH_TIMEOUT_MS / 1000:g} s and was stopped: "
            "most of your submissions hold its words (or it has no letter or digit), and each had to be "
            "read. Type more of the text, or a rarer part of it."
        )
        raise InvalidRequest(message, [("query.q", message)]) from None


def _owned_by(owner: Owner) -> ColumnElement[bool]:
    """An account owns what was made with its credentials; a token what was made with it alone."""
    if owner.user_id is not None:
        return Row.user_id == owner.user_id
    if owner.key is not None:
        return Row.owner_key == owner.key
    return false()
