"""Prometheus metrics: this API process's runs, plus what its runner measures (in queue mode: the
queue and the workers)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from execbox.api.deps import ServicesDep
from execbox.services.errors import NotFound, Unauthorized

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def prometheus_metrics(services: ServicesDep, request: Request) -> Response:
    _check_scraper(services.settings.METRICS_TOKEN, request.headers.get("authorization", ""))
    await services.runner.observe()
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _check_scraper(token: str | None, authorization: str) -> None:
    """Off the public port unless the operator set a token: process and run counts are theirs."""
    if token is None:
        raise NotFound("There is nothing at /metrics: its operator has not enabled it (METRICS_TOKEN).")
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthorized("/metrics needs the header 'Authorization: Bearer <METRICS_TOKEN>'.")
