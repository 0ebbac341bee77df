"""Submissions: run and save (synchronously, only successes), share a run as it ended, queue for
later (202), read back."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass

from execbox.sandbox.result import RunStatus
from execbox.schemas.accounts import AdoptedSubmissions
from execbox.schemas.execution import (
    PendingStatus,
    SharedRun,
    ShareRequest,
    Submission,
    SubmissionAccepted,
    SubmissionPage,
    SubmitRequest,
    SubmitResult,
    Visibility,
)
from execbox.services.allowances import RunClient
from execbox.services.errors import InvalidRequest, RateLimitExceeded, Unauthorized, Unavailable
from execbox.services.execution import ExecutionService
from execbox.services.input_files import NOT_SAVED_YET
from execbox.services.owners import OWNER_TOKEN_HEADER, Owner, token_key
from execbox.services.run_receipts import InvalidReceipt
from execbox.services.submission_store import SubmissionStore, new_id

# How long a client told "too many waiting" or "queue full" is asked to wait before retrying.
_RETRY_WAITING_S = 5


@dataclass(frozen=True, slots=True)
class WaitingBounds:
    """How many asynchronous submissions may wait for a verdict, and for how long."""

    in_all: int
    per_client: int
    start_deadline_s: float  # not started by then: answered without running


class SubmissionService:
    def __init__(
        self,
        store: SubmissionStore,
        execution: ExecutionService,
        waiting: WaitingBounds,
        *,
        accounts_enabled: bool,
    ) -> None:
        self.store = store
        self.execution = execution
        self.waiting = waiting
        self.accounts_enabled = accounts_enabled  # else nothing has an account: none is private
        # Counting and saving one at a time, so a burst cannot all pass the count at once (per
        # node: several API nodes may overshoot by one each).
        self._admitting = asyncio.Lock()

    async def submit(self, request: SubmitRequest, client: RunClient, owner: Owner) -> SubmitResult:
        """Run the code; save the run only when it succeeded. `client` is whom the run counts
        against (services/client_key.py); the saved run is `owner`'s (a new token's, for nobody)."""
        _refuse_files(request)
        self._check_visibility(request.visibility, owner)
        result = await self.execution.execute(request, client)
        if result.status is not RunStatus.SUCCESS:
            return SubmitResult(**dict(result), saved=False, id=None)
        owner = owner.saving()
        saved_id = new_id()
        # Saved whole even if the caller goes away (and cancels this) while it is being written.
        await asyncio.shield(
            self.store.save_finished(
                saved_id, request.code, request.stdin, result, client.key, owner, request.visibility
            )
        )
        return SubmitResult(**dict(result), saved=True, id=saved_id, owner_token=_issued(owner))

    async def submit_later(
        self, request: SubmitRequest, client: RunClient, owner: Owner, url_of: str
    ) -> SubmissionAccepted:
        """Save the submission as queued and hand it to a runner; its verdict arrives later."""
        _refuse_files(request)
        self._check_visibility(request.visibility, owner)
        owner = owner.saving()
        async with self._admitting:
            await self._check_room(client.key)  # first: a refusal for room spends no run allowance
            job = await self.execution.admit(request, client, synchronous=False)
            job = dataclasses.replace(job, start_by=time.time() + self.waiting.start_deadline_s, wait=False)
            await self.store.save_queued(job.id, job.code, job.stdin, client.key, owner, request.visibility)
        try:
            await self.execution.runner.dispatch(job)
        except Unavailable:
            # The client gets a 503 and no id: leave no queued row behind that nothing will run.
            await self.store.delete(job.id)
            raise
        return SubmissionAccepted(
            id=job.id, status=PendingStatus.QUEUED, url=url_of.format(id=job.id), owner_token=_issued(owner)
        )

    async def _check_room(self, client: str) -> None:
        bounds = self.waiting
        if await self.store.count_pending(client) >= bounds.per_client:
            raise RateLimitExceeded(
                f"{bounds.per_client} waiting at once",
                _RETRY_WAITING_S,
                "submissions waiting for a verdict",
                client,
                reason="async_waiting",
            )
        if await self.store.count_pending() >= bounds.in_all:
            raise Unavailable(
                f"The queue of submissions is full ({bounds.in_all} are waiting); try again shortly."
            )

    async def share(self, request: ShareRequest, client: RunClient, owner: Owner, url_of: str) -> SharedRun:
        """Save a run the server returned (its receipt proves it), as it ended: failing, timed out
        or stopped too, and kept whatever its verdict. Counts as one of `client`'s runs."""
        try:
            self.execution.receipts.check(request.receipt, request.code, request.stdin, request.result)
        except InvalidReceipt as error:
            raise InvalidRequest(str(error), [("body.receipt", str(error))]) from None
        self._check_visibility(request.visibility, owner)
        # Against the client's run allowance, but never in execbox_runs_refused_total: a share starts no run.
        limiter, limit = self.execution.rate_limiter, client.allowance.rate_limit
        if limiter is not None and limit is not None:
            await limiter.hit(client.key, limit)
        owner = owner.saving()
        saved_id = new_id()
        result = request.result.model_copy(update={"receipt": None})
        saving = self.store.save_finished(
            saved_id, request.code, request.stdin, result, client.key, owner, request.visibility, kept=True
        )
        await asyncio.shield(saving)
        return SharedRun(id=saved_id, url=url_of.format(id=saved_id), owner_token=_issued(owner))

    async def get(self, submission_id: str, reader: Owner) -> Submission:
        return await self.store.get(submission_id, reader)

    async def delete(self, submission_id: str, owner: Owner) -> None:
        await self.store.delete_own(submission_id, owner)

    async def page(
        self, owner: Owner, limit: int, cursor: str | None, *, mine: bool, search: str | None = None
    ) -> SubmissionPage:
        """The caller's own submissions: its account's, else its owner token's; none for nobody.
        `mine` insists on the account: Unauthorized without credentials. `search`: only those whose
        code contains it (a token's list too: searching one's own list shows nobody else's)."""
        if mine and owner.user_id is None:
            if not self.accounts_enabled:
                message = "This server has no accounts: leave out mine=true to list your X-Owner-Token's."
                raise InvalidRequest(message, [("query.mine", message)])
            raise Unauthorized(
                "mine=true lists an account's submissions: send `Authorization: Bearer <access_token "
                "or API key>` (POST /api/v1/auth/token), or leave mine out to list your X-Owner-Token's."
            )
        return await self.store.page(owner, limit, cursor, search)

    async def adopt(self, user_id: int, owner_token: str | None) -> AdoptedSubmissions:
        """Move what was made with `owner_token` and no account to account `user_id`: a browser
        used anonymously, then signed in, finds its submissions under the account. The token's
        shape is checked where it is read (the header's pattern)."""
        if owner_token is None:
            message = (
                f"Send the owner token whose submissions the account takes, as `{OWNER_TOKEN_HEADER}`: "
                "the `owner_token` your first submission without credentials answered with."
            )
            raise InvalidRequest(message, [(f"header.{OWNER_TOKEN_HEADER}", message)])
        return AdoptedSubmissions(adopted=await self.store.adopt(token_key(owner_token), user_id))

    def _check_visibility(self, visibility: Visibility, owner: Owner) -> None:
        if visibility is Visibility.UNLISTED or owner.user_id is not None:
            return
        if self.accounts_enabled:
            message = (
                "A private submission is its account's alone, so it needs one: send `Authorization: "
                "Bearer <access_token or API key>`, or save it `unlisted` (readable by whoever has its link)."
            )
        else:
            message = (
                "This server has no accounts, so nothing saved on it can be private: save it `unlisted` "
                "(readable by whoever has its link)."
            )
        raise InvalidRequest(message, [("body.visibility", message)])


def _refuse_files(request: SubmitRequest) -> None:
    """Never run a submission without the files it was sent with: saving them is to come."""
    if request.files:
        raise InvalidRequest(NOT_SAVED_YET, [("body.files", NOT_SAVED_YET)])


def _issued(owner: Owner) -> str | None:
    return owner.token if owner.issued else None
