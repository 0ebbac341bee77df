"""Bodies of the accounts endpoints (/api/v1/auth, /api/v1/users)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from execbox.schemas.strict import StrictBody
from execbox.schemas.text import PlainText

# Deliberately loose: one @, something on each side, a dot in the domain. Whether mail arrives is
# not checked (there is no mail), only that the address could be one. An address is checked as
# sent and again once normalised (services/accounts.py).
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$"
MAX_EMAIL_LENGTH = 254  # RFC 5321's longest path, less its angle brackets
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256  # argon2 takes any length; this bounds the work a request can ask for


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
