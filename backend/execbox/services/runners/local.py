"""Runs in this process's sandbox engine (the embedded mode, and what a queue worker uses)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from execbox import metrics
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.errors import (
    SandboxBusy,
    SandboxClosed,
    SandboxError,
    SandboxFull,
    SandboxInternalError,
)
from execbox.sandbox.limits import LimitRequest
from execbox.schemas.execution import ExecutionResult
from execbox.services.errors import NoTurnInTime, ServerFull, Unavailable
from execbox.services.live_session import LiveSession
from execbox.services.presenter import internal_error, present
from execbox.services.runners.base import Job, RuntimeVersions
from execbox.services.sanitize import Sanitizer
from execbox.services.submission_store import SubmissionStore
from execbox.services.verdicts import failed, mark_running, record_verdict, verdict_of

log = logging.getLogger(__name__)

NOT_STARTED = (
    "The run was not started: it waited for a free sandbox longer than a waiting submission may "
    "(ASYNC_START_DEADLINE). Submit it again when the service is less busy."
)


class LocalRunner:
    def __init__(self, engine: SandboxEngine, store: SubmissionStore, refuse_when_full: bool = False) -> None:
        """`refuse_when_full`: a job without a start deadline (its caller is waiting for the
        answer) that finds every sandbox busy raises `ServerFull` at once instead of waiting
        for one (the API's own engine). A job with one (a waiting submission) waits its turn
        until then, and so does every job of a queue worker (refuse_when_full=False)."""
        self.engine = engine
        self.store = store
        self.refuse_when_full = refuse_when_full
        self._sanitize: Sanitizer | None = None
        self._background: set[asyncio.Task[None]] = set()

    async def run(self, job: Job, live: LiveSession | None = None) -> ExecutionResult:
        """The verdict of `job`; raises only `Unavailable` (the sandbox cannot run code now)."""
        try:
            return await self._run(job, live)
        except Unavailable:
            raise
        except Exception as error:  # a bug of ours (engine, presenting) must not become a 500
            log.exception("run %s: the service failed it", job.id)
            return failed(error)

    async def _run(self, job: Job, live: LiveSession | None) -> ExecutionResult:
        limits = LimitRequest(**dataclasses.asdict(job.limits))
        wait = job.wait or job.start_by is not None or not self.refuse_when_full
        try:
            sanitize = self._sanitizer()
            if live is not None:
                live.clean_stderr = sanitize
            result = await self.engine.run(
                job.code,
                job.stdin,
                limits,
                live.io if live else None,
                job.start_by,
                wait,
                job.client,
                files=job.files,
            )
        except SandboxFull:
            metrics.RUNS_REFUSED.labels("node_full").inc()
            raise ServerFull(self.engine.config.capacity) from None
        except SandboxBusy:
            if job.wait:
                raise NoTurnInTime from None
            return internal_error(NOT_STARTED)
        except (SandboxClosed, SandboxInternalError) as error:
            raise Unavailable(f"The sandbox cannot run code now ({error}); try again shortly.") from None
        if live is not None:
            live.flush()
            if result.reason is not None:
                live.emit("stderr", result.reason + "\n")
        return present(result, sanitize)

    def _sanitizer(self) -> Sanitizer:
        if self._sanitize is None:
            self._sanitize = Sanitizer.for_runtime(self.engine.runtime)
        return self._sanitize

    async def dispatch(self, job: Job) -> None:
        task = asyncio.get_running_loop().create_task(self._run_submission(job))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _run_submission(self, job: Job) -> None:
        """No step raises (see services.verdicts): the submission always ends with a verdict."""
        await mark_running(self.store, job.id)
        result = await verdict_of(self.run(job), job.id)
        await record_verdict(self.store, job.id, result)

    def stop_admitting(self) -> None:
        self.engine.stop_admitting()

    async def versions(self) -> RuntimeVersions:
        runtime = self.engine.runtime
        return RuntimeVersions(python=runtime.python, packages=runtime.packages)

    async def state(self) -> str:
        try:
            self.engine.runtime  # noqa: B018 -- raises when the engine is not running
        except SandboxError:
            return "unavailable"
        return "ready"

    async def observe(self) -> None:
        """Nothing beyond what each run counts as it goes."""

    async def drain(self) -> None:
        """Wait for background runs (graceful shutdown)."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
