"""What every runner offers the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from execbox.sandbox.guest.input_files import InputFile
from execbox.sandbox.limits import RunLimits
from execbox.schemas.execution import ExecutionResult
from execbox.services.live_session import LiveSession


@dataclass(frozen=True, slots=True)
class Job:
    """One run to do: what the services hand a runner, and what travels to a worker."""

    id: str
    code: str
    stdin: str
    limits: RunLimits
    # Written into the program's working directory before it starts.
    files: tuple[InputFile, ...] = ()
    # A `time.time()` by which it must start, or it is answered without running (a waiting
    # submission nobody would wait for); None: it waits for as long as it takes.
    start_by: float | None = None
    # Whose run it is (the rate limit's key): runs that wait for a sandbox start round-robin by it.
    client: str = ""
    # Its caller waits for a turn (until `start_by`) rather than be refused when none is free.
    wait: bool = False


@dataclass(frozen=True, slots=True)
class RuntimeVersions:
    python: str
    packages: dict[str, str]


class Runner(Protocol):
    async def run(self, job: Job, live: LiveSession | None = None) -> ExecutionResult:
        """Run now and wait for the verdict; with `live`, output and input flow while it runs."""
        ...

    async def dispatch(self, job: Job) -> None:
        """Run in the background; the verdict is written to the submission `job.id`."""
        ...

    async def versions(self) -> RuntimeVersions:
        """The sandbox runtime's interpreter and package versions."""
        ...

    def stop_admitting(self) -> None:
        """Start no more runs (a graceful shutdown): runs not yet started, and runs asked for
        from now on, are refused with `Unavailable`; runs in progress go on."""
        ...

    async def state(self) -> str:
        """ "ready" when runs can be accepted now, else a word saying what is wrong."""
        ...

    async def observe(self) -> None:
        """Bring up to date the metrics only this runner can measure (called per scrape)."""
        ...
