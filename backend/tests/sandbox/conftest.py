"""One real sandbox engine for the whole session, driven from synchronous tests.

The engine lives on an event loop in a background thread; `sandbox.run(...)` submits a run and
waits for its result, `sandbox.run_concurrently(...)` starts several at once.

A program runs in a child of the plain template unless it names a scientific package. Modules
whose tests must hold in both templates (every escape test) say so with

    pytestmark = IN_BOTH_TEMPLATES

which runs each test twice: once as written, once with a comment naming numpy appended to every
program, which sends it to the scientific template.
"""

from __future__ import annotations

import asyncio
import copy
import os
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.guest.input_files import InputFile
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.result import RunResult, RunStatus
from execbox.sandbox.template_choice import TemplateKind
from tests.support.processes import uid_range

T = TypeVar("T")

# Set before the engine starts: it must never reach a sandbox.
SECRET_NAME = "EXECBOX_TEST_SECRET"
SECRET_VALUE = "s3cr3t-d0-not-leak-7f1c"

IN_BOTH_TEMPLATES = pytest.mark.parametrize(
    "sandbox", [TemplateKind.PLAIN, TemplateKind.SCIENTIFIC], indirect=True, ids=str
)
_NAMES_NUMPY = "\n# numpy: this program runs in a child of the scientific template\n"


@dataclass(frozen=True)
class Job:
    code: str
    stdin: str = ""
    limits: LimitRequest | None = None


class SandboxHarness:
    def __init__(self, config: SandboxConfig, on_demoted: Callable[[], None] | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sandbox-loop", daemon=True)
        self.thread.start()
        self.engine = SandboxEngine(config) if on_demoted is None else SandboxEngine(config, on_demoted)
        self.call(self.engine.start())
        self.code_suffix = ""

    def routed_to(self, template: TemplateKind) -> SandboxHarness:
        """The same engine, with every program sent to children of `template`, if it can be
        (as written, a program naming a scientific package goes to the scientific template)."""
        view = copy.copy(self)
        view.code_suffix = _NAMES_NUMPY if template is TemplateKind.SCIENTIFIC else ""
        return view

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 300) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def run(self, code: str, stdin: str = "", files: Sequence[InputFile] = (), **limits: Any) -> RunResult:
        request = LimitRequest(**limits) if limits else None
        return self.call(self.engine.run(code + self.code_suffix, stdin, request, files=files))

    def run_concurrently(self, jobs: list[Job]) -> list[RunResult]:
        async def all_jobs() -> list[RunResult]:
            runs = (self.engine.run(job.code + self.code_suffix, job.stdin, job.limits) for job in jobs)
            return list(await asyncio.gather(*runs))

        return self.call(all_jobs())

    def assert_healthy(self) -> None:
        """The check every hostile test ends with: normal runs still work, in both templates."""
        for code in ("print(sum([1, 2, 3]))", "import pandas as pd\nprint(pd.Series([1, 2, 3]).sum())"):
            result = self.run(code)
            assert result.status is RunStatus.SUCCESS, result
            assert result.stdout.text == "6\n"

    def close(self) -> None:
        self.call(self.engine.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@pytest.fixture(scope="session")
def session_sandbox() -> Iterator[SandboxHarness]:
    os.environ[SECRET_NAME] = SECRET_VALUE
    with uid_range() as first_uid:
        harness = SandboxHarness(SandboxConfig(live_runs=2, warm_children=2, first_uid=first_uid))
        yield harness
        harness.close()


@pytest.fixture
def own_uids() -> Iterator[int]:
    """The first uid of a range for an engine of the test's own."""
    with uid_range() as first_uid:
        yield first_uid


@pytest.fixture
def sandbox(session_sandbox: SandboxHarness, request: pytest.FixtureRequest) -> SandboxHarness:
    template = getattr(request, "param", TemplateKind.PLAIN)
    return session_sandbox.routed_to(template)
