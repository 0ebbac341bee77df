"""A pool of sandbox children of one template, set up and warm before any request needs them.

Each slot owns a uid (slots are numbered across the engine's pools); a slot's next child is
spawned only after its previous child and every process it left behind are gone, so no two runs
ever share a uid at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Coroutine, Iterator
from typing import Any

from execbox.sandbox.cgroups import CgroupManager, GroupLimits, RunGroup
from execbox.sandbox.child_handle import ChildHandle
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.errors import SandboxClosed, SandboxError, SandboxInternalError
from execbox.sandbox.guest.protocol import SpawnSpec
from execbox.sandbox.report_channel import ReportChannel, SetupFailed
from execbox.sandbox.template_process import TemplateProcess

log = logging.getLogger(__name__)

_EXIT_WAIT_S = 10.0
_GROUP_EMPTY_WAIT_S = 10.0


class ChildSetupError(SandboxInternalError):
    """A child could not isolate itself; the message carries its own account."""


class ChildPool:
    def __init__(
        self,
        config: SandboxConfig,
        cgroups: CgroupManager,
        template: TemplateProcess,
        slots: range,
        warm_up: bool,
        child_ids: Iterator[int],
    ) -> None:
        self._config = config
        self._cgroups = cgroups
        self._template = template
        self._slots = slots
        self._warm_up = warm_up
        self._slot_groups: dict[int, RunGroup] = {}
        self._ready: asyncio.Queue[ChildHandle] = asyncio.Queue()
        self._ids = child_ids  # shared by the engine's pools: names cgroups uniquely
        self._live: dict[int, ChildHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._restart_lock = asyncio.Lock()
        self._closed = False

    async def fill(self) -> None:
        """Spawn every slot's first child; the first one's failure is raised to the caller."""
        first, *others = self._slots
        self._ready.put_nowait(await self._spawn(first))
        for slot in others:
            self._background(self._respawn(slot))

    async def take(self) -> ChildHandle:
        while True:
            if self._closed:
                raise SandboxClosed("the sandbox engine is closed")
            child = await self._ready.get()
            if not child.exited.done():
                return child
            self.release(child)  # died while idle (the template was restarted)

    def sandbox_pids(self) -> list[int]:
        """Host pids of every sandbox process: idle children, running programs and their own."""
        return sorted({pid for child in self._live.values() for pid in child.group.pids()})

    def release(self, child: ChildHandle) -> None:
        """Dispose of a used child in the background and start its slot's next one."""
        self._background(self._recycle(child))

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        children = list(self._live.values())
        for child in children:
            child.group.kill()
        await asyncio.gather(*(self._dispose(child) for child in children), return_exceptions=True)
        for group in self._slot_groups.values():
            await _remove_group(group)
        self._slot_groups.clear()

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _recycle(self, child: ChildHandle) -> None:
        child.group.kill()
        await self._dispose(child)
        await self._respawn(child.slot)

    async def _dispose(self, child: ChildHandle) -> None:
        try:
            # A child still setting up (not yet in its cgroup, so not killed) or waiting for a
            # request sees end-of-file on its control socket and leaves by itself.
            child.close_descriptors()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(child.exited), _EXIT_WAIT_S)
            if self._cgroups.reuses_groups:
                # The slot's next child has the same uid: it may start only once nothing of
                # this run is left.
                while not await _empty_group(child.group) and not self._closed:
                    log.error("sandbox slot %d: processes of a finished run survive SIGKILL", child.slot)
            else:
                await _remove_group(child.group)
        finally:
            self._live.pop(child.child_id, None)

    async def _respawn(self, slot: int) -> None:
        delay = 0.05
        while not self._closed:
            try:
                self._ready.put_nowait(await self._spawn(slot))
                return
            except Exception:
                log.exception("sandbox slot %d: spawning a child failed; retrying", slot)
                if not self._template.alive:
                    await self._restart_template()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _restart_template(self) -> None:
        async with self._restart_lock:
            if not self._template.alive and not self._closed:
                log.warning("the sandbox template died; starting a new one")
                await self._template.stop()
                try:
                    await self._template.start()
                except SandboxError:
                    log.exception("restarting the sandbox template failed; will retry")

    def _group_for(self, slot: int, child_id: int) -> RunGroup:
        config = self._config
        limits = GroupLimits(
            config.limits.default.memory_mb << 20, config.max_processes, config.cpu_cores_per_run
        )
        if not self._cgroups.reuses_groups:
            return self._cgroups.create(f"run-{child_id}", limits)
        group = self._slot_groups.get(slot)
        if group is None:
            group = self._slot_groups[slot] = self._cgroups.create(f"slot-{slot}", limits)
        else:
            # The last run may have lowered it; the next child sets up under the default.
            group.limit_memory(limits.memory_bytes)
        return group

    async def _spawn(self, slot: int) -> ChildHandle:
        config = self._config
        child_id = next(self._ids)
        uid = gid = 0 if config.rootless else config.first_uid + slot
        group = self._group_for(slot, child_id)
        stdin_r, stdin_w = os.pipe2(os.O_CLOEXEC)
        stdout_r, stdout_w = os.pipe2(os.O_CLOEXEC)
        stderr_r, stderr_w = os.pipe2(os.O_CLOEXEC)
        request_r, request_w = os.pipe2(os.O_CLOEXEC)
        report_r, report_w = os.pipe2(os.O_CLOEXEC)
        warm_up = self._warm_up and self._ready.qsize() >= config.concurrency
        spec: SpawnSpec = {"child_id": child_id, "uid": uid, "gid": gid, "warm_up": warm_up}
        theirs = [stdin_r, stdout_w, stderr_w, request_r, report_w]
        try:
            fate = self._template.spawn(spec, [*theirs, *group.procs_descriptors()])
        except BaseException:
            for fd in (stdin_w, stdout_r, stderr_r, request_w, report_r):
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        child = ChildHandle(
            child_id, slot, group, request_w, ReportChannel(report_r), stdin_w, stdout_r, stderr_r, fate
        )
        self._live[child_id] = child
        try:
            await asyncio.wait_for(fate.spawned, config.child_ready_timeout_s)
            await asyncio.wait_for(child.reports.wait_until_ready(), config.child_ready_timeout_s)
        except BaseException as error:
            group.kill()
            await self._dispose(child)
            if isinstance(error, asyncio.CancelledError):
                raise
            if isinstance(error, SetupFailed):
                raise ChildSetupError(f"sandbox set-up failed:\n{error}") from error
            raise ChildSetupError(f"sandbox child {child_id} did not become ready: {error!r}") from error
        return child


async def _empty_group(group: RunGroup) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _GROUP_EMPTY_WAIT_S
    while not group.is_empty():
        if loop.time() > deadline:
            return False
        group.kill()
        await asyncio.sleep(0.005)
    return True


async def _remove_group(group: RunGroup) -> None:
    if not (await _empty_group(group) and group.remove()):
        log.error("could not remove a sandbox cgroup: processes are still in it")
