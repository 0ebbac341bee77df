"""Saved submissions: store, fetch and page through them (newest first, keyset pagination)."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from execbox.db.models import Submission as SubmissionRow
from execbox.sandbox.result import RunStatus
from execbox.schemas.execution import (
    ErrorOut,
    ExecuteRequest,
    ExecutionResult,
    Submission,
    SubmissionPage,
    SubmissionSummary,
    SubmitResult,
    TruncatedOut,
)
from execbox.services.errors import InvalidRequest, NotFound, Unavailable
from execbox.services.execution import ExecutionService

_PREVIEW_CHARS = 80
_MAX_SEQ = 2**63 - 1  # BIGINT
# What `secrets.token_urlsafe` hands out; anything else cannot name a submission.
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if decoded.startswith("s") and decoded[1:].isdigit() and 0 < int(decoded[1:]) <= _MAX_SEQ:
            return int(decoded[1:])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidRequest(f"cursor {cursor!r} is not one this API handed out; use `next_cursor` of a page")


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


def _to_submission(row: SubmissionRow) -> Submission:
    error = None
    if row.error_type is not None:
        error = ErrorOut(type=row.error_type, message=row.error_message or "", line=row.error_line)
    return Submission(
        id=row.id,
        code=row.code,
        stdin=row.stdin,
        created_at=row.created_at,
        status=RunStatus(row.status),
        exit_code=row.exit_code,
        signal=row.signal,
        stdout=row.stdout,
        stderr=row.stderr,
        truncated=TruncatedOut(stdout=row.stdout_truncated, stderr=row.stderr_truncated),
        error=error,
        wall_ms=row.wall_ms,
        cpu_ms=row.cpu_ms,
        memory_kb=row.memory_kb,
    )


class SubmissionService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], execution: ExecutionService) -> None:
        self.sessions = sessions
        self.execution = execution

    async def submit(self, request: ExecuteRequest, client: str) -> SubmitResult:
        """Run the code; save the run only when it succeeded. `client` is a `client_key`."""
        result = await self.execution.execute(request, client)
        saved_id = None
        if result.status is RunStatus.SUCCESS:
            saved_id = await self._save(request, result, client)
        return SubmitResult(**dict(result), saved=saved_id is not None, id=saved_id)

    async def _save(self, request: ExecuteRequest, result: ExecutionResult, client_ip_hash: str) -> str:
        row = SubmissionRow(
            id=secrets.token_urlsafe(12),
            created_at=datetime.now(UTC),
            client_ip_hash=client_ip_hash,
            code=request.code,
            stdin=request.stdin,
            status=result.status.value,
            exit_code=result.exit_code,
            signal=result.signal,
            stdout=result.stdout,
            stdout_truncated=result.truncated.stdout,
            stderr=result.stderr,
            stderr_truncated=result.truncated.stderr,
            error_type=result.error.type if result.error else None,
            error_message=result.error.message if result.error else None,
            error_line=result.error.line if result.error else None,
            wall_ms=result.wall_ms,
            cpu_ms=result.cpu_ms,
            memory_kb=result.memory_kb,
        )
        async with database_errors(), self.sessions.begin() as session:
            session.add(row)
        return row.id

    async def get(self, submission_id: str) -> Submission:
        if not _ID_PATTERN.fullmatch(submission_id):
            raise NotFound(f"There is no submission with id {submission_id!r}.")
        async with database_errors(), self.sessions() as session:
            row = await session.scalar(select(SubmissionRow).where(SubmissionRow.id == submission_id))
        if row is None:
            raise NotFound(f"There is no submission with id {submission_id!r}.")
        return _to_submission(row)

    async def page(self, limit: int, cursor: str | None) -> SubmissionPage:
        columns = (SubmissionRow.seq, SubmissionRow.id, SubmissionRow.created_at, SubmissionRow.status)
        query = (
            select(*columns, SubmissionRow.code, SubmissionRow.wall_ms)
            .order_by(SubmissionRow.seq.desc())
            .limit(limit + 1)
        )
        if cursor is not None:
            query = query.where(SubmissionRow.seq < _decode_cursor(cursor))
        async with database_errors(), self.sessions() as session:
            rows = list(await session.execute(query))
        more = len(rows) > limit
        rows = rows[:limit]
        return SubmissionPage(
            items=[
                SubmissionSummary(
                    id=row.id,
                    created_at=row.created_at,
                    status=RunStatus(row.status),
                    code_preview=_preview(row.code),
                    wall_ms=row.wall_ms,
                )
                for row in rows
            ],
            next_cursor=_encode_cursor(rows[-1].seq) if more else None,
        )
