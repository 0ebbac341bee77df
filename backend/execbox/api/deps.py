"""Dependencies routes declare by type: `services: ServicesDep`, `client: ClientDep`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from fastapi.security import OAuth2PasswordBearer
from starlette.requests import HTTPConnection

from execbox.api.lifespan import Services
from execbox.schemas.accounts import UserOut
from execbox.services.accounts import AccountService
from execbox.services.client_key import client_key
from execbox.services.errors import Unauthorized
from execbox.services.owners import OWNER_TOKEN_HEADER, TOKEN_PATTERN


# Dependencies are `async def`: FastAPI would run plain functions in a thread pool.
# HTTPConnection: the same dependencies serve HTTP routes and the WebSocket stream.
async def get_services(connection: HTTPConnection) -> Services:
    services: Services = connection.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def request_client(connection: HTTPConnection, services: ServicesDep) -> str:
    # Behind a proxy, uvicorn's --forwarded-allow-ips makes this the real client's address.
    address = connection.client.host if connection.client else "unknown"
    return client_key(services.settings.SECRET_KEY, address)


ClientDep = Annotated[str, Depends(request_client)]


# The owner token of services/owners.py, when the client sent one.
OwnerTokenDep = Annotated[
    str | None,
    Header(
        alias=OWNER_TOKEN_HEADER,
        pattern=TOKEN_PATTERN,
        description="the owner token a previous submission answered with (`owner_token`): "
        "submissions made with it are listed to its holder",
    ),
]


async def get_accounts(services: ServicesDep) -> AccountService:
    assert services.accounts is not None, "the accounts routes are served only with ACCOUNTS_ENABLED"
    return services.accounts


AccountsDep = Annotated[AccountService, Depends(get_accounts)]

# Where a client gets a token, as OpenAPI's password flow names it (the docs page's Authorize).
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def current_user(accounts: AccountsDep, token: Annotated[str | None, Depends(_bearer)]) -> UserOut:
    if token is None:
        raise Unauthorized(
            "Sign in first: send `Authorization: Bearer <access_token>` (POST /api/v1/auth/token)."
        )
    return await accounts.user(token)


CurrentUserDep = Annotated[UserOut, Depends(current_user)]
