"""Run a request's code: the code policy first, then the sandbox, then sanitised output."""

from __future__ import annotations

from execbox.policy import CodePolicy, check
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.errors import InvalidInput, LimitError, SandboxClosed, SandboxInternalError
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.result import RunResult
from execbox.schemas.execution import ErrorOut, ExecuteRequest, ExecutionResult, TruncatedOut
from execbox.services.errors import InvalidRequest, PolicyRejected, Unavailable
from execbox.services.rate_limit import RateLimiter
from execbox.services.sanitize import Sanitizer


class ExecutionService:
    def __init__(
        self,
        engine: SandboxEngine,
        policy: CodePolicy | None,
        rate_limiter: RateLimiter | None,
        max_stdin_length: int,
    ) -> None:
        self.engine = engine
        self.policy = policy  # None: the operator switched the static policy off
        self.rate_limiter = rate_limiter  # None: no limit (e.g. behind a gateway that limits)
        self.max_stdin_length = max_stdin_length
        self._sanitize: Sanitizer | None = None

    async def execute(self, request: ExecuteRequest, client: str) -> ExecutionResult:
        """Run `request` for `client` (an opaque key: the rate limit counts runs per key).

        Only requests that reach the sandbox count: a user fixing policy violations in the
        editor does not use up their runs."""
        if self.policy is not None:
            violations = check(request.code, self.policy)
            if violations:
                raise PolicyRejected(violations)
        if len(request.stdin) > self.max_stdin_length:
            raise InvalidRequest(
                f"stdin is {len(request.stdin)} characters long; at most {self.max_stdin_length} are allowed"
            )
        limits = LimitRequest(**request.limits.model_dump()) if request.limits else None
        try:
            self.engine.config.limits.resolve(limits)
        except LimitError as error:
            raise InvalidRequest(str(error)) from None
        if self.rate_limiter is not None:
            await self.rate_limiter.hit(client)
        try:
            result = await self.engine.run(request.code, request.stdin, limits)
        except InvalidInput as error:
            raise InvalidRequest(str(error)) from None
        except (SandboxClosed, SandboxInternalError) as error:
            raise Unavailable(f"The sandbox cannot run code now ({error}); try again shortly.") from None
        return self._present(result)

    def _present(self, result: RunResult) -> ExecutionResult:
        if self._sanitize is None:
            self._sanitize = Sanitizer.for_runtime(self.engine.runtime)
        sanitize = self._sanitize
        error = result.error
        return ExecutionResult(
            status=result.status,
            exit_code=result.exit_code,
            signal=result.signal,
            stdout=result.stdout.text,
            stderr=sanitize(result.stderr.text),
            truncated=TruncatedOut(stdout=result.stdout.truncated, stderr=result.stderr.truncated),
            error=None
            if error is None
            else ErrorOut(type=error.type, message=sanitize(error.message), line=error.line),
            wall_ms=round(result.wall_ms, 3),
            cpu_ms=round(result.cpu_ms, 3),
            memory_kb=result.memory_kb,
        )
