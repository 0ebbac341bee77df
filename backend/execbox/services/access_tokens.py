"""A signed-in user's access token: a JWT (RFC 7519) signed with HMAC-SHA256 under a key derived
from SECRET_KEY, naming the user and when it lapses. Only that algorithm is accepted, so a token
that says `alg: none` or was signed with another key is refused like a changed one."""

from __future__ import annotations

import hashlib
import hmac
import time

import jwt

from execbox.services.errors import Unauthorized

_ALGORITHM = "HS256"
# Its own key, so that a token can never stand in for another of SECRET_KEY's signatures.
_PURPOSE = b"execbox access token"


class AccessTokens:
    def __init__(self, secret_key: str, lifetime_s: int) -> None:
        self._key = hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()
        self.lifetime_s = lifetime_s

    def issue(self, user_id: int, now: float | None = None) -> str:
        issued = int(time.time() if now is None else now)
        claims = {"sub": str(user_id), "iat": issued, "exp": issued + self.lifetime_s}
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM)

    def user_id(self, token: str) -> int:
        """The user `token` names; `Unauthorized` when it is not one of ours or has lapsed."""
        try:
            claims = jwt.decode(
                token, self._key, algorithms=[_ALGORITHM], options={"require": ["sub", "exp", "iat"]}
            )
            return int(claims["sub"])
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired: sign in again.") from None
        except (jwt.InvalidTokenError, ValueError):
            raise Unauthorized("The access token is not valid: sign in again.") from None
