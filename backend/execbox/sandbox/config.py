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
    concurrency: int = field(default_factory=lambda: os.cpu_count() or 1)
    # Children kept set up and warm beyond `concurrency`, so a finished run's replacement
    # is never on the next request's path.
    spare_children: int = field(default_factory=lambda: os.cpu_count() or 1)
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
    # Templates, children and programs run this much below the service's CPU priority: a busy
    # sandbox never delays the service's own work, such as sending a verdict while the kernel
    # tears the finished run's processes down.
    niceness: int = 10
    max_open_files: int = 256
    max_file_size_mb: int = 64
    stack_mb: int = 8
    # Each slot runs as its own uid: first_uid .. first_uid+all_slots-1, which no host user and no
    # other engine on the host may use (EXECBOX_FIRST_UID sets it for the command line).
    first_uid: int = field(default_factory=lambda: int(os.environ.get("EXECBOX_FIRST_UID", "64000")))
    preload: tuple[str, ...] = DEFAULT_PRELOAD
    # A second, small template for the programs that name no package only the scientific one
    # has (see template_choice): its children cost ~9 ms less CPU each. None: one template,
    # the scientific one, for every program.
    plain_preload: tuple[str, ...] | None = PLAIN_PRELOAD
    # Idle children run a small pandas program so a run's first pandas call finds its pages
    # already copied: ~5 ms less latency per pandas run, ~5 ms more CPU per child. Children are
    # warmed only while the pool keeps up (at least `concurrency` of them ready): under
    # saturation that CPU goes to running programs instead.
    warm_up_children: bool = True
    hostname: str = "execbox"
    # Not root: user namespaces instead of per-slot uids (decided by who runs the service).
    rootless: bool = field(default_factory=lambda: os.geteuid() != 0)
    child_ready_timeout_s: float = 20.0

    @property
    def slots(self) -> int:
        """Children kept by each template's pool (each slot has its own uid)."""
        return self.concurrency + self.spare_children

    @property
    def templates(self) -> tuple[TemplateKind, ...]:
        if self.plain_preload is None:
            return (TemplateKind.SCIENTIFIC,)
        return (TemplateKind.PLAIN, TemplateKind.SCIENTIFIC)

    @property
    def all_slots(self) -> int:
        return self.slots * len(self.templates)

    def preload_for(self, template: TemplateKind) -> tuple[str, ...]:
        if template is TemplateKind.PLAIN and self.plain_preload is not None:
            return self.plain_preload
        return self.preload
