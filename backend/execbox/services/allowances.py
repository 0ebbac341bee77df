"""What one client may run: a rate limit (runs per window) and a share (runs alive at once).

A client (services/client_key.py) gets the allowance of its tier: an address without credentials
RATE_LIMIT and CLIENT_RUNS_ALIVE, a signed-in account USER_*, an API key KEY_* (each key on its
own: a program calling the API sends more runs than a person in a browser). An administrator may
give one account limits of its own (`LimitOverride`), which then replace its tier's for its
sign-ins and for each of its keys.

The allowance is looked up with the request's credential (services/identity.py), from the same
row: a run costs no query of its own for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Allowance:
    rate_limit: str | None  # as RATE_LIMIT; None: runs are not rate-limited (RATE_LIMIT_ENABLED=false)
    runs_alive: int  # synchronous runs alive at once; 0: no share


@dataclass(frozen=True, slots=True)
class LimitOverride:
    """An account's own limits, set by an administrator; None: its tier's."""

    rate_limit: str | None = None
    runs_alive: int | None = None

    def applied_to(self, tier: Allowance) -> Allowance:
        # A tier without a rate limit means the operator switched rate limiting off: an
        # account's own limit does not switch it back on for that account alone.
        rate_limit = tier.rate_limit if tier.rate_limit is None else (self.rate_limit or tier.rate_limit)
        runs_alive = tier.runs_alive if self.runs_alive is None else self.runs_alive
        return Allowance(rate_limit=rate_limit, runs_alive=runs_alive)


@dataclass(frozen=True, slots=True)
class Tiers:
    """The default allowance of each kind of client (the settings)."""

    anonymous: Allowance
    user: Allowance
    key: Allowance


@dataclass(frozen=True, slots=True)
class RunClient:
    """Whom a run counts against (`key`, as services/client_key.py names it) and what it may run."""

    key: str
    allowance: Allowance
