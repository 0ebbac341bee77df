"""A worker process's own services: its sandbox engine and database on an event loop in a
thread of their own, which Celery's task threads submit work to."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import redis
import redis.asyncio
import uvloop
from celery import Celery
from kombu import Connection

from execbox import metrics
from execbox.db.database import Database
from execbox.queue.protocol import LEASE_RENEW_S, RUNTIME_KEY, WORKER_KEY_PREFIX, encode_versions
from execbox.sandbox.engine import SandboxEngine
from execbox.services.runners.local import LocalRunner
from execbox.services.submission_store import SubmissionStore
from execbox.settings import Settings
from execbox.worker.abandoned_runs import AbandonedRuns
from execbox.worker.leases import OrphanSweeper, RunLeases

T = TypeVar("T")
log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0
_HEARTBEAT_TTL_S = 3 * HEARTBEAT_S


class WorkerRuntime:
    def __init__(self, settings: Settings, name: str | None = None) -> None:
        self.settings = settings
        self.name = name or socket.gethostname()
        self.loop = uvloop.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="sandbox-loop", daemon=True)
        self.redis = redis.Redis.from_url(
            settings.REDIS_URL or "", socket_timeout=5, socket_connect_timeout=5
        )
        # For live runs, on the engine's event loop (connections are made there on first use).
        self.async_redis = redis.asyncio.Redis.from_url(settings.REDIS_URL or "", socket_connect_timeout=5)
        self.engine = SandboxEngine(settings.sandbox_config, on_demoted=metrics.RUNS_DEMOTED.inc)
        self.database = Database(settings.database_url)
        self.store = SubmissionStore(self.database.sessions)
        self.runner = LocalRunner(self.engine, self.store)
        self.abandoned = AbandonedRuns(self.async_redis)
        self.leases = RunLeases(self.redis, self.name)
        self._stopping = threading.Event()
        self._heartbeat = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        self._busy = 0
        self._versions = ""  # the runtime's versions, known once the engine has started
        self._busy_lock = threading.Lock()
        self._broker: Connection | None = None  # the lease sweeper's, once started

    def start(self) -> None:
        self._thread.start()
        self.call(self.engine.start())
        self._versions = encode_versions(self.call(self.runner.versions()))
        log.info("worker %s: sandbox engine ready (%d runs at once)", self.name, self.engine.config.capacity)

    def start_heartbeat(self, app: Celery) -> None:
        """Once the worker consumes: from then on /health and /metrics count it, its leases are
        renewed and it sweeps for runs whose worker died (on a broker connection of its own)."""
        self._heartbeat.start()
        self._broker = app.connection_for_write()
        channel: Any = self._broker.default_channel  # kombu's Redis channel, with its QoS
        sweeper = OrphanSweeper(self.redis, channel.qos)
        threading.Thread(target=self._keep_leases, args=(sweeper,), name="leases", daemon=True).start()

    def _keep_leases(self, sweeper: OrphanSweeper) -> None:
        while not self._stopping.wait(LEASE_RENEW_S):
            self.leases.renew()
            try:
                sweeper.sweep()
            except redis.RedisError as error:
                log.warning("worker %s: cannot look for runs whose worker died: %s", self.name, error)

    def call(self, work: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def busy(self, change: int) -> None:
        with self._busy_lock:
            self._busy += change
            metrics.RUNS_IN_PROGRESS.set(self._busy)

    def _beat(self) -> None:
        """Tells the API this worker is alive and how busy it is (for /health and /metrics)."""
        key = WORKER_KEY_PREFIX + self.name
        while not self._stopping.is_set():
            state = {"busy": self._busy, "concurrency": self.engine.config.capacity}
            try:
                self.redis.set(key, json.dumps(state), ex=int(_HEARTBEAT_TTL_S))
                # Again every time: a Redis restarted empty learns the versions back.
                self.redis.set(RUNTIME_KEY, self._versions)
            except redis.RedisError as error:
                log.warning("worker %s: heartbeat failed: %s", self.name, error)
            self._stopping.wait(HEARTBEAT_S)

    def stop(self) -> None:
        self._stopping.set()
        if self._broker is not None:
            self._broker.release()
        with contextlib.suppress(redis.RedisError):
            self.redis.delete(WORKER_KEY_PREFIX + self.name)
        self.call(self.engine.close())
        self.call(self.database.close())
        self.call(self.async_redis.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
