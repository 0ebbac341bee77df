"""The accounts service on a real database: what only the service can show (many addresses)."""

from __future__ import annotations

import asyncio

import pytest

from execbox.db.database import Database
from execbox.db.migrate import upgrade_to_head
from execbox.services.access_tokens import AccessTokens
from execbox.services.accounts import AccountService, normalized_email
from execbox.services.errors import InvalidRequest, RateLimitExceeded, Unauthorized
from execbox.services.rate_limit import RateLimiter
from tests.support.databases import MakeDatabase

PASSWORD = "correct horse battery staple"


def test_guessing_one_accounts_password_from_many_addresses_is_limited_too(
    make_database: MakeDatabase,
) -> None:
    async def scenario() -> list[str]:
        database = Database(make_database("sqlite"))
        try:
            await upgrade_to_head(database)
            limiter = RateLimiter("3/minute", None, "sign-in attempts", "sign_in_limit")
            accounts = AccountService(database.sessions, AccessTokens("k" * 32, 60), limiter)
            await accounts.create("ada@example.org", PASSWORD, admin=False)
            outcomes = []
            for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"):
                try:
                    await accounts.sign_in("ada@example.org", "guess", client=address)
                except (Unauthorized, RateLimitExceeded) as refusal:
                    outcomes.append(f"{type(refusal).__name__}: {refusal}")
            return outcomes
        finally:
            await database.close()

    *wrong, limited = asyncio.run(scenario())
    assert wrong == ["Unauthorized: The e-mail address or the password is wrong."] * 3
    assert limited.startswith("RateLimitExceeded: Too many sign-in attempts for this e-mail address")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ada@Example.ORG", "ada@example.org"),
        ("ＡＤＡ@example.org", "ada@example.org"),  # full-width letters
        ("straße@example.org", "strasse@example.org"),  # case-folded, not only lower-cased
    ],
)
def test_an_address_is_stored_in_one_form(typed: str, stored: str) -> None:
    assert normalized_email(typed) == stored


@pytest.mark.parametrize(
    "typed", ["a@b", "a b@example.org", "a@@example.org", "a@example.org\n", "@example.org"]
)
def test_what_is_not_an_address_is_refused(typed: str) -> None:
    with pytest.raises(InvalidRequest, match="not an e-mail address"):
        normalized_email(typed)
