"""Run a request's code: the code policy first, then the client's share and the rate limit (its
allowance's: services/allowances.py), then a runner (after a wait for a turn, if the request asked
for one)."""

from __future__ import annotations

import time

from execbox import metrics
from execbox.policy import CodePolicy, check
from execbox.sandbox.errors import LimitError
from execbox.sandbox.limits import LimitPolicy, LimitRequest
from execbox.schemas.execution import ExecuteRequest, ExecutionResult
from execbox.services.allowances import RunClient
from execbox.services.client_share import Share
from execbox.services.errors import InvalidRequest, PolicyRejected, RateLimitExceeded
from execbox.services.input_files import InputFileLimits
from execbox.services.live_session import LiveSession
from execbox.services.rate_limit import RateLimiter
from execbox.services.run_receipts import RunReceipts
from execbox.services.runners.base import Job, Runner
from execbox.services.submission_store import new_id


class ExecutionService:
    def __init__(
        self,
        runner: Runner,
        limits: LimitPolicy,
        policy: CodePolicy | None,
        rate_limiter: RateLimiter | None,
        max_stdin_length: int,
        receipts: RunReceipts,
        share: Share,
        run_wait_max_s: float,
        input_files: InputFileLimits,
    ) -> None:
        self.runner = runner
        self.receipts = receipts
        self.share = share
        self.limits = limits
        self.policy = policy  # None: the operator switched the static policy off
        self.rate_limiter = rate_limiter  # None: no limit (e.g. behind a gateway that limits)
        self.max_stdin_length = max_stdin_length
        self.run_wait_max_s = run_wait_max_s
        self.input_files = input_files

    async def admit(self, request: ExecuteRequest, client: RunClient, synchronous: bool = True) -> Job:
        """Check `request` and count it against `client`'s rate limit: the job to run. A
        synchronous run (its caller waits for it) is checked against the client's share too.

        Only requests that will reach the sandbox count: a user fixing policy violations in the
        editor does not use up their runs."""
        if self.policy is not None:
            violations = check(request.code, self.policy)
            if violations:
                raise PolicyRejected(violations)
        if len(request.stdin) > self.max_stdin_length:
            message = (
                f"stdin is {len(request.stdin)} characters long; at most {self.max_stdin_length} are allowed"
            )
            raise InvalidRequest(message, [("body.stdin", message)])
        files = self.input_files.admit(request.files or [])
        asked = LimitRequest(**request.limits.model_dump()) if request.limits else None
        try:
            limits = self.limits.resolve(asked)
        except LimitError as error:
            problems = [(f"body.limits.{error.limit}", str(error))] if error.limit else []
            raise InvalidRequest(str(error), problems) from None
        if synchronous:  # first: a refusal for the share spends no run allowance
            await self.share.check(client, request.wait)
        await self._count_run(client)
        metrics.RUNS_ADMITTED.inc()
        start_by = time.time() + self.run_wait_max_s if request.wait else None
        return Job(
            id=new_id(),
            code=request.code,
            stdin=request.stdin,
            files=files,
            limits=limits,
            start_by=start_by,
            client=client.key,
            wait=request.wait,
        )

    async def _count_run(self, client: RunClient) -> None:
        """Count one run against `client`'s rate limit, or refuse it (`RateLimitExceeded`)."""
        limit = client.allowance.rate_limit
        if self.rate_limiter is None or limit is None:
            return
        try:
            await self.rate_limiter.hit(client.key, limit)
        except RateLimitExceeded:
            metrics.RUNS_REFUSED.labels("rate_limit").inc()
            raise

    async def execute(self, request: ExecuteRequest, client: RunClient) -> ExecutionResult:
        """Run `request` for `client` and wait for the verdict."""
        job = await self.admit(request, client)
        async with self.share.holding(client, job.id, job.start_by):
            return await self.run(job)

    async def run(self, job: Job, live: LiveSession | None = None) -> ExecutionResult:
        """Run an admitted job and wait for the verdict, with its receipt (live: see `LiveSession`).
        A synchronous run holds one of its client's share meanwhile (`share.holding`)."""
        started = time.monotonic()
        metrics.RUNS_IN_PROGRESS.inc()
        try:
            result = await self.runner.run(job, live)
        finally:
            metrics.RUNS_IN_PROGRESS.dec()
        metrics.RUNS.labels(result.status.value).inc()
        metrics.RUN_SECONDS.observe(time.monotonic() - started)
        stdin = job.stdin + (live.typed_stdin if live is not None else "")
        return result.model_copy(update={"receipt": self.receipts.issue(job.code, stdin, result)})
