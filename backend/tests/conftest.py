"""Fixtures every test package may use: real databases, a real Redis."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.support.databases import MakeDatabase
from tests.support.postgres import PostgresServer, postgres_server
from tests.support.redis import RedisServer, redis_server

_DATABASE_NAMES = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def make_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> MakeDatabase:
    """`make_database(backend)`: the URL of a new, empty database ("sqlite" or "postgresql")."""
    directory = tmp_path_factory.mktemp("databases")

    def make(backend: str) -> str:
        number = next(_DATABASE_NAMES)
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{directory / f'execbox-{number}.db'}"
        server: PostgresServer = request.getfixturevalue("postgres")  # started on first use
        return server.create_database(f"execbox_{number}")

    return make


@pytest.fixture(scope="session")
def redis_service() -> Iterator[RedisServer]:
    """A Redis server for tests that need one briefly; each uses keys of its own or flushes first."""
    with redis_server() as server:
        yield server
