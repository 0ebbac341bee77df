"""Whose submissions are whose: an account's, or the holder's of an owner token.

A submission made with credentials belongs to their account (services/identity.py). Without
them, the API issues a random owner token with a client's first saved submission; the client
keeps it and sends it as `X-Owner-Token` with later ones, and only the submissions made with a
token are listed to its holder. The database keeps a hash, never the token. An unlisted
submission stays readable by its unguessable id (its share link); a private one by its account
alone. The listing never hands out another owner's ids.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

OWNER_TOKEN_HEADER = "X-Owner-Token"  # noqa: S105 -- a header name
# `owner_from` issues 43 characters; a client may bring its own secret of this shape.
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{32,64}$"  # noqa: S105 -- a shape


def token_key(token: str) -> str:
    """What is stored of a token: a 256-bit random token needs no salt or key, only a one-way hash."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a request says it is, for its submissions: an account, an owner token, both or none."""

    user_id: int | None  # the account the request's credentials name
    token: str | None  # the X-Owner-Token it sent, or one issued to it
    issued: bool = False  # new with this request: the answer must carry it, once

    @property
    def key(self) -> str | None:
        """What is stored of the token (`token_key`). Nothing for an account's request: the
        account is the owner, and a token sent beside its credentials must not list (or delete)
        the account's submissions."""
        if self.user_id is not None or self.token is None:
            return None
        return token_key(self.token)

    @property
    def nobody(self) -> bool:
        return self.user_id is None and self.token is None

    def saving(self) -> Owner:
        """Whom a submission saved now belongs to: a new token's holder when the request named
        nobody, so that it can be listed (and deleted) by whoever made it."""
        return Owner(None, secrets.token_urlsafe(32), issued=True) if self.nobody else self


NOBODY = Owner(user_id=None, token=None)  # a request that names no account and sends no token
