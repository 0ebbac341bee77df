"""Accounts: register, sign in (OAuth2's password flow), who is signed in, their API keys, and an
administrator's limits for one account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Response
from fastapi.security import OAuth2PasswordRequestForm

from execbox.api.deps import (
    AccountLimitsDep,
    AccountsDep,
    AddressDep,
    AdministratorDep,
    ApiKeysDep,
    CurrentCallerDep,
    PasswordSignInDep,
    ServicesDep,
    SignedInUserDep,
)
from execbox.api.responses import problem_responses
from execbox.schemas.accounts import (
    AccountLimitsIn,
    AccountLimitsOut,
    AdoptedSubmissions,
    ApiKeyOut,
    ApiKeyRequest,
    CurrentUserOut,
    NewApiKey,
    RegisterRequest,
    TokenOut,
    UserOut,
)
from execbox.services.owners import OWNER_TOKEN_HEADER, TOKEN_PATTERN

router = APIRouter(tags=["accounts"])


@router.post("/auth/register", status_code=201, responses=problem_responses(409, 422))
async def register(body: RegisterRequest, accounts: AccountsDep, client: AddressDep) -> UserOut:
    """A new account; then sign in with POST /auth/token."""
    return await accounts.register(body.email, body.password, client)


@router.post("/auth/token", responses=problem_responses(401, 422))
async def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], accounts: AccountsDep, client: AddressDep
) -> TokenOut:
    """An access token for `username` (the e-mail address) and `password`, sent as a form."""
    token = await accounts.sign_in(form.username, form.password, client)
    return TokenOut(access_token=token, expires_in=accounts.tokens.lifetime_s)


_Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/users/me", responses=problem_responses(401))
async def me(caller: CurrentCallerDep) -> CurrentUserOut:
    """The signed-in account, and what these credentials may run (`limits`)."""
    return caller.described()


# Optional here so that its absence is refused in words (the service's 422), not as a bare "required".
_AdoptedToken = Annotated[
    str | None,
    Header(
        alias=OWNER_TOKEN_HEADER,
        pattern=TOKEN_PATTERN,
        description="the owner token whose submissions the account takes (required)",
    ),
]


@router.post(
    "/users/me/adopt",
    responses=problem_responses(
        401,
        403,
        422,
        s403="an API key was sent: adopting takes a password sign-in's access token",
        s422=f"no {OWNER_TOKEN_HEADER}, or one not of an owner token's shape",
    ),
)
async def adopt_submissions(
    user: PasswordSignInDep, services: ServicesDep, owner_token: _AdoptedToken = None
) -> AdoptedSubmissions:
    """Move every submission made with the `X-Owner-Token` sent, and without an account, to the
    signed-in account, as they are (unlisted stay unlisted; pending ones too). The token then owns
    none of them: a second call adopts nothing. For a browser used anonymously, then signed in."""
    return await services.submissions.adopt(user.id, owner_token)


@router.patch("/users/{user_id}/limits", responses=problem_responses(401, 403, 404, 422))
async def change_limits(
    user_id: _Id, body: AccountLimitsIn, _admin: AdministratorDep, limits: AccountLimitsDep
) -> AccountLimitsOut:
    """An administrator sets one account's own rate limit and share of runs alive, which replace
    its tier's for its sign-ins and for each of its keys from the next request on. A field left
    out stays as it is; null returns it to the tier's default."""
    return await limits.change(user_id, body)


@router.post("/keys", status_code=201, responses=problem_responses(401, 409, 422))
async def create_key(body: ApiKeyRequest, user: SignedInUserDep, keys: ApiKeysDep) -> NewApiKey:
    """A new API key for programs; its `secret` is in this answer only."""
    return await keys.create(user.id, body.name)


@router.get("/keys", responses=problem_responses(401))
async def list_keys(user: SignedInUserDep, keys: ApiKeysDep) -> list[ApiKeyOut]:
    """Your API keys (without their secrets), oldest first."""
    return await keys.listed(user.id)


@router.delete("/keys/{key_id}", status_code=204, responses=problem_responses(401, 404, 422))
async def revoke_key(key_id: _Id, user: SignedInUserDep, keys: ApiKeysDep) -> Response:
    """Revoke a key: every API node refuses it from now on."""
    await keys.revoke(user.id, key_id)
    return Response(status_code=204)
