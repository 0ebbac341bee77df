"""Dependencies routes declare by type: `services: ServicesDep`, `client: ClientDep`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from starlette.requests import HTTPConnection

from execbox.api.lifespan import Services
from execbox.schemas.accounts import UserOut
from execbox.services.accounts import AccountService
from execbox.services.api_keys import ApiKeyService, is_api_key
from execbox.services.client_key import client_key
from execbox.services.errors import Unauthorized
from execbox.services.owners import OWNER_TOKEN_HEADER, TOKEN_PATTERN


# Dependencies are `async def`: FastAPI would run plain functions in a thread pool.
# HTTPConnection: the same dependencies serve HTTP routes and the WebSocket stream.
async def get_services(connection: HTTPConnection) -> Services:
    services: Services = connection.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def request_address(connection: HTTPConnection, services: ServicesDep) -> str:
    """The client's address, keyed (services/client_key.py)."""
    # Behind a proxy, uvicorn's --forwarded-allow-ips makes this the real client's address.
    address = connection.client.host if connection.client else "unknown"
    return client_key(services.settings.SECRET_KEY, address)


AddressDep = Annotated[str, Depends(request_address)]


async def run_client(connection: HTTPConnection, services: Services) -> str:
    """Whose run this is, for the rate limit and the share of runs: the API key or account the
    request's credentials name (each its own), else its address. With accounts, credentials that
    are sent must be valid (never a quiet fall back to the address), and ANONYMOUS_RUNS=false
    refuses runs that send none."""
    if services.accounts is not None and services.api_keys is not None:
        credential = connection.headers.get("x-api-key") or _bearer_credential(connection)
        if credential is not None and is_api_key(credential):
            return f"key:{(await services.api_keys.holder(credential)).key_id}"
        if credential is not None:
            return f"user:{(await services.accounts.user(credential)).id}"
        if not services.settings.ANONYMOUS_RUNS:
            raise Unauthorized(
                "This server runs code for signed-in users and API keys only: send "
                "`Authorization: Bearer <access_token or API key>` (POST /api/v1/auth/token, /api/v1/keys)."
            )
    return await request_address(connection, services)


def _bearer_credential(connection: HTTPConnection) -> str | None:
    scheme, _, credential = connection.headers.get("authorization", "").partition(" ")
    return credential.strip() or None if scheme.lower() == "bearer" else None


async def request_run_client(connection: HTTPConnection, services: ServicesDep) -> str:
    return await run_client(connection, services)


ClientDep = Annotated[str, Depends(request_run_client)]


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


async def get_api_keys(services: ServicesDep) -> ApiKeyService:
    assert services.api_keys is not None, "the accounts routes are served only with ACCOUNTS_ENABLED"
    return services.api_keys


ApiKeysDep = Annotated[ApiKeyService, Depends(get_api_keys)]

# Where a client gets a token, as OpenAPI's password flow names it (the docs page's Authorize).
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key (POST /api/v1/keys)")
BearerDep = Annotated[str | None, Depends(_bearer)]


async def current_user(
    accounts: AccountsDep,
    keys: ApiKeysDep,
    bearer: BearerDep,
    api_key: Annotated[str | None, Depends(_api_key)],
) -> UserOut:
    """Whoever the request's access token or API key names (Bearer either, or X-API-Key)."""
    credential = api_key or bearer
    if credential is None:
        raise Unauthorized(
            "Sign in first: send `Authorization: Bearer <access_token or API key>` (POST /api/v1/auth/token)."
        )
    if is_api_key(credential):
        return await accounts.by_id((await keys.holder(credential)).user_id)
    return await accounts.user(credential)


async def signed_in_user(accounts: AccountsDep, bearer: BearerDep) -> UserOut:
    """Whoever signed in with their password: keys are managed with that, never with a key."""
    if bearer is None or is_api_key(bearer):
        raise Unauthorized("Keys are managed with a password sign-in's access token, not with a key.")
    return await accounts.user(bearer)


CurrentUserDep = Annotated[UserOut, Depends(current_user)]
SignedInUserDep = Annotated[UserOut, Depends(signed_in_user)]
