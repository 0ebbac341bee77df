"""Queue mode end to end: a real Redis and PostgreSQL, the API (`EXECUTION_BACKEND=queue`, no
sandbox of its own) and `execbox worker` processes, all on loopback.

`cluster` is one API with two workers, shared by the package; tests that break things (stop
Redis, fill the queue, stop a worker) build their own with `launcher`, on a Redis database number
of their own so that the cluster's workers never take their runs.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from execbox.db.models import Submission
from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.redis import RedisServer, redis_server
from tests.support.submissions import FINAL as FINAL
from tests.support.submissions import SUBMISSIONS as SUBMISSIONS
from tests.support.submissions import poll_submissions as poll_submissions
from tests.support.worker_process import WorkerProcess

T = TypeVar("T")

EXECUTE = "/api/v1/code/execute"
PENDING = frozenset({"queued", "running"})

# A low maximum wall time keeps Celery's visibility timeout (EXECUTION_TIMEOUT_MAX + 15 s = 25 s)
# short enough for a killed worker's runs to come back within the test. CODE_POLICY=off lets
# programs `import time` and sleep.
EXECUTION_TIMEOUT_MAX_S = 10
VISIBILITY_TIMEOUT_S = EXECUTION_TIMEOUT_MAX_S + 15
_QUEUE_SETTINGS = {
    "EXECUTION_BACKEND": "queue",
    "CODE_POLICY": "off",
    "EXECUTION_TIMEOUT_MAX": str(EXECUTION_TIMEOUT_MAX_S),
    "EXECUTION_TIMEOUT": str(EXECUTION_TIMEOUT_MAX_S),
    # The tests load the queue from one address on purpose (200 runs at once).
    "ASYNC_MAX_WAITING_PER_CLIENT": "1000",
}

# Redis database numbers for the tests' own clusters; 0 is the shared cluster's.
_REDIS_DATABASES = itertools.count(1)


def sleeper(seconds: float, marker: str) -> str:
    """A program that sleeps `seconds`, then prints `marker`."""
    return f"import time\ntime.sleep({seconds})\nprint({marker!r})\n"


def wait_until(check: Callable[[], T | None], timeout: float, what: str, interval: float = 0.1) -> T:
    """The first truthy value of `check()`; fails saying `what` did not happen in time."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def database_rows(database_url: str) -> list[tuple[str, str]]:
    """Every row of the submissions table, as (id, status), read straight from the database."""

    async def read() -> list[tuple[str, str]]:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as connection:
                result = await connection.execute(select(Submission.id, Submission.status))
                return [(row.id, row.status) for row in result]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def redis_url(server: RedisServer, database: int) -> str:
    return f"redis://127.0.0.1:{server.port}/{database}"


@dataclass
class Cluster:
    redis: RedisServer
    database_url: str
    settings: dict[str, str]
    api: ApiServer
    workers: list[WorkerProcess] = field(default_factory=list)

    def revive(self) -> Cluster:
        """Start again every worker a test stopped or killed."""
        dead = [worker for worker in self.workers if not worker.running()]
        for worker in dead:
            worker.stop()  # reaps it, if it exited on its own
            worker.launch()
        for worker in dead:
            worker.wait_ready()
        return self


@pytest.fixture(scope="package")
def queue_redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture(scope="package")
def shared_cluster(queue_redis: RedisServer, make_database: MakeDatabase) -> Iterator[Cluster]:
    database_url = make_database("postgresql")
    settings = {**_QUEUE_SETTINGS, "REDIS_URL": redis_url(queue_redis, 0), "DATABASE_URL": database_url}
    api = ApiServer(settings)
    cluster = Cluster(queue_redis, database_url, settings, api)
    try:
        # The workers start (~4 s: the sandbox template) while the API migrates the database.
        cluster.workers = [WorkerProcess(f"worker-{n}", settings).launch() for n in (1, 2)]
        api.start()
        for worker in cluster.workers:
            worker.wait_ready()
        yield cluster
    finally:
        for worker in cluster.workers:
            worker.close()
        api.close()


@pytest.fixture
def cluster(shared_cluster: Cluster) -> Cluster:
    """The shared API and its two workers, both running."""
    return shared_cluster.revive()


class Launcher:
    """APIs and workers of a test's own, on a Redis database and a PostgreSQL database of their own."""

    def __init__(self, redis: RedisServer, make_database: MakeDatabase) -> None:
        self.redis = redis
        self.make_database = make_database
        self.apis: list[ApiServer] = []
        self.workers: list[WorkerProcess] = []

    def settings(self, **extra: str) -> dict[str, str]:
        return {
            **_QUEUE_SETTINGS,
            "REDIS_URL": redis_url(self.redis, next(_REDIS_DATABASES)),
            "DATABASE_URL": self.make_database("postgresql"),
            **extra,
        }

    def api(self, settings: dict[str, str]) -> ApiServer:
        server = ApiServer(settings)
        self.apis.append(server)
        return server.start()

    def worker(self, name: str, settings: dict[str, str]) -> WorkerProcess:
        worker = WorkerProcess(name, settings)
        self.workers.append(worker)
        return worker.start()

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
        for server in self.apis:
            server.close()


@pytest.fixture
def launcher(queue_redis: RedisServer, make_database: MakeDatabase) -> Iterator[Launcher]:
    launcher = Launcher(queue_redis, make_database)
    yield launcher
    launcher.close()
