"""What clients may show about the service: versions, policy and limits."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LimitsOut(BaseModel):
    wall_time_s: float
    cpu_time_s: float
    memory_mb: int
    output_bytes: int
    results_bytes: int


class PolicyOut(BaseModel):
    enabled: bool
    preset: str = Field(
        description="standard (the pure-computation standard library and the scientific stack), "
        "strict (the seed's short list), or custom (the operator's ALLOWED_MODULES)"
    )
    allowed_modules: list[str]
    banned_builtins: list[str]
    max_code_length: int
    max_code_lines: int


class AccountsOut(BaseModel):
    enabled: bool = Field(description="accounts and API keys are served (/api/v1/auth, /api/v1/keys)")
    anonymous_runs: bool = Field(description="code runs without credentials too")


class RuntimeOut(BaseModel):
    python: str
    packages: dict[str, str]
    policy: PolicyOut
    default_limits: LimitsOut
    max_limits: LimitsOut
    max_stdin_length: int
    max_input_files: int = Field(description="input files a run may be given (`files`)")
    max_input_files_bytes: int = Field(description="bytes of a run's input files together, decoded")
    rate_limit: str | None
    execution_backend: str = Field(description="local: runs in the API process; queue: on workers")
    accounts: AccountsOut


class HealthOut(BaseModel):
    status: str = Field(description="ok, or degraded when a dependency below is unavailable")
    sandbox: str = Field(description="ready; unavailable; in queue mode also 'no workers'")
    database: str
    rate_limit: str = Field(description="ready, unavailable, or off when no rate limit is set")
