"""The sandbox engine: the one object the rest of execbox talks to.

    async with SandboxEngine(SandboxConfig()) as engine:
        result = await engine.run("print(1)")

`run` is safe to call concurrently; at most `config.capacity` programs are alive at once
(running, sleeping or waiting for input). The rest wait their turn, first come first served, or
(`wait=False`) are refused at once with `SandboxFull` (see `admission`). Each program runs in a
child of one of two templates, the scientific one or a plain one, chosen by `template_choice`;
each child has its own uid and cgroup, a slot from the engine-wide `Slots`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import shutil
import tempfile
from collections.abc import Callable, Sequence
from types import TracebackType

from execbox.sandbox import cgroups, layout, preflight
from execbox.sandbox.admission import Admission
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.cpu_demotion import CpuDemotion
from execbox.sandbox.errors import InvalidInput, SandboxClosed, SandboxUnavailable
from execbox.sandbox.execution import execute
from execbox.sandbox.guest.input_files import InputFile, name_problem
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.live import LiveIO
from execbox.sandbox.pool import ChildPool
from execbox.sandbox.result import RunResult
from execbox.sandbox.slots import Slots
from execbox.sandbox.template_choice import TemplateChooser, TemplateKind
from execbox.sandbox.template_process import RuntimeInfo, TemplateProcess
from execbox.sandbox.uid_lease import UidLease, lease_free_range

log = logging.getLogger(__name__)


def _nothing() -> None:
    pass


class SandboxEngine:
    def __init__(
        self, config: SandboxConfig | None = None, on_demoted: Callable[[], None] = _nothing
    ) -> None:
        """`on_demoted`: called each time a run goes to the low CPU weight (see `cpu_demotion`)."""
        self.config = config or SandboxConfig()
        self._pools: dict[TemplateKind, ChildPool] = {}
        self._templates: dict[TemplateKind, TemplateProcess] = {}
        self._chooser: TemplateChooser | None = None  # None: the scientific template only
        self._cgroups: cgroups.CgroupManager | None = None
        self._slots: Slots | None = None
        self._root_dir: str | None = None
        self._admission = Admission(self.config.capacity)
        self._runtime: RuntimeInfo | None = None
        self._uids = UidLease([])  # taken at start
        self._demotion = CpuDemotion(self.config.demote_after_cpu_s, on_demoted)

    @property
    def runtime(self) -> RuntimeInfo:
        if self._runtime is None:
            raise SandboxClosed("the sandbox engine is not started")
        return self._runtime

    async def start(self) -> None:
        problems = preflight.problems(self.config.slots)
        if problems:
            raise SandboxUnavailable(problems)
        try:
            # Rootless, every run has the service's own uid (isolated by PID namespaces instead).
            if not self.config.rootless:
                self._uids = lease_free_range(self.config.first_uid, self.config.slots)
                self.config = dataclasses.replace(self.config, first_uid=self._uids.uids[0])
            self._cgroups = cgroups.detect()
            self._cgroups.limit_total_memory(self.config.sandboxes_memory_mb << 20)
            self._slots = Slots(self.config, self._cgroups)
            self._root_dir = tempfile.mkdtemp(prefix="execbox-root-")
            await self._start_templates()
            child_ids = itertools.count(1)
            for kind, template in self._templates.items():
                warm_up = self.config.warm_up_children and kind is TemplateKind.SCIENTIFIC
                self._pools[kind] = ChildPool(self.config, template, self._slots, warm_up, child_ids)
            for pool in self._pools.values():
                await pool.fill()
        except BaseException as error:
            await self.close()
            if isinstance(error, SandboxUnavailable):
                raise
            raise SandboxUnavailable([str(error)]) from error

    async def _start_templates(self) -> None:
        assert self._root_dir is not None
        paths = await layout.runtime_paths(self.config)
        plan = layout.plan(self.config, paths, self._root_dir, self._uids.uids)
        for kind in self.config.templates:
            self._templates[kind] = TemplateProcess(
                python=self.config.runtime / "bin" / "python",
                preload=self.config.preload_for(kind),
                plan=plan,
                niceness=self.config.niceness,
            )
        started = await asyncio.gather(
            *(template.start() for template in self._templates.values()), return_exceptions=True
        )
        infos: dict[TemplateKind, RuntimeInfo] = {}
        for kind, outcome in zip(self._templates, started, strict=True):
            if isinstance(outcome, BaseException):
                raise outcome
            infos[kind] = outcome
        scientific = self._runtime = infos[TemplateKind.SCIENTIFIC]
        plain = infos.get(TemplateKind.PLAIN)
        if plain is not None:
            self._chooser = TemplateChooser(set(scientific.loaded_packages) - set(plain.loaded_packages))

    async def run(
        self,
        code: str,
        stdin: str = "",
        limits: LimitRequest | None = None,
        live: LiveIO | None = None,
        start_by: float | None = None,
        wait: bool = True,
        client: str = "",
        files: Sequence[InputFile] = (),
    ) -> RunResult:
        """Runs `code` and waits for its verdict. With `live`, output is also handed over as it
        is read, stdin stays open for what `live` is sent, and `live.stop()` ends the run. With
        `start_by` (a `time.time()`), a run that cannot start by then raises `SandboxBusy`; with
        `wait=False`, one that cannot start at once raises `SandboxFull`. Runs that wait are
        started round-robin by `client` (see `admission`); `live` hears their place in line.
        `files` are written into the program's working directory before it starts (their names
        as `guest.input_files.name_problem` allows; the child checks them again)."""
        resolved = self.config.limits.resolve(limits)
        try:
            stdin_bytes = stdin.encode()
            code.encode()
        except UnicodeEncodeError as error:
            raise InvalidInput(f"code and stdin must be valid Unicode text: {error}") from None
        for file in files:
            problem = name_problem(file.name)
            if problem is not None:
                raise InvalidInput(f"the input file name {file.name!r} {problem}")
        pool = self._pools.get(self.template_for(code))
        if pool is None:
            raise SandboxClosed("the sandbox engine is not started")
        if wait:
            await self._admission.enter(start_by, client, live.on_queued if live else None)
        else:
            self._admission.enter_now()
        try:
            if live is not None:
                live.on_started()
            child = await pool.take()
            try:
                with self._demotion.watching(child.group):
                    return await execute(
                        child, code, stdin_bytes, resolved, self.config.max_results, live, files
                    )
            finally:
                pool.release(child)
        finally:
            self._admission.leave()

    @property
    def runs_alive(self) -> int:
        """Programs started and not yet ended (at most `config.capacity`)."""
        return self._admission.alive

    @property
    def runs_waiting(self) -> int:
        """Runs waiting for a sandbox to come free."""
        return self._admission.waiting

    def stop_admitting(self) -> None:
        """Start nothing more (a graceful shutdown): runs waiting and runs asked for from now
        on raise `SandboxClosed`; the runs alive go on."""
        self._admission.refuse_new("the server is shutting down")

    def template_for(self, code: str) -> TemplateKind:
        if self._chooser is None:
            return TemplateKind.SCIENTIFIC
        return self._chooser.kind_for(code)

    def sandbox_pids(self) -> list[int]:
        """Host pids of the sandboxes' processes (for measurement and monitoring)."""
        return sorted(pid for pool in self._pools.values() for pid in pool.sandbox_pids())

    async def close(self) -> None:
        await self._demotion.close()
        if self._slots is not None:
            self._slots.close()
        for pool in self._pools.values():
            await pool.close()
        self._pools.clear()
        if self._slots is not None:
            await self._slots.remove_groups()
            self._slots = None
        for template in self._templates.values():
            await template.stop()
        self._templates.clear()
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
