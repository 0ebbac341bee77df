"""The Celery application both sides build from the same settings."""

from __future__ import annotations

from celery import Celery

from execbox.queue import transport
from execbox.queue.protocol import QUEUE
from execbox.settings import Settings

# How long a worker may hold a run before Redis hands it to another worker: longer than any run
# may last, or a slow run would be run twice.
_VISIBILITY_MARGIN_S = 15
_REDIS_TIMEOUT_S = 5


def create_celery(settings: Settings) -> Celery:
    app = Celery("execbox", broker=settings.REDIS_URL, set_as_current=False)
    app.conf.update(
        broker_transport=transport.Transport,
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # verdicts travel on their own reply list or to the database
        # A run is acknowledged only when it is done, so a worker that dies mid-run leaves it to be
        # delivered again; each worker thread takes one run at a time.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={
            "visibility_timeout": int(settings.EXECUTION_TIMEOUT_MAX) + _VISIBILITY_MARGIN_S,
            # kombu looks for runs a dead worker left unacknowledged every interval x throttle
            # (10 s x 10 by default): every 5 s instead, so they are redelivered soon after their
            # visibility timeout.
            "unacked_restore_interval": 5,
            "unacked_restore_throttle": 1,
            # Without it a Redis that stops answering (frozen, a network partition) holds a
            # publish, and the request behind it, for ever.
            "socket_timeout": _REDIS_TIMEOUT_S,
        },
        broker_connection_timeout=2,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app
