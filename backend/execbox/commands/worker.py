"""`execbox worker`: take runs from the Redis queue and run them in this host's sandbox engine."""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import warnings

import prometheus_client
from celery.exceptions import SecurityWarning
from celery.signals import worker_ready, worker_shutting_down

from execbox.commands import USAGE_ERROR
from execbox.queue.celery_app import create_celery
from execbox.queue.protocol import QUEUE
from execbox.sandbox.errors import SandboxUnavailable
from execbox.settings import load_settings
from execbox.worker.runtime import WorkerRuntime
from execbox.worker.tasks import register


def worker(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings is None:
        return USAGE_ERROR
    if not settings.REDIS_URL:
        print("execbox: a worker needs REDIS_URL, where the queue lives", file=sys.stderr)
        return USAGE_ERROR
    name = args.name or socket.gethostname()
    runtime = WorkerRuntime(settings, name)
    app = create_celery(settings)
    register(app, runtime)
    worker_ready.connect(lambda **_: runtime.start_heartbeat(app), weak=False)
    asked_to_stop = threading.Event()
    worker_shutting_down.connect(lambda **_: asked_to_stop.set(), weak=False)
    # Root is what the sandbox engine needs (namespaces, cgroups, per-run uids); no user code
    # runs in this process, only in the engine's sandboxes. Celery's warning would say otherwise.
    warnings.filterwarnings("ignore", category=SecurityWarning)
    port = settings.WORKER_METRICS_PORT if args.metrics_port is None else args.metrics_port
    if port:
        try:
            prometheus_client.start_http_server(port, addr=args.metrics_host)
        except OSError as error:
            print(
                f"execbox worker: cannot serve /metrics on {args.metrics_host}:{port} ({error.strerror}); "
                "another worker on this host may have it: give each its own WORKER_METRICS_PORT "
                "(or --metrics-port), or 0 for none",
                file=sys.stderr,
            )
            return USAGE_ERROR
    try:
        runtime.start()
    except SandboxUnavailable as error:
        print(error, file=sys.stderr)
        return USAGE_ERROR
    try:
        # Threads, not processes: the engine (its template and slot uids) belongs to this
        # process, and every task hands its run to it. SIGTERM waits for running runs. One
        # thread per run the engine holds alive (at most SANDBOX_LIVE_RUNS_MAX), each taking one
        # run at a time: the worker takes no more runs from Redis than it can start at once.
        app.start(
            [
                "worker",
                "--pool=threads",
                f"--concurrency={runtime.engine.config.capacity}",
                f"--hostname={name}",
                f"--queues={QUEUE}",
                "--loglevel=WARNING",  # INFO logs two lines per run
                "--without-gossip",
                "--without-mingle",
            ]
        )
    finally:
        runtime.stop()
    if not asked_to_stop.is_set():
        # Celery gave up by itself (kombu 5.7 cannot survive losing Redis with a run in flight)
        # and would exit 0: say it failed, so that a supervisor starts the worker again.
        print("execbox: the worker stopped without being asked to; exiting with 1", file=sys.stderr)
        return 1
    return 0
