"""Leases on the runs a worker holds, so that the run of a worker that died is handed out again
within seconds, not after Celery's visibility timeout (the longest wall limit + 15 s, 135 s).

A worker holds a lease, a Redis key that lapses after LEASE_TTL_S, on each run from the moment
its task starts until it is acknowledged, and renews its leases every LEASE_RENEW_S. Every
worker also sweeps that often: a delivery unacknowledged for longer than LEASE_TTL_S whose run
has no lease is put back on the queue by kombu's own restore, a transaction on the unacked
table, so that of all the sweepers and kombu's visibility restore only one puts it back. It
comes back marked redelivered: the count that turns a program that kills its worker every time
into `internal_error` still counts it.

The price: a worker cut off from Redis for LEASE_TTL_S loses its leases, and its runs may then
run twice, as they would after a visibility timeout.

The same renewals keep a synchronous run counted in its client's share over the deployment
(queue/share_leases.py) while it lives, and no longer once its worker is gone.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import redis

from execbox import metrics
from execbox.queue.protocol import LEASE_TTL_S, lease_key
from execbox.queue.share_leases import SHARE_LEASE_TTL_S, share_key

log = logging.getLogger(__name__)

# A run counted in a client's share: (client, run id).
Counted = tuple[str, str]


class RunLeases:
    def __init__(self, client: redis.Redis, owner: str) -> None:
        self._redis = client
        self._owner = owner
        self._held: dict[str, Counted | None] = {}
        self._lock = threading.Lock()

    def hold(self, task_id: str, counted: Counted | None = None) -> None:
        """Lease `task_id`'s run, and renew its place in its client's share if it has one."""
        with self._lock:
            self._held[task_id] = counted
        self._write({task_id: counted})

    def release(self, task_id: str) -> None:
        with self._lock:
            counted = self._held.pop(task_id, None)
        releasing = self._redis.pipeline(transaction=False)
        releasing.delete(lease_key(task_id))
        if counted is not None:
            client, run_id = counted
            releasing.zrem(share_key(client), run_id)
        try:
            releasing.execute()
        except redis.RedisError as error:
            log.warning("task %s: its lease was not released (it lapses by itself): %s", task_id, error)

    def renew(self) -> None:
        with self._lock:
            held = dict(self._held)
        if held:
            self._write(held)

    def _write(self, held: dict[str, Counted | None]) -> None:
        writing = self._redis.pipeline(transaction=False)
        share_lease_until = time.time() + SHARE_LEASE_TTL_S
        for task_id, counted in held.items():
            writing.set(lease_key(task_id), self._owner, ex=LEASE_TTL_S)
            if counted is not None:
                client, run_id = counted
                # Only a run its API node counted (xx): see queue/share_leases.py.
                writing.zadd(share_key(client), {run_id: share_lease_until}, xx=True)
        try:
            writing.execute()
        except redis.RedisError as error:
            log.warning("leases of %d runs not written: %s", len(held), error)


class OrphanSweeper:
    """Puts back on the queue the deliveries whose run nobody holds a lease on."""

    def __init__(self, client: redis.Redis, qos: Any) -> None:
        self._redis = client
        self._qos = qos  # kombu's Redis QoS: the unacked table and its restore
        self._task_ids: dict[str, str] = {}  # delivery tag -> its task id, read once per tag

    def sweep(self) -> int:
        """How many deliveries were put back. Raises RedisError when Redis cannot be asked."""
        delivered_before = time.time() - LEASE_TTL_S
        old = self._redis.zrangebyscore(self._qos.unacked_index_key, "-inf", delivered_before)
        tags = [tag.decode() if isinstance(tag, bytes) else str(tag) for tag in old]
        self._task_ids = {tag: job for tag, job in self._task_ids.items() if tag in tags}
        unknown = [tag for tag in tags if tag not in self._task_ids]
        if unknown:
            for tag, raw in zip(unknown, self._redis.hmget(self._qos.unacked_key, unknown), strict=True):
                if raw is not None:
                    payload, _exchange, _routing_key = json.loads(raw)
                    self._task_ids[tag] = payload["headers"]["id"]
        known = [tag for tag in tags if tag in self._task_ids]
        if not known:
            return 0
        leases = self._redis.mget([lease_key(self._task_ids[tag]) for tag in known])
        orphans = [tag for tag, lease in zip(known, leases, strict=True) if lease is None]
        for tag in orphans:
            task_id = self._task_ids.pop(tag)
            log.warning("task %s: its worker stopped holding it; put back on the queue", task_id)
            self._qos.restore_by_tag(tag)
        metrics.RESTORED_RUNS.inc(len(orphans))
        return len(orphans)
