"""Submissions: run and save (synchronously, only successes), queue for later (202), read back."""

from __future__ import annotations

from execbox.sandbox.result import RunStatus
from execbox.schemas.execution import (
    ExecuteRequest,
    PendingStatus,
    Submission,
    SubmissionAccepted,
    SubmissionPage,
    SubmitResult,
)
from execbox.services.errors import Unavailable
from execbox.services.execution import ExecutionService
from execbox.services.owners import Owner, owner_from
from execbox.services.submission_store import SubmissionStore, new_id


class SubmissionService:
    def __init__(self, store: SubmissionStore, execution: ExecutionService) -> None:
        self.store = store
        self.execution = execution

    async def submit(self, request: ExecuteRequest, client: str, owner_token: str | None) -> SubmitResult:
        """Run the code; save the run only when it succeeded. `client` is a `client_key`; the
        run is its token's owner's (a new one's, without a token)."""
        result = await self.execution.execute(request, client)
        if result.status is not RunStatus.SUCCESS:
            return SubmitResult(**dict(result), saved=False, id=None)
        owner = owner_from(owner_token)
        saved_id = new_id()
        await self.store.save_finished(saved_id, request.code, request.stdin, result, client, owner.key)
        return SubmitResult(**dict(result), saved=True, id=saved_id, owner_token=_issued(owner))

    async def submit_later(
        self, request: ExecuteRequest, client: str, owner_token: str | None, url_of: str
    ) -> SubmissionAccepted:
        """Save the submission as queued and hand it to a runner; its verdict arrives later."""
        job = await self.execution.admit(request, client)
        owner = owner_from(owner_token)
        await self.store.save_queued(job.id, job.code, job.stdin, client, owner.key)
        try:
            await self.execution.runner.dispatch(job)
        except Unavailable:
            # The client gets a 503 and no id: leave no queued row behind that nothing will run.
            await self.store.delete(job.id)
            raise
        return SubmissionAccepted(
            id=job.id, status=PendingStatus.QUEUED, url=url_of.format(id=job.id), owner_token=_issued(owner)
        )

    async def get(self, submission_id: str) -> Submission:
        return await self.store.get(submission_id)

    async def page(self, owner_token: str | None, limit: int, cursor: str | None) -> SubmissionPage:
        """The submissions made with `owner_token`; none without one."""
        owner_key = None if owner_token is None else owner_from(owner_token).key
        return await self.store.page(owner_key, limit, cursor)


def _issued(owner: Owner) -> str | None:
    return owner.token if owner.issued else None
