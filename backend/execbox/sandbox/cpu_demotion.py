"""Short runs first: a run that has used more than `after_cpu_s` of CPU time goes to the lowest
CPU weight, so that a fresh run's few milliseconds are served ahead of the busy loops (each
run's one-core quota stays). One task watches every live run's CPU counter every `interval_s`
(one read each), and only while runs are live.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator

from execbox.sandbox.cgroups import RunGroup

log = logging.getLogger(__name__)


class CpuDemotion:
    def __init__(self, after_cpu_s: float, on_demoted: Callable[[], None], interval_s: float = 0.1) -> None:
        self._after_ns = int(after_cpu_s * 1e9)
        self._on_demoted = on_demoted  # e.g. a metric's count
        self._interval_s = interval_s
        self._watched: set[RunGroup] = set()
        self._watcher: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def watching(self, group: RunGroup) -> Iterator[None]:
        """Watch `group` for the duration of a run. The group is back at the normal weight when
        the run ends: a slot's group serves its next child (v1), which warms up in it meanwhile."""
        self._watched.add(group)
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        try:
            yield
        finally:
            self._watched.discard(group)
            with contextlib.suppress(OSError):  # a group of its own (v2) may be gone already
                group.demote_cpu(False)

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher

    async def _watch(self) -> None:
        while self._watched:
            await asyncio.sleep(self._interval_s)
            for group in list(self._watched):
                if group.cpu_demoted:
                    continue
                try:
                    if group.cpu_used_ns() > self._after_ns:
                        group.demote_cpu(True)
                        self._on_demoted()
                except OSError as error:  # the run ended and its group went meanwhile
                    log.debug("cpu demotion: %s", error)
