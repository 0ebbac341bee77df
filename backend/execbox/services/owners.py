"""Whose submissions are whose, before accounts exist: an owner token.

The API issues a random token with a client's first saved submission; the client keeps it and
sends it as `X-Owner-Token` with later ones, and only the submissions made with a token are
listed to its holder. The database keeps a hash, never the token. A submission stays readable by
its unguessable id (its share link); the listing never hands out another owner's ids. Accounts
will adopt a token's submissions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

OWNER_TOKEN_HEADER = "X-Owner-Token"  # noqa: S105 -- a header name
# `owner_from` issues 43 characters; a client may bring its own secret of this shape.
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{32,64}$"  # noqa: S105 -- a shape


@dataclass(frozen=True, slots=True)
class Owner:
    token: str
    issued: bool  # new with this request: the answer must carry it, once

    @property
    def key(self) -> str:
        """What is stored: a 256-bit random token needs no salt or key, only a one-way hash."""
        return hashlib.sha256(self.token.encode()).hexdigest()


def owner_from(token: str | None) -> Owner:
    """The owner a request's token names, or a new one."""
    if token is None:
        return Owner(secrets.token_urlsafe(32), issued=True)
    return Owner(token, issued=False)
