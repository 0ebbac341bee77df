"""Who is asking: the account, and the API key if any, that a request's credentials name.

One credential, sent as `Authorization: Bearer` or `X-API-Key`, is either an API key (it starts
with `ebx_`) or an access token from signing in. Runs are counted per key or per account
(services/client_key.py); requests without credentials are counted per address.
"""

from __future__ import annotations

from dataclasses import dataclass

from execbox.schemas.accounts import UserOut
from execbox.services.accounts import AccountService
from execbox.services.api_keys import ApiKeyService, is_api_key
from execbox.services.client_key import key_client, user_client


@dataclass(frozen=True, slots=True)
class Caller:
    user: UserOut
    key_id: int | None  # None: signed in with a password's access token

    @property
    def client(self) -> str:
        """Each key has its own allowance, apart from its account's."""
        return key_client(self.key_id) if self.key_id is not None else user_client(self.user.id)


class Identities:
    def __init__(self, accounts: AccountService, keys: ApiKeyService) -> None:
        self.accounts = accounts
        self.keys = keys

    async def identify(self, credential: str) -> Caller:
        """Unauthorized when the credential names nobody (any more): never a quiet anonymous."""
        if is_api_key(credential):
            holder = await self.keys.holder(credential)
            return Caller(user=holder.user, key_id=holder.key_id)
        return Caller(user=await self.accounts.user(credential), key_id=None)
