"""Dependencies routes declare by type: `services: ServicesDep`, `client: ClientDep`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from starlette.requests import HTTPConnection

from execbox.api.lifespan import Services
from execbox.services.client_key import client_key
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
