"""Bodies of the accounts endpoints (/api/v1/auth, /api/v1/users)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from execbox.sandbox.config import LIVE_RUNS_CEILING
from execbox.schemas.strict import StrictBody
from execbox.schemas.text import PlainText

# Deliberately loose: one @, something on each side, a dot in the domain. Whether mail arrives is
# not checked (there is no mail), only that the address could be one. An address is checked as
# sent and again once normalised (services/accounts.py).
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$"
MAX_EMAIL_LENGTH = 254  # RFC 5321's longest path, less its angle brackets
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256  # argon2 takes any length; this bounds the work a request can ask for
MAX_RATE_LIMIT_LENGTH = 100  # an account's own rate limit, as stored (`users.rate_limit`)


class RegisterRequest(StrictBody):
    # The form is published, checked by the service: a refusal says what is wrong in words.
    email: str = Field(
        max_length=MAX_EMAIL_LENGTH,
        json_schema_extra={"pattern": EMAIL_PATTERN},
        description="the account's e-mail address (case does not matter)",
    )
    password: PlainText = Field(
        min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH, description="any characters"
    )


class UserOut(BaseModel):
    id: int
    email: str = Field(description="as stored: normalised (NFKC) and case-folded")
    is_admin: bool
    created_at: datetime


class ClientLimitsOut(BaseModel):
    """What the caller may run: its tier's limits (anonymous, account or API key), or its
    account's own."""

    rate_limit: str | None = Field(
        description="runs per window, e.g. `30/minute` or `1000/hour;100/minute`; null: not limited"
    )
    runs_alive: int | None = Field(
        description="runs (execute, submit, stream) alive at once; past it 429, or a wait for runs sent "
        "with `wait`; null: no share"
    )


class CurrentUserOut(UserOut):
    limits: ClientLimitsOut = Field(
        description="those of these credentials: an API key's are apart from its account's sign-ins'"
    )


class AccountLimitsIn(StrictBody):
    """An account's own limits: a field left out stays as it is, null returns it to its tier's."""

    # Checked by the service, which says what is wrong in words (and knows this node's runs).
    rate_limit: str | None = Field(
        None,
        max_length=MAX_RATE_LIMIT_LENGTH,
        description="runs per window for the account and for each of its keys, as RATE_LIMIT is "
        "written: `100/minute`, `1000/hour;100/minute`; null: USER_RATE_LIMIT and KEY_RATE_LIMIT",
    )
    runs_alive: int | None = Field(
        None,
        ge=1,
        le=LIVE_RUNS_CEILING,
        description="runs alive at once for the account and for each of its keys, at most the runs a "
        "node keeps alive (SANDBOX_LIVE_RUNS); null: USER_RUNS_ALIVE and KEY_RUNS_ALIVE",
    )


class AccountLimitsOut(BaseModel):
    user_id: int
    email: str
    rate_limit: str | None = Field(description="the account's own; null: its tier's default")
    runs_alive: int | None = Field(description="the account's own; null: its tier's default")


class TokenOut(BaseModel):
    access_token: str = Field(description="send as `Authorization: Bearer <access_token>`")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 -- the scheme's name
    expires_in: int = Field(description="seconds until it lapses (ACCESS_TOKEN_EXPIRE_MINUTES)")


class ApiKeyRequest(StrictBody):
    name: PlainText = Field(
        min_length=1, max_length=100, description="what the key is for, to tell keys apart"
    )


class ApiKeyOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="the secret's first characters")
    created_at: datetime
    last_used_at: datetime | None = Field(description="to the minute; null: never used")


class NewApiKey(ApiKeyOut):
    secret: str = Field(
        description="send as `Authorization: Bearer <secret>` or `X-API-Key: <secret>`; shown only now"
    )


class AdoptedSubmissions(BaseModel):
    adopted: int = Field(
        ge=0,
        description="how many submissions of the owner token were moved to the account now; 0 when it "
        "had none left (a second call, or another browser's token)",
    )
