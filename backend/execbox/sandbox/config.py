"""How an operator configures the engine (the server maps its settings onto this)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from execbox.sandbox.limits import LimitPolicy, RunLimits
from execbox.sandbox.template_choice import TemplateKind

# Imported by both templates before they fork, so that no run pays for them.
PLAIN_PRELOAD = (
    "math",
    "statistics",
    "random",
    "datetime",
    "json",
    "csv",
    "re",
    "collections",
    "itertools",
    "functools",
    "operator",
)

# Imported by the scientific template, on top of PLAIN_PRELOAD.
DEFAULT_PRELOAD = (
    "numpy",
    "pandas",
    "scipy",
    "scipy.stats",
    "scipy.optimize",
    "scipy.linalg",
    "scipy.integrate",
    "scipy.interpolate",
    "scipy.signal",
    "scipy.sparse",
    "scipy.special",
    # With its font cache loaded: a plotting run costs milliseconds, not an import and a cache.
    "matplotlib.pyplot",
    *PLAIN_PRELOAD,
)


def default_runtime() -> Path:
    """The runtime virtualenv `make setup` creates next to the backend, unless overridden."""
    configured = os.environ.get("EXECBOX_RUNTIME")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / ".runtime"


# Most programs use a few MiB of their memory limit: this many live runs per default limit's worth
# of the sandboxes' memory. When many do grow at once, the parent cgroup's limit ends runs, never
# the node.
MEMORY_OVERCOMMIT = 16
# Whatever the memory: each live run holds a uid, ~20 descriptors and, in queue mode, a thread.
LIVE_RUNS_CEILING = 1024


def default_sandboxes_memory_mb() -> int:
    """Three quarters of the host's memory: when many runs grow at once, the kernel kills runs
    and the service, its database and Redis keep the rest."""
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            name, _, value = line.partition(":")
            if name == "MemTotal":
                return int(value.split()[0]) * 3 // 4 // 1024
    raise RuntimeError("/proc/meminfo has no MemTotal")


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    runtime: Path = field(default_factory=default_runtime)
    # Programs alive at once, whatever they do (compute, sleep, wait for input): a program that
    # waits costs memory, not CPU, so cores do not count. None: from memory (see `capacity`).
    live_runs: int | None = None
    live_runs_max: int = LIVE_RUNS_CEILING  # the ceiling of `capacity`, however much memory
    # Idle children each template keeps set up and warm, so that set-up is off a request's
    # path; past them, children are made on demand. Two per core keep up with runs back to back.
    warm_children: int = field(default_factory=lambda: 2 * (os.cpu_count() or 1))
    limits: LimitPolicy = field(
        default_factory=lambda: LimitPolicy(
            default=RunLimits(),
            maximum=RunLimits(
                wall_time_s=120.0,
                cpu_time_s=120.0,
                memory_mb=2048,
                output_bytes=8 << 20,
                results_bytes=8 << 20,
            ),
        )
    )
    # All sandboxes together, whatever their own limits: one parent cgroup's memory limit.
    sandboxes_memory_mb: int = field(default_factory=default_sandboxes_memory_mb)
    tmp_size_mb: int = 64
    max_results: int = 50  # rich results (tables, figures, values) one run may produce
    max_processes: int = 64  # threads count too
    cpu_cores_per_run: float = 1.0  # CPU bandwidth one run may use, whatever its thread count
    # CPU time after which a run yields to the others: moved to the lowest CPU weight.
    demote_after_cpu_s: float = 1.0
    # Templates, children and programs run this much below the service's CPU priority: a busy
    # sandbox never delays the service's own work, such as sending a verdict while the kernel
    # tears the finished run's processes down.
    niceness: int = 10
    max_open_files: int = 256
    max_file_size_mb: int = 64
    stack_mb: int = 8
    # Each slot runs as its own uid: first_uid .. first_uid+slots-1, which no host user and no
    # other engine on the host may use (EXECBOX_FIRST_UID sets it for the command line).
    first_uid: int = field(default_factory=lambda: int(os.environ.get("EXECBOX_FIRST_UID", "64000")))
    preload: tuple[str, ...] = DEFAULT_PRELOAD
    # A second, small template for the programs that name no package only the scientific one
    # has (see template_choice): its children cost ~9 ms less CPU each. None: one template,
    # the scientific one, for every program.
    plain_preload: tuple[str, ...] | None = PLAIN_PRELOAD
    # Idle children run a small pandas program so a run's first pandas call finds its pages
    # already copied: ~5 ms less latency per pandas run, ~5 ms more CPU per child. Children are
    # warmed only while the pool keeps up (at least half of `warm_children` ready, no run
    # waiting): under saturation that CPU goes to running programs instead.
    warm_up_children: bool = True
    hostname: str = "execbox"
    # Not root: user namespaces instead of per-slot uids (decided by who runs the service).
    rootless: bool = field(default_factory=lambda: os.geteuid() != 0)
    child_ready_timeout_s: float = 20.0

    def __post_init__(self) -> None:
        if not 1 <= self.live_runs_max <= LIVE_RUNS_CEILING:
            raise ValueError(
                f"live_runs_max must be between 1 and {LIVE_RUNS_CEILING}, got {self.live_runs_max}"
            )
        if self.live_runs is not None and not 1 <= self.live_runs <= self.live_runs_max:
            raise ValueError(f"live_runs must be between 1 and {self.live_runs_max}, got {self.live_runs}")
        if self.warm_children < 1:
            raise ValueError(f"warm_children must be at least 1, got {self.warm_children}")

    @property
    def capacity(self) -> int:
        """Programs that may be alive at once: `live_runs`, or as many as the sandboxes' memory
        holds at MEMORY_OVERCOMMIT runs per default memory limit, up to `live_runs_max`."""
        if self.live_runs is not None:
            return self.live_runs
        by_memory = self.sandboxes_memory_mb * MEMORY_OVERCOMMIT // self.limits.default.memory_mb
        return max(1, min(self.live_runs_max, by_memory))

    @property
    def slots(self) -> int:
        """Children that may exist at once, each with its own uid and cgroup: one per live run,
        the warm ones (ready or being made), and as many again for used children still being
        torn down while their replacements are made (past that, a new child waits for a slot)."""
        return self.capacity + 2 * self.warm_children * len(self.templates)

    @property
    def templates(self) -> tuple[TemplateKind, ...]:
        if self.plain_preload is None:
            return (TemplateKind.SCIENTIFIC,)
        return (TemplateKind.PLAIN, TemplateKind.SCIENTIFIC)

    def preload_for(self, template: TemplateKind) -> tuple[str, ...]:
        if template is TemplateKind.PLAIN and self.plain_preload is not None:
            return self.plain_preload
        return self.preload
