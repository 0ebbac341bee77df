"""Per-run resource limits: operator defaults and hard maximums; a request may only lower them."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from execbox.sandbox.errors import LimitError

# Below this a run cannot even finish starting: the child's own pages are charged to its group.
MIN_MEMORY_MB = 16


@dataclass(frozen=True, slots=True)
class RunLimits:
    wall_time_s: float = 30.0
    cpu_time_s: float = 30.0
    memory_mb: int = 512
    output_bytes: int = 1024 * 1024  # per stream
    results_bytes: int = 2 * 1024 * 1024  # all rich results' data together

    def __post_init__(self) -> None:
        for field in fields(self):
            if not getattr(self, field.name) > 0:
                raise LimitError(f"{field.name} must be positive")
        if self.memory_mb < MIN_MEMORY_MB:
            raise LimitError(f"memory_mb must be at least {MIN_MEMORY_MB}, got {self.memory_mb}")


@dataclass(frozen=True, slots=True)
class LimitRequest:
    """What a caller asks for; `None` means the operator's default."""

    wall_time_s: float | None = None
    cpu_time_s: float | None = None
    memory_mb: int | None = None
    output_bytes: int | None = None
    results_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    default: RunLimits
    maximum: RunLimits

    def __post_init__(self) -> None:
        for field in fields(RunLimits):
            if getattr(self.default, field.name) > getattr(self.maximum, field.name):
                raise LimitError(f"default {field.name} is above its maximum")

    def resolve(self, request: LimitRequest | None = None) -> RunLimits:
        """The limits for one run: the defaults, lowered where the request asks."""
        if request is None:
            return self.default
        changes: dict[str, float | int] = {}
        for field in fields(LimitRequest):
            asked = getattr(request, field.name)
            if asked is None:
                continue
            ceiling = getattr(self.maximum, field.name)
            if not asked > 0:
                raise LimitError(f"{field.name} must be positive, got {asked}", field.name)
            if asked > ceiling:
                raise LimitError(f"{field.name} may be at most {ceiling}, got {asked}", field.name)
            changes[field.name] = asked
        return replace(self.default, **changes)  # type: ignore[arg-type]
