"""Prometheus metrics of the API and the workers (each process exposes its own)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

RUNS = Counter("execbox_runs", "Finished runs, by verdict", ["status"])
RUN_SECONDS = Histogram(
    "execbox_run_seconds",
    "Wall time of a run as its caller waited for it (queueing included in queue mode)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
RUNS_IN_PROGRESS = Gauge("execbox_runs_in_progress", "Runs this process is running or waiting for")
QUEUE_DEPTH = Gauge("execbox_queue_depth", "Runs waiting in the queue for a worker (queue mode)")
WORKERS = Gauge("execbox_workers", "Workers that reported in the last heartbeat period (queue mode)")
WORKERS_BUSY = Gauge("execbox_workers_busy", "Runs the live workers are running now (queue mode)")
