"""The identities sandbox children run under, shared by the engine's templates: a slot is a uid
and a cgroup, taken when a child is made and given back once it is gone.

A slot is handed out again only once its previous child and every process it left behind are
gone, so no two runs ever share a uid at the same time. The lowest free slot goes first: under a
light load the same few slots (and, where cgroups can be reused, their groups) serve every run.
A slot never used costs nothing: its cgroup is made on first use.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections import deque
from dataclasses import dataclass

from execbox.sandbox.cgroups import CgroupManager, GroupLimits, RunGroup
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.errors import SandboxClosed

log = logging.getLogger(__name__)

_GROUP_EMPTY_WAIT_S = 10.0


@dataclass(frozen=True, slots=True)
class Slot:
    number: int
    uid: int
    group: RunGroup


class Slots:
    def __init__(self, config: SandboxConfig, cgroups: CgroupManager) -> None:
        self._config = config
        self._cgroups = cgroups
        self._free = list(range(config.slots))  # a heap
        self._waiting: deque[asyncio.Future[int]] = deque()  # first come, first served
        self._reused_groups: dict[int, RunGroup] = {}
        self._closed = False

    async def take(self, child_id: int) -> Slot:
        """The lowest free slot, once one is free. `child_id` names its cgroup where groups are
        not reused."""
        if self._closed:
            raise SandboxClosed("the sandbox engine is closed")
        if self._free and not self._waiting:
            number = heapq.heappop(self._free)
        else:
            number = await self._wait_for_one()
        try:
            group = self._group_for(number, child_id)
        except BaseException:
            self._put_back(number)
            raise
        uid = 0 if self._config.rootless else self._config.first_uid + number
        return Slot(number, uid, group)

    async def give_back(self, slot: Slot) -> None:
        """Once the slot's child is gone: wait until nothing of its run is left, then free it."""
        # The slot's next child has the same uid: it may start only once no process of this
        # run is left (SIGKILL ends all but those stuck in the kernel, which end in time).
        while not await empty_group(slot.group):
            log.error("sandbox slot %d: processes of a finished run survive SIGKILL", slot.number)
            if self._closed:
                return
        if not self._cgroups.reuses_groups and not slot.group.remove():
            log.error("could not remove the cgroup of sandbox slot %d", slot.number)
        self._put_back(slot.number)

    def close(self) -> None:
        """Refuse new takers (those waiting get SandboxClosed); slots still come back."""
        self._closed = True
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_exception(SandboxClosed("the sandbox engine is closed"))

    async def remove_groups(self) -> None:
        """After every child is gone: remove the groups kept for reuse."""
        for group in self._reused_groups.values():
            await remove_group(group)
        self._reused_groups.clear()

    async def _wait_for_one(self) -> int:
        waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._put_back(waiter.result())  # handed over just as its taker gave up
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiting.remove(waiter)

    def _put_back(self, number: int) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(number)
                return
        heapq.heappush(self._free, number)

    def _group_for(self, number: int, child_id: int) -> RunGroup:
        config = self._config
        limits = GroupLimits(
            config.limits.default.memory_mb << 20, config.max_processes, config.cpu_cores_per_run
        )
        if not self._cgroups.reuses_groups:
            return self._cgroups.create(f"run-{child_id}", limits)
        group = self._reused_groups.get(number)
        if group is None:
            group = self._reused_groups[number] = self._cgroups.create(f"slot-{number}", limits)
        else:
            # The last run may have lowered it; the next child sets up under the default.
            group.limit_memory(limits.memory_bytes)
        return group


async def empty_group(group: RunGroup) -> bool:
    """Kill what is left in `group` until it is empty; False if it is not within a while."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _GROUP_EMPTY_WAIT_S
    while not group.is_empty():
        if loop.time() > deadline:
            return False
        group.kill()
        await asyncio.sleep(0.005)
    return True


async def remove_group(group: RunGroup) -> None:
    if not (await empty_group(group) and group.remove()):
        log.error("could not remove a sandbox cgroup: processes are still in it")
