"""Dependencies routes declare by type: `services: ServicesDep`, `client: ClientDep`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from starlette.requests import HTTPConnection

from execbox.api.lifespan import Services
from execbox.schemas.accounts import UserOut
from execbox.services.account_limits import AccountLimitService
from execbox.services.accounts import AccountService
from execbox.services.allowances import RunClient
from execbox.services.api_keys import ApiKeyService
from execbox.services.client_key import client_key
from execbox.services.errors import Forbidden, Unauthorized
from execbox.services.identity import Caller, Identities
from execbox.services.owners import OWNER_TOKEN_HEADER, TOKEN_PATTERN, Owner


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


# A browser cannot set headers on a WebSocket: it offers its credential as the second of two
# subprotocols, after this one, which the stream then selects.
BEARER_SUBPROTOCOL = "execbox.bearer"


def request_credential(connection: HTTPConnection) -> str | None:
    """The credential the request sends, as `X-API-Key` or `Authorization: Bearer` (either may
    carry an API key or an access token), or a WebSocket as its subprotocols
    `execbox.bearer, <credential>`."""
    if api_key := connection.headers.get("x-api-key", "").strip():
        return api_key
    scheme, _, credential = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credential.strip():
        return credential.strip()
    offered = offered_subprotocols(connection)
    if len(offered) == 2 and offered[0] == BEARER_SUBPROTOCOL and offered[1]:
        return offered[1]
    return None


def offered_subprotocols(connection: HTTPConnection) -> list[str]:
    return [part.strip() for part in connection.headers.get("sec-websocket-protocol", "").split(",")]


async def request_caller(connection: HTTPConnection, services: ServicesDep) -> Caller | None:
    """Whom the request's credentials name; None without credentials (or without accounts).
    Credentials that are sent must be valid: never a quiet fall back to anonymous."""
    credential = request_credential(connection)
    if services.identities is None or credential is None:
        return None
    return await services.identities.identify(credential)


CallerDep = Annotated[Caller | None, Depends(request_caller)]


async def run_client(connection: HTTPConnection, services: Services, caller: Caller | None) -> RunClient:
    """Whose run this is, for the rate limit and the share of runs, with that client's allowance:
    the API key or account the request's credentials name (each its own), else its address.
    ANONYMOUS_RUNS=false (with accounts) refuses runs that send no credentials."""
    if caller is not None:
        return caller.run_client
    if services.identities is not None and not services.settings.ANONYMOUS_RUNS:
        raise Unauthorized(
            "This server runs code for signed-in users and API keys only: send "
            "`Authorization: Bearer <access_token or API key>` (POST /api/v1/auth/token, /api/v1/keys)."
        )
    return RunClient(await request_address(connection, services), services.tiers.anonymous)


# The caller is a dependency of its own, so that a route that also asks who owns its submissions
# (OwnerDep) looks the credential up once: FastAPI runs each dependency once per request.
async def request_run_client(
    connection: HTTPConnection, services: ServicesDep, caller: CallerDep
) -> RunClient:
    return await run_client(connection, services, caller)


ClientDep = Annotated[RunClient, Depends(request_run_client)]


# The owner token of services/owners.py, when the client sent one.
_OwnerToken = Annotated[
    str | None,
    Header(
        alias=OWNER_TOKEN_HEADER,
        pattern=TOKEN_PATTERN,
        description="the owner token a previous submission answered with (`owner_token`): "
        "submissions made with it are listed to its holder",
    ),
]


async def request_owner(caller: CallerDep, owner_token: _OwnerToken = None) -> Owner:
    """Whom the request's submissions are: its account's, else its owner token's holder's."""
    return Owner(user_id=None if caller is None else caller.user.id, token=owner_token)


OwnerDep = Annotated[Owner, Depends(request_owner)]


async def get_identities(services: ServicesDep) -> Identities:
    assert services.identities is not None, "the accounts routes are served only with ACCOUNTS_ENABLED"
    return services.identities


IdentitiesDep = Annotated[Identities, Depends(get_identities)]


async def get_accounts(identities: IdentitiesDep) -> AccountService:
    return identities.accounts


AccountsDep = Annotated[AccountService, Depends(get_accounts)]


async def get_api_keys(identities: IdentitiesDep) -> ApiKeyService:
    return identities.keys


ApiKeysDep = Annotated[ApiKeyService, Depends(get_api_keys)]


async def get_account_limits(services: ServicesDep) -> AccountLimitService:
    assert services.account_limits is not None, "served only with ACCOUNTS_ENABLED"
    return services.account_limits


AccountLimitsDep = Annotated[AccountLimitService, Depends(get_account_limits)]

# The schemes, as OpenAPI names them (the docs page's Authorize); request_credential reads them.
_BEARER_SCHEME = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_API_KEY_SCHEME = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="an API key (POST /api/v1/keys)"
)
_Bearer = Annotated[str | None, Depends(_BEARER_SCHEME)]
_ApiKeyHeader = Annotated[str | None, Depends(_API_KEY_SCHEME)]


async def current_caller(
    caller: CallerDep,
    _bearer: _Bearer,
    _api_key: _ApiKeyHeader,
) -> Caller:
    """Whoever the request's access token or API key names (Bearer either, or X-API-Key)."""
    if caller is None:
        raise Unauthorized(
            "Sign in first: send `Authorization: Bearer <access_token or API key>` (POST /api/v1/auth/token)."
        )
    return caller


async def signed_in_user(caller: CallerDep, _bearer: _Bearer) -> UserOut:
    """Whoever signed in with their password: keys are managed with that, never with a key."""
    if caller is None or caller.key_id is not None:
        raise Unauthorized("Keys are managed with a password sign-in's access token, not with a key.")
    return caller.user


async def password_sign_in(caller: CallerDep, _bearer: _Bearer) -> UserOut:
    """Whoever signed in with their password, for what a person does in their browser and a
    program's key may not (taking in the browser's anonymous submissions): 403 for a key."""
    if caller is None:
        raise Unauthorized(
            "Sign in first: send `Authorization: Bearer <access_token>` (POST /api/v1/auth/token)."
        )
    if caller.key_id is not None:
        raise Forbidden(
            "This is done with a password sign-in's access token (POST /api/v1/auth/token), not an API key."
        )
    return caller.user


async def administrator(caller: CallerDep, _bearer: _Bearer) -> UserOut:
    """An administrator signed in with their password: a leaked API key changes nobody's limits."""
    if caller is None:
        raise Unauthorized(
            "Sign in as an administrator first: send `Authorization: Bearer <access_token>` "
            "(POST /api/v1/auth/token)."
        )
    if caller.key_id is not None:
        raise Forbidden(
            "This is done with an administrator's password sign-in (its access token), not a key."
        )
    if not caller.user.is_admin:
        raise Forbidden(f"This is for administrators only, and {caller.user.email} is not one.")
    return caller.user


CurrentCallerDep = Annotated[Caller, Depends(current_caller)]
SignedInUserDep = Annotated[UserOut, Depends(signed_in_user)]
PasswordSignInDep = Annotated[UserOut, Depends(password_sign_in)]
AdministratorDep = Annotated[UserOut, Depends(administrator)]
