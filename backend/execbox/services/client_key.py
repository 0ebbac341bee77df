"""How services name a client, the unit a rate limit or a share of runs counts.

A request without credentials is its address, as a keyed hash (never the address itself); with
credentials, the API key or the account they name (services/identity.py). Sign-in attempts are
also counted per e-mail address (services/accounts.py).
"""

from __future__ import annotations

import hashlib
import hmac

_KEY = "key:"
_USER = "user:"
_EMAIL = "email:"


def client_key(secret_key: str, address: str) -> str:
    """Keyed, so stored keys cannot be reversed by hashing every IPv4 address."""
    return hmac.new(secret_key.encode(), address.encode(), hashlib.sha256).hexdigest()


def key_client(key_id: int) -> str:
    return f"{_KEY}{key_id}"


def user_client(user_id: int) -> str:
    return f"{_USER}{user_id}"


def email_client(email: str) -> str:
    return f"{_EMAIL}{email}"


def whose(client: str) -> str:
    """Whom a refusal says a limit counted: "Too many runs from your API key"."""
    if client.startswith(_KEY):
        return "from your API key"
    if client.startswith(_USER):
        return "from your account"
    if client.startswith(_EMAIL):
        return "for this e-mail address"
    return "from your address"
