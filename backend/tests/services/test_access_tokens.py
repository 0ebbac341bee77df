"""Access tokens (services/access_tokens.py): only ours, unchanged and in time are accepted."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from execbox.services.access_tokens import AccessTokens
from execbox.services.errors import Unauthorized

SECRET_KEY = "the-secret-key-of-these-tests-0123456789"
TOKENS = AccessTokens(SECRET_KEY, lifetime_s=600)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_token_names_the_user_it_was_issued_to() -> None:
    assert TOKENS.user_id(TOKENS.issue(42)) == 42


def test_an_expired_token_is_refused_saying_so() -> None:
    stale = TOKENS.issue(42, now=time.time() - 601)
    with pytest.raises(Unauthorized, match="expired"):
        TOKENS.user_id(stale)


def test_a_changed_payload_is_refused() -> None:
    header, _payload, signature = TOKENS.issue(42).split(".")
    forged = (
        f"{header}.{_b64({'sub': '1', 'iat': int(time.time()), 'exp': int(time.time()) + 600})}.{signature}"
    )
    with pytest.raises(Unauthorized, match="not valid"):
        TOKENS.user_id(forged)


def test_alg_none_is_refused() -> None:
    claims = {"sub": "42", "iat": int(time.time()), "exp": int(time.time()) + 600}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(Unauthorized, match="not valid"):
        TOKENS.user_id(unsigned)


@pytest.mark.parametrize(
    "key", [SECRET_KEY, "another-secret-key-of-32-or-more-bytes"], ids=["the-raw-secret", "another"]
)
def test_a_token_signed_with_another_key_is_refused(key: str) -> None:
    # Not even with SECRET_KEY itself: tokens are signed with a key derived for them alone.
    claims = {"sub": "42", "iat": int(time.time()), "exp": int(time.time()) + 600}
    with pytest.raises(Unauthorized, match="not valid"):
        TOKENS.user_id(jwt.encode(claims, key, algorithm="HS256"))


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param("not.a.token", id="garbage"),
        pytest.param(TOKENS.issue(42) + "x", id="signature-changed"),
    ],
)
def test_anything_else_is_refused(token: str) -> None:
    with pytest.raises(Unauthorized):
        TOKENS.user_id(token)


def test_a_token_without_an_expiry_or_a_user_is_refused() -> None:
    key = TOKENS._key  # the right key: only the missing claims are wrong
    for claims in (
        {"sub": "42", "iat": 1},
        {"exp": int(time.time()) + 600, "iat": 1},
        {"sub": "x", "iat": 1, "exp": int(time.time()) + 600},
    ):
        with pytest.raises(Unauthorized, match="not valid"):
            TOKENS.user_id(jwt.encode(claims, key, algorithm="HS256"))
