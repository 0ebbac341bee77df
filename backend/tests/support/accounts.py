"""Accounts on a test server: sign one up and in, or make it an API key."""

from __future__ import annotations

import httpx

from tests.support.api_server import ApiServer

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
KEYS = "/api/v1/keys"
PASSWORD = "correct horse battery staple"


def sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post(TOKEN, data={"username": email, "password": password})


def signed_in(server: ApiServer, email: str) -> dict[str, str]:
    """The headers of a new (or existing) account's access token."""
    server.client.post(REGISTER, json={"email": email, "password": PASSWORD})
    token = sign_in(server.client, email, PASSWORD).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def api_key(server: ApiServer, email: str) -> str:
    """A new API key of a new (or existing) account."""
    secret: str = server.client.post(KEYS, json={"name": "runs"}, headers=signed_in(server, email)).json()[
        "secret"
    ]
    return secret
