"""Accounts: register, sign in (OAuth2's password flow), and who is signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from execbox.api.deps import AccountsDep, ClientDep, CurrentUserDep
from execbox.api.responses import problem_responses
from execbox.schemas.accounts import RegisterRequest, TokenOut, UserOut

router = APIRouter(tags=["accounts"])


@router.post("/auth/register", status_code=201, responses=problem_responses(409, 422))
async def register(body: RegisterRequest, accounts: AccountsDep, client: ClientDep) -> UserOut:
    """A new account; then sign in with POST /auth/token."""
    return await accounts.register(body.email, body.password, client)


@router.post("/auth/token", responses=problem_responses(401, 422))
async def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], accounts: AccountsDep, client: ClientDep
) -> TokenOut:
    """An access token for `username` (the e-mail address) and `password`, sent as a form."""
    token = await accounts.sign_in(form.username, form.password, client)
    return TokenOut(access_token=token, expires_in=accounts.tokens.lifetime_s)


@router.get("/users/me", responses=problem_responses(401))
async def me(user: CurrentUserDep) -> UserOut:
    """The signed-in account."""
    return user
