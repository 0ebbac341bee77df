"""Prometheus metrics: this API process's runs, plus the queue and the workers in queue mode."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError

from execbox import metrics
from execbox.api.deps import ServicesDep
from execbox.services.runners.queue import QueueRunner

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response)
async def prometheus_metrics(services: ServicesDep) -> Response:
    runner = services.runner
    if isinstance(runner, QueueRunner):
        try:
            workers = await runner.workers()
            metrics.QUEUE_DEPTH.set(await runner.waiting())
            metrics.WORKERS.set(len(workers))
            metrics.WORKERS_BUSY.set(sum(worker["busy"] for worker in workers))
        except RedisError:
            pass  # the gauges keep their last values; /health says Redis is down
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
