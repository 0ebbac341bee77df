"""Prometheus metrics every process that runs code keeps: the API and each worker expose their own."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

RUNS = Counter("execbox_runs", "Finished runs, by verdict", ["status"])
RUN_SECONDS = Histogram(
    "execbox_run_seconds",
    "Wall time of a run as its caller waited for it (queueing included in queue mode)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
RUNS_ABANDONED = Counter(
    "execbox_runs_abandoned", "Synchronous runs stopped because their client closed the connection"
)
RUNS_IN_PROGRESS = Gauge("execbox_runs_in_progress", "Runs this process is running or waiting for")
RUNS_REFUSED = Counter(
    "execbox_runs_refused",
    "Runs refused before they started, by reason: node_full, client_share, client_waiting, rate_limit",
    ["reason"],
)
RUNS_ADMITTED = Counter("execbox_runs_admitted", "Synchronous runs past every check, about to run or wait")
RUNS_WAITING = Gauge(
    "execbox_runs_waiting",
    "Runs waiting for their turn: client_share (behind their client's own), node_full (for a sandbox)",
    ["reason"],
)
RUNS_DEMOTED = Counter(
    "execbox_runs_demoted", "Runs moved to the low CPU weight after using SANDBOX_DEMOTE_AFTER_CPU_S of CPU"
)
RESTORED_RUNS = Counter(
    "execbox_runs_restored", "Runs put back on the queue because their worker stopped holding them (worker)"
)
LOST_RUNS = Counter(
    "execbox_lost_runs", "Asynchronous submissions given internal_error because Redis lost their run (API)"
)
