"""Liveness and readiness: the process answers, the sandbox can run code, the database and the
rate limiter's store (Redis, when configured) answer."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from execbox.api.deps import ServicesDep
from execbox.schemas.runtime import HealthOut
from execbox.services.rate_limit import RateLimiter

router = APIRouter(tags=["health"])


async def _rate_limit_state(limiter: RateLimiter | None) -> str:
    if limiter is None:
        return "off"
    return "ready" if await limiter.ready() else "unavailable"


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def health(services: ServicesDep) -> JSONResponse:
    sandbox = await services.runner.state()
    try:
        await services.database.ping()
        database = "ready"
    except (SQLAlchemyError, OSError):
        database = "unavailable"
    rate_limit = await _rate_limit_state(services.execution.rate_limiter)
    healthy = sandbox == database == "ready" and rate_limit != "unavailable"
    body = HealthOut(
        status="ok" if healthy else "degraded", sandbox=sandbox, database=database, rate_limit=rate_limit
    )
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)


# Uptime checks often ask with HEAD; a route of its own keeps the schema's one GET operation.
router.add_api_route("/health", health, methods=["HEAD"], include_in_schema=False)
