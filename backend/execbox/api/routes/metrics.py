"""Prometheus metrics: this API process's runs, plus the queue and the workers in queue mode."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from redis.exceptions import RedisError

from execbox.api.deps import ServicesDep
from execbox.services.errors import NotFound, Unauthorized
from execbox.services.runners.queue import QueueRunner

router = APIRouter(tags=["health"])

# The API's view of the whole queue (workers have no use for these, so they live here).
QUEUE_DEPTH = Gauge("execbox_queue_depth", "Runs waiting in the queue for a worker (queue mode)")
WORKERS = Gauge("execbox_workers", "Workers that reported in the last heartbeat period (queue mode)")
WORKERS_BUSY = Gauge("execbox_workers_busy", "Runs the live workers are running now (queue mode)")


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def prometheus_metrics(services: ServicesDep, request: Request) -> Response:
    _check_scraper(services.settings.METRICS_TOKEN, request.headers.get("authorization", ""))
    runner = services.runner
    if isinstance(runner, QueueRunner):
        try:
            workers = await runner.workers()
            QUEUE_DEPTH.set(await runner.waiting())
            WORKERS.set(len(workers))
            WORKERS_BUSY.set(sum(worker["busy"] for worker in workers))
        except RedisError:
            pass  # the gauges keep their last values; /health says Redis is down
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _check_scraper(token: str | None, authorization: str) -> None:
    """Off the public port unless the operator set a token: process and run counts are theirs."""
    if token is None:
        raise NotFound("There is nothing at /metrics: its operator has not enabled it (METRICS_TOKEN).")
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthorized("/metrics needs the header 'Authorization: Bearer <METRICS_TOKEN>'.")
