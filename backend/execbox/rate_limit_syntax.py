"""How a rate limit is written (`10/minute`, `100/hour;10/minute`): one check for the settings'
limits and for an account's own, set by an administrator (services/account_limits.py). A leaf,
like settings: it imports nothing of execbox, and anyone may use it."""

from __future__ import annotations

from limits import RateLimitItem, parse_many


def parsed_rate_limit(text: str) -> list[RateLimitItem]:
    """`text`'s windows, or ValueError saying how to write a rate limit."""
    try:
        return parse_many(text)
    except ValueError:
        raise ValueError(
            f"{text[:40]!r} is not a rate limit: write e.g. '10/minute' or '100/hour;10/minute'"
        ) from None
