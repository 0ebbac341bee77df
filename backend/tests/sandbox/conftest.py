"""One real sandbox engine for the whole session, driven from synchronous tests.

The engine lives on an event loop in a background thread; `sandbox.run(...)` submits a run and
waits for its result, `sandbox.run_concurrently(...)` starts several at once.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.result import RunResult, RunStatus

T = TypeVar("T")

# Set before the engine starts: it must never reach a sandbox.
SECRET_NAME = "EXECBOX_TEST_SECRET"
SECRET_VALUE = "s3cr3t-d0-not-leak-7f1c"


@dataclass(frozen=True)
class Job:
    code: str
    stdin: str = ""
    limits: LimitRequest | None = None


class SandboxHarness:
    def __init__(self, config: SandboxConfig) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sandbox-loop", daemon=True)
        self.thread.start()
        self.engine = SandboxEngine(config)
        self.call(self.engine.start())

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 300) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def run(self, code: str, stdin: str = "", **limits: Any) -> RunResult:
        return self.call(self.engine.run(code, stdin, LimitRequest(**limits) if limits else None))

    def run_concurrently(self, jobs: list[Job]) -> list[RunResult]:
        async def all_jobs() -> list[RunResult]:
            return list(await asyncio.gather(*(self.engine.run(j.code, j.stdin, j.limits) for j in jobs)))

        return self.call(all_jobs())

    def assert_healthy(self) -> None:
        """The check every hostile test ends with: a normal run still works."""
        result = self.run("import pandas as pd\nprint(pd.Series([1, 2, 3]).sum())")
        assert result.status is RunStatus.SUCCESS, result
        assert result.stdout.text == "6\n"

    def close(self) -> None:
        self.call(self.engine.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxHarness]:
    os.environ[SECRET_NAME] = SECRET_VALUE
    harness = SandboxHarness(SandboxConfig(concurrency=2, spare_children=2))
    yield harness
    harness.close()
