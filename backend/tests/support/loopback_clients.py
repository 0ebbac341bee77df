"""Different clients of a test server as a real network has them: each its own source address
on loopback (all of 127.0.0.0/8 is this host's), so per-client limits tell them apart."""

from __future__ import annotations

import itertools

import httpx

from tests.support.api_server import ApiServer

# 127.1.x.y: clear of 127.0.0.1, which the test servers and their default clients use.
_ADDRESSES = (f"127.1.{number // 250}.{number % 250 + 1}" for number in itertools.count())


def new_address() -> str:
    """A source address no other client of this test session has."""
    return next(_ADDRESSES)


def new_client(server: ApiServer, address: str | None = None) -> httpx.Client:
    """A client with a source address of its own (or `address`: the same client of another
    server)."""
    transport = httpx.HTTPTransport(local_address=address or new_address())
    return httpx.Client(base_url=server.url, transport=transport, timeout=60)
