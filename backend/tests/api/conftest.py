"""API tests run against real `execbox serve` processes, once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.api_server import ApiServer
from tests.support.databases import BACKENDS, MakeDatabase

StartApi = Callable[..., ApiServer]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def api(backend: str, make_database: MakeDatabase) -> Iterator[ApiServer]:
    """The shared server of a backend (no rate limit); tests must not change its settings."""
    server = ApiServer({"DATABASE_URL": make_database(backend)}).start()
    yield server
    server.close()


@pytest.fixture
def start_api(make_database: MakeDatabase) -> Iterator[StartApi]:
    """`start_api(backend="sqlite", **settings)`: a server of the test's own, stopped afterwards."""
    servers: list[ApiServer] = []

    def start(backend: str = "sqlite", **settings: str) -> ApiServer:
        settings.setdefault("DATABASE_URL", make_database(backend))
        server = ApiServer(settings)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.close()


def serving(make_database: MakeDatabase, **settings: str) -> Iterator[ApiServer]:
    """A server of a test module's own, on SQLite: `yield from serving(...)` in its fixture."""
    server = ApiServer({"DATABASE_URL": make_database("sqlite"), **settings}).start()
    try:
        yield server
    finally:
        server.close()
