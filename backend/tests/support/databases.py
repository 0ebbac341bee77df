"""The database backends every persistence and API test runs on."""

from __future__ import annotations

from collections.abc import Callable

BACKENDS = ("sqlite", "postgresql")

# make_database(backend) -> the URL of a new, empty database on that backend
MakeDatabase = Callable[[str], str]
