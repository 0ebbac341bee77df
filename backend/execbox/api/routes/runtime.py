"""What the service runs and allows, for clients to display."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter

from execbox.api.deps import ServicesDep
from execbox.sandbox.limits import RunLimits
from execbox.schemas.runtime import AccountsOut, LimitsOut, PolicyOut, RuntimeOut

router = APIRouter(tags=["runtime"])


def _limits(limits: RunLimits) -> LimitsOut:
    return LimitsOut(**dataclasses.asdict(limits))


@router.get("/runtime")
async def runtime(services: ServicesDep) -> RuntimeOut:
    """Interpreter and package versions, the code policy and the limits in force."""
    settings = services.settings
    policy = settings.code_policy
    versions = await services.runner.versions()
    return RuntimeOut(
        python=versions.python,
        packages=versions.packages,
        policy=PolicyOut(
            enabled=settings.CODE_POLICY == "on",
            preset=settings.policy_preset,
            allowed_modules=sorted(policy.allowed_modules),
            banned_builtins=sorted(policy.banned_builtins),
            max_code_length=settings.MAX_CODE_LENGTH,
            max_code_lines=settings.MAX_CODE_LINES,
        ),
        default_limits=_limits(settings.limit_policy.default),
        max_limits=_limits(settings.limit_policy.maximum),
        max_stdin_length=settings.MAX_STDIN_LENGTH,
        max_input_files=settings.MAX_INPUT_FILES,
        max_input_files_bytes=settings.MAX_INPUT_FILES_BYTES,
        rate_limit=settings.RATE_LIMIT if settings.RATE_LIMIT_ENABLED else None,
        execution_backend=settings.EXECUTION_BACKEND,
        accounts=AccountsOut(enabled=settings.ACCOUNTS_ENABLED, anonymous_runs=settings.ANONYMOUS_RUNS),
    )
