"""The children of one template: a few kept set up and warm before any request needs them, more
made on demand when a run finds none ready. A warm child keeps set-up (fork, namespaces,
mounts, seccomp, the first pandas page faults) off a request's path; one made on demand costs
that set-up once. Each child has a slot (a uid and a cgroup) from the engine-wide `Slots`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections import deque
from collections.abc import Coroutine, Iterator
from typing import Any

from execbox.sandbox.child_handle import ChildHandle
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.errors import SandboxClosed, SandboxError, SandboxInternalError
from execbox.sandbox.guest.protocol import SpawnSpec
from execbox.sandbox.report_channel import ReportChannel, SetupFailed
from execbox.sandbox.slots import Slots
from execbox.sandbox.template_process import TemplateProcess

log = logging.getLogger(__name__)

_EXIT_WAIT_S = 10.0
# Spawn requests the template has been sent but not yet forked: bounded, so that a burst of
# hundreds of children never fills the template's socket (each request waits its turn here).
_SPAWNS_IN_FLIGHT = 32


class ChildSetupError(SandboxInternalError):
    """A child could not isolate itself; the message carries its own account."""


class ChildPool:
    def __init__(
        self,
        config: SandboxConfig,
        template: TemplateProcess,
        slots: Slots,
        warm_up: bool,
        child_ids: Iterator[int],
    ) -> None:
        self._config = config
        self._template = template
        self._slots = slots
        self._warm_up = warm_up
        self._ready: deque[ChildHandle] = deque()
        self._takers: deque[asyncio.Future[ChildHandle]] = deque()  # runs waiting for a child
        self._making = 0  # children being made, for `_ready` or a waiting run
        self._sending = asyncio.Semaphore(_SPAWNS_IN_FLIGHT)
        self._ids = child_ids  # shared by the engine's pools: names cgroups uniquely
        self._live: dict[int, ChildHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._restart_lock = asyncio.Lock()
        self._closed = False

    async def fill(self) -> None:
        """Make the first warm child (its failure is raised to the caller), the rest behind it."""
        self._ready.append(await self._spawn(warm_up=False))
        self._refill()

    async def take(self) -> ChildHandle:
        while True:
            if self._closed:
                raise SandboxClosed("the sandbox engine is closed")
            if self._ready:
                child = self._ready.popleft()
                # Making a child costs CPU the run just taken may want: the pool refills when
                # used children are gone, and at once only when it runs low (long runs, bursts).
                if len(self._ready) < max(1, self._config.warm_children // 2):
                    self._refill()
            else:
                child = await self._made_on_demand()
            if not child.exited.done():
                return child
            self.release(child)  # died while idle (the template was restarted)

    def sandbox_pids(self) -> list[int]:
        """Host pids of every sandbox process: idle children, running programs and their own."""
        children = list(self._live.values())
        return sorted({pid for child in children for pid in child.group.pids()})

    def release(self, child: ChildHandle) -> None:
        """Dispose of a used child in the background, then refill the pool."""
        self._background(self._recycle(child))

    async def close(self) -> None:
        self._closed = True
        while self._takers:
            taker = self._takers.popleft()
            if not taker.done():
                taker.set_exception(SandboxClosed("the sandbox engine is closed"))
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        children = list(self._live.values())
        for child in children:
            child.group.kill()
        await asyncio.gather(*(self._dispose(child) for child in children), return_exceptions=True)

    async def _made_on_demand(self) -> ChildHandle:
        """The next child made (for this run, or the warm pool's), whichever is ready first."""
        taker: asyncio.Future[ChildHandle] = asyncio.get_running_loop().create_future()
        self._takers.append(taker)
        self._refill()
        try:
            return await taker
        except asyncio.CancelledError:
            if taker.done() and not taker.cancelled() and taker.exception() is None:
                self._hand_over(taker.result())  # made just as its run gave up
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._takers.remove(taker)

    def _refill(self) -> None:
        """Make children until there are enough for the warm pool and every waiting run."""
        wanted = self._config.warm_children + len(self._takers)
        while not self._closed and len(self._ready) + self._making < wanted:
            self._making += 1
            self._background(self._make_child())

    async def _make_child(self) -> None:
        # Warm-up costs CPU: only while the pool keeps up, else that CPU goes to programs.
        warm_up = self._warm_up and not self._takers and len(self._ready) >= self._config.warm_children // 2
        try:
            child = await self._spawn_until_done(warm_up)
        except SandboxClosed:
            return
        finally:
            self._making -= 1
        self._hand_over(child)

    def _hand_over(self, child: ChildHandle) -> None:
        while self._takers:
            taker = self._takers.popleft()
            if not taker.done():
                taker.set_result(child)
                return
        self._ready.append(child)

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _recycle(self, child: ChildHandle) -> None:
        child.group.kill()
        await self._dispose(child)
        self._refill()  # its slot is free again: the lowest, likely the one the next child gets

    async def _dispose(self, child: ChildHandle) -> None:
        try:
            # A child still setting up (not yet in its cgroup, so not killed) or waiting for a
            # request sees end-of-file on its request pipe and leaves by itself.
            child.close_descriptors()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(child.exited), _EXIT_WAIT_S)
        finally:
            self._live.pop(child.child_id, None)
            await self._slots.give_back(child.slot)

    async def _spawn_until_done(self, warm_up: bool) -> ChildHandle:
        delay = 0.05
        while True:
            if self._closed:
                raise SandboxClosed("the sandbox engine is closed")
            try:
                return await self._spawn(warm_up)
            except SandboxClosed:
                raise
            except Exception:
                log.exception("sandbox: making a child failed; retrying")
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

    async def _spawn(self, warm_up: bool) -> ChildHandle:
        child_id = next(self._ids)
        slot = await self._slots.take(child_id)
        try:
            await self._sending.acquire()
        except BaseException:
            await self._slots.give_back(slot)  # never used: nothing to wait for
            raise
        stdin_r, stdin_w = os.pipe2(os.O_CLOEXEC)
        stdout_r, stdout_w = os.pipe2(os.O_CLOEXEC)
        stderr_r, stderr_w = os.pipe2(os.O_CLOEXEC)
        request_r, request_w = os.pipe2(os.O_CLOEXEC)
        report_r, report_w = os.pipe2(os.O_CLOEXEC)
        spec: SpawnSpec = {"child_id": child_id, "uid": slot.uid, "gid": slot.uid, "warm_up": warm_up}
        theirs = [stdin_r, stdout_w, stderr_w, request_r, report_w]
        try:
            fate = self._template.spawn(spec, [*theirs, *slot.group.procs_descriptors()])
        except BaseException:
            self._sending.release()
            for fd in (stdin_w, stdout_r, stderr_r, request_w, report_r):
                os.close(fd)
            await self._slots.give_back(slot)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        child = ChildHandle(
            child_id,
            slot,
            request_w,
            ReportChannel(report_r),
            stdin_w,
            stdout_r,
            stderr_r,
            fate,
            self._config.rootless,
        )
        self._live[child_id] = child
        timeout_s = self._config.child_ready_timeout_s
        try:
            try:
                await asyncio.wait_for(fate.spawned, timeout_s)
            finally:
                self._sending.release()  # the template has read the request
            await asyncio.wait_for(child.reports.wait_until_ready(), timeout_s)
        except BaseException as error:
            slot.group.kill()
            await self._dispose(child)
            if isinstance(error, asyncio.CancelledError):
                raise
            if isinstance(error, SetupFailed):
                raise ChildSetupError(f"sandbox set-up failed:\n{error}") from error
            raise ChildSetupError(f"sandbox child {child_id} did not become ready: {error!r}") from error
        return child
