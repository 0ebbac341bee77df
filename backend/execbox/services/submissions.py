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
from execbox.services.submission_store import SubmissionStore, new_id


class SubmissionService:
    def __init__(self, store: SubmissionStore, execution: ExecutionService) -> None:
        self.store = store
        self.execution = execution

    async def submit(self, request: ExecuteRequest, client: str) -> SubmitResult:
        """Run the code; save the run only when it succeeded. `client` is a `client_key`."""
        result = await self.execution.execute(request, client)
        saved_id = None
        if result.status is RunStatus.SUCCESS:
            saved_id = new_id()
            await self.store.save_finished(saved_id, request.code, request.stdin, result, client)
        return SubmitResult(**dict(result), saved=saved_id is not None, id=saved_id)

    async def submit_later(self, request: ExecuteRequest, client: str, url_of: str) -> SubmissionAccepted:
        """Save the submission as queued and hand it to a runner; its verdict arrives later."""
        job = await self.execution.admit(request, client)
        await self.store.save_queued(job.id, job.code, job.stdin, client)
        try:
            await self.execution.runner.dispatch(job)
        except Unavailable:
            # The client gets a 503 and no id: leave no queued row behind that nothing will run.
            await self.store.delete(job.id)
            raise
        return SubmissionAccepted(id=job.id, status=PendingStatus.QUEUED, url=url_of.format(id=job.id))

    async def get(self, submission_id: str) -> Submission:
        return await self.store.get(submission_id)

    async def page(self, limit: int, cursor: str | None) -> SubmissionPage:
        return await self.store.page(limit, cursor)
