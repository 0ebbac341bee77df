"""Owner tokens of test clients (services/owners.py): each test lists only its own submissions."""

from __future__ import annotations

import secrets


def new_owner() -> dict[str, str]:
    """The headers of a client with an owner token of its own."""
    return {"X-Owner-Token": secrets.token_urlsafe(32)}
