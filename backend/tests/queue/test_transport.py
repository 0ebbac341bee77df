"""The Redis transport behind the Celery app: runs published through it land in the queue, its
commands share one client, and that client follows kombu to a new connection pool."""

from __future__ import annotations

import pytest
import redis
from celery import Celery

from execbox.queue import transport
from execbox.queue.celery_app import create_celery
from execbox.queue.protocol import QUEUE, TASK
from execbox.settings import Settings
from tests.support.redis import RedisServer


@pytest.fixture
def app(redis_service: RedisServer) -> Celery:
    redis.Redis.from_url(redis_service.url).flushdb()
    return create_celery(Settings(_env_file=None, REDIS_URL=redis_service.url, SECRET_KEY="test"))


def test_the_app_publishes_through_the_execbox_transport(app: Celery, redis_service: RedisServer) -> None:
    for number in range(3):
        app.send_task(TASK, args=[{"n": number}], retry=False)
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, transport.Transport)
    assert redis.Redis.from_url(redis_service.url).llen(QUEUE) == 3


def test_commands_share_one_client_which_follows_a_new_pool(app: Celery) -> None:
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        assert isinstance(channel, transport.Channel)
        with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
            assert first is second
            assert first.ping()
        given = redis.Redis()
        with channel.conn_or_acquire(given) as client:
            assert client is given  # a caller's own client is used as it is
        channel._disconnect_pools()  # type: ignore[attr-defined]  # as kombu does after a fork
        with channel.conn_or_acquire() as third:
            assert third is not first
            assert third.connection_pool is channel.pool
            assert third.ping()
