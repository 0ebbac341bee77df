"""Who is asking: the account, and the API key if any, that a request's credentials name, and
what they may run.

One credential, sent as `Authorization: Bearer` or `X-API-Key`, is either an API key (it starts
with `ebx_`) or an access token from signing in. Runs are counted per key or per account
(services/client_key.py), each with the allowance of its tier or its account's own
(services/allowances.py); requests without credentials are counted per address.
"""

from __future__ import annotations

from dataclasses import dataclass

from execbox.db.credential_reads import AccountRecord, CredentialReads
from execbox.schemas.accounts import ClientLimitsOut, CurrentUserOut, UserOut
from execbox.services.access_tokens import AccessTokens
from execbox.services.accounts import AccountService
from execbox.services.allowances import Allowance, LimitOverride, RunClient, Tiers
from execbox.services.api_keys import ApiKeyService, is_api_key
from execbox.services.client_key import key_client, user_client
from execbox.services.errors import Unauthorized
from execbox.services.submission_store import database_errors


@dataclass(frozen=True, slots=True)
class Caller:
    user: UserOut
    key_id: int | None  # None: signed in with a password's access token
    allowance: Allowance

    @property
    def client(self) -> str:
        """Each key has its own allowance, apart from its account's."""
        return key_client(self.key_id) if self.key_id is not None else user_client(self.user.id)

    @property
    def run_client(self) -> RunClient:
        return RunClient(self.client, self.allowance)

    def described(self) -> CurrentUserOut:
        """The account, with what these credentials may run (GET /users/me)."""
        limits = ClientLimitsOut(
            rate_limit=self.allowance.rate_limit, runs_alive=self.allowance.runs_alive or None
        )
        return CurrentUserOut(**self.user.model_dump(), limits=limits)


class Identities:
    def __init__(
        self,
        accounts: AccountService,
        tokens: AccessTokens,
        keys: ApiKeyService,
        tiers: Tiers,
        reads: CredentialReads,
    ) -> None:
        self.accounts = accounts
        self.tokens = tokens
        self.keys = keys
        self.tiers = tiers
        self.reads = reads

    async def identify(self, credential: str) -> Caller:
        """Unauthorized when the credential names nobody (any more): never a quiet anonymous.
        The account's own limits come with its row: no query of their own."""
        if is_api_key(credential):
            holder = await self.keys.holder(credential)
            return _caller(holder.account, holder.key_id, self.tiers.key)
        user_id = self.tokens.user_id(credential)
        async with database_errors():
            account = await self.reads.account(user_id)
        if account is None:
            raise Unauthorized("The credentials name no account (any more): sign in again.")
        return _caller(account, None, self.tiers.user)


def _caller(account: AccountRecord, key_id: int | None, tier: Allowance) -> Caller:
    user = UserOut(
        id=account.id, email=account.email, is_admin=account.is_admin, created_at=account.created_at
    )
    own = LimitOverride(rate_limit=account.rate_limit, runs_alive=account.runs_alive)
    return Caller(user, key_id, own.applied_to(tier))
