"""Fixtures every test package may use: real databases, a real Redis."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.support.databases import MakeDatabase
from tests.support.postgres import PostgresServer, postgres_server
from tests.support.redis import RedisServer, redis_server

_DATABASE_NAMES = itertools.count(1)

# Hypothesis, the same way for everyone (docs/development.md): CI replays a fixed set of
# examples, so a landing is never bounced by luck; a contributor's runs explore new ones and
# keep every failure found in backend/.hypothesis, so the next run tries it first.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile(
    "dev", database=DirectoryBasedExampleDatabase(Path(__file__).parents[1] / ".hypothesis" / "examples")
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


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
