"""How services name a client: a keyed hash of its address, never the address itself."""

from __future__ import annotations

import hashlib
import hmac


def client_key(secret_key: str, address: str) -> str:
    """Keyed, so stored keys cannot be reversed by hashing every IPv4 address."""
    return hmac.new(secret_key.encode(), address.encode(), hashlib.sha256).hexdigest()
