"""The sandbox engine: the one object the rest of execbox talks to.

    async with SandboxEngine(SandboxConfig()) as engine:
        result = await engine.run("print(1)")

`run` is safe to call concurrently; at most `config.concurrency` programs run at once and the
rest wait their turn.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from types import TracebackType

from execbox.sandbox import cgroups, layout, preflight
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.errors import InvalidInput, SandboxClosed, SandboxUnavailable
from execbox.sandbox.execution import execute
from execbox.sandbox.guest.protocol import SandboxPlan
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.live import LiveIO
from execbox.sandbox.pool import ChildPool
from execbox.sandbox.result import RunResult
from execbox.sandbox.template_process import RuntimeInfo, TemplateProcess
from execbox.sandbox.uid_lease import UidLease

log = logging.getLogger(__name__)


class SandboxEngine:
    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self._pool: ChildPool | None = None
        self._template: TemplateProcess | None = None
        self._cgroups: cgroups.CgroupManager | None = None
        self._root_dir: str | None = None
        self._permits = asyncio.Semaphore(self.config.concurrency)
        self._runtime: RuntimeInfo | None = None
        # Rootless, every run has the service's own uid (isolated by PID namespaces instead).
        slot_uids = (
            [] if self.config.rootless else [self.config.first_uid + s for s in range(self.config.slots)]
        )
        self._uids = UidLease(slot_uids)

    @property
    def runtime(self) -> RuntimeInfo:
        if self._runtime is None:
            raise SandboxClosed("the sandbox engine is not started")
        return self._runtime

    async def start(self) -> None:
        problems = preflight.problems()
        if problems:
            raise SandboxUnavailable(problems)
        try:
            self._uids.acquire()
            self._cgroups = cgroups.detect()
            self._root_dir = tempfile.mkdtemp(prefix="execbox-root-")
            self._template = TemplateProcess(
                python=self.config.runtime / "bin" / "python",
                preload=self.config.preload,
                environment=layout.environment(self.config),
                plan_for=self._plan,
            )
            self._runtime = await self._template.start()
            self._pool = ChildPool(self.config, self._cgroups, self._template)
            await self._pool.fill()
        except BaseException as error:
            await self.close()
            if isinstance(error, SandboxUnavailable):
                raise
            raise SandboxUnavailable([str(error)]) from error

    def _plan(self, runtime: RuntimeInfo) -> SandboxPlan:
        assert self._root_dir is not None
        paths = layout.RuntimePaths(runtime.prefix, runtime.base_prefix)
        return layout.plan(self.config, paths, self._root_dir, self._uids.uids)

    async def run(
        self, code: str, stdin: str = "", limits: LimitRequest | None = None, live: LiveIO | None = None
    ) -> RunResult:
        """Runs `code` and waits for its verdict. With `live`, output is also handed over as it
        is read, stdin stays open for what `live` is sent, and `live.stop()` ends the run."""
        resolved = self.config.limits.resolve(limits)
        try:
            stdin_bytes = stdin.encode()
            code.encode()
        except UnicodeEncodeError as error:
            raise InvalidInput(f"code and stdin must be valid Unicode text: {error}") from None
        pool = self._pool
        if pool is None:
            raise SandboxClosed("the sandbox engine is not started")
        async with self._permits:
            child = await pool.take()
            try:
                return await execute(child, code, stdin_bytes, resolved, self.config.max_results, live)
            finally:
                pool.release(child)

    def sandbox_pids(self) -> list[int]:
        """Host pids of the sandboxes' processes (for measurement and monitoring)."""
        return self._pool.sandbox_pids() if self._pool is not None else []

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if self._template is not None:
            await self._template.stop()
            self._template = None
        if self._cgroups is not None:
            self._cgroups.close()
            self._cgroups = None
        if self._root_dir is not None:
            shutil.rmtree(self._root_dir, ignore_errors=True)
            self._root_dir = None
        self._uids.release()

    async def __aenter__(self) -> SandboxEngine:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
