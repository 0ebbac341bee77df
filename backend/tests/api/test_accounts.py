"""Accounts against a real server (ACCOUNTS_ENABLED), on SQLite and PostgreSQL: register, sign in,
who is signed in, and what a stranger, a forger and a guesser get."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import jwt
import pytest
from websockets.sync.client import connect

from tests.api.conftest import StartApi
from tests.support.accounts import KEYS, PASSWORD, REGISTER, api_key, sign_in, signed_in
from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.processes import clean_environment

ME = "/api/v1/users/me"
EXECUTE = "/api/v1/code/execute"
SUBMISSIONS = "/api/v1/code/submissions"


@pytest.fixture(scope="module")
def accounts(backend: str, make_database: MakeDatabase) -> Iterator[ApiServer]:
    server = ApiServer({"DATABASE_URL": make_database(backend), "ACCOUNTS_ENABLED": "true"}).start()
    yield server
    server.close()


def _me(client: httpx.Client, token: str) -> httpx.Response:
    return client.get(ME, headers={"Authorization": f"Bearer {token}"})


def test_register_sign_in_and_see_who_issigned_in(accounts: ApiServer) -> None:
    registered = accounts.client.post(REGISTER, json={"email": "Ada@Example.org", "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    user = registered.json()
    assert user["email"] == "ada@example.org" and user["is_admin"] is False
    assert "password" not in registered.text and "argon2" not in registered.text

    token = sign_in(accounts.client, "ADA@example.ORG", PASSWORD)
    assert token.status_code == 200, token.text
    assert token.json()["token_type"] == "bearer" and token.json()["expires_in"] == 24 * 60 * 60
    me = _me(accounts.client, token.json()["access_token"])
    # With what it may run: this server limits nothing (RATE_LIMIT_ENABLED=false, no share).
    assert me.status_code == 200 and me.json() == {**user, "limits": {"rate_limit": None, "runs_alive": None}}


def test_one_address_is_one_account_however_it_is_typed(accounts: ApiServer) -> None:
    first = accounts.client.post(REGISTER, json={"email": "grace@example.org", "password": PASSWORD})
    assert first.status_code == 201
    # Full-width letters (NFKC) and another case are the same address.
    again = accounts.client.post(REGISTER, json={"email": "ＧＲＡＣＥ@example.org", "password": PASSWORD})
    assert again.status_code == 409, again.text
    assert "grace@example.org" in again.json()["detail"] and "sign in" in again.json()["detail"]


def test_an_unknown_address_and_a_wrong_password_get_the_same_answer(accounts: ApiServer) -> None:
    accounts.client.post(REGISTER, json={"email": "alan@example.org", "password": PASSWORD})
    wrong = sign_in(accounts.client, "alan@example.org", PASSWORD + "!")
    unknown = sign_in(accounts.client, "nobody@example.org", PASSWORD)
    malformed = sign_in(accounts.client, "not an address", PASSWORD)
    for answer in (wrong, unknown, malformed):
        assert answer.status_code == 401, answer.text
        assert answer.json() == {"detail": "The e-mail address or the password is wrong."}
        assert answer.headers["www-authenticate"] == "Bearer"


def test_a_long_unicode_password_works_whole(accounts: ApiServer) -> None:
    # 100 characters, 300 bytes of UTF-8: far past bcrypt's 72, and every byte of it counts.
    password = "密" * 100
    accounts.client.post(REGISTER, json={"email": "long@example.org", "password": password})
    assert sign_in(accounts.client, "long@example.org", password).status_code == 200
    assert sign_in(accounts.client, "long@example.org", password[:-1] + "码").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"email": "x@example.org", "password": "short"}, "body.password", id="short-password"),
        pytest.param({"email": "x@example.org", "password": "p" * 257}, "body.password", id="long-password"),
        pytest.param({"email": "x@example.org", "password": "with\x00nul"}, "body.password", id="nul"),
        pytest.param({"email": "no-at-sign", "password": PASSWORD}, "body.email", id="not-an-address"),
        pytest.param({"email": " x@example.org", "password": PASSWORD}, "body.email", id="space"),
        pytest.param({"email": "x@example", "password": PASSWORD}, "body.email", id="no-dot"),
        pytest.param(
            {"email": "a" * 250 + "@example.org", "password": PASSWORD}, "body.email", id="too-long"
        ),
        pytest.param({"email": "x@example.org"}, "body.password", id="missing"),
        pytest.param({"email": 7, "password": PASSWORD}, "body.email", id="wrong-type"),
        pytest.param(
            {"email": "x@example.org", "password": PASSWORD, "admin": True}, "body.admin", id="extra"
        ),
    ],
)
def test_a_bad_registration_is_refused_naming_the_field(
    accounts: ApiServer, body: dict[str, object], field: str
) -> None:
    answer = accounts.client.post(REGISTER, json=body)
    assert answer.status_code == 422, answer.text
    assert field in [problem["field"] for problem in answer.json()["errors"]]


def test_me_needs_a_valid_token(accounts: ApiServer) -> None:
    accounts.client.post(REGISTER, json={"email": "me@example.org", "password": PASSWORD})
    token = sign_in(accounts.client, "me@example.org", PASSWORD).json()["access_token"]
    header, payload, signature = token.split(".")
    missing = accounts.client.get(ME)
    assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["detail"]
    for forged in (f"{header}.{payload}x.{signature}", f"{header}.{payload}.{signature[::-1]}", "nonsense"):
        answer = _me(accounts.client, forged)
        assert answer.status_code == 401 and "not valid" in answer.json()["detail"], forged
    # Signed with the server's own SECRET_KEY (not the key derived for tokens), and in time.
    claims = {"sub": "1", "iat": int(time.time()), "exp": int(time.time()) + 600}
    raw_secret = jwt.encode(claims, accounts.settings["SECRET_KEY"].ljust(32, "-"), algorithm="HS256")
    assert _me(accounts.client, raw_secret).status_code == 401


def test_without_accounts_enabled_there_are_none(api: ApiServer) -> None:
    assert api.client.post(REGISTER, json={"email": "x@example.org", "password": PASSWORD}).status_code == 404
    assert api.client.get(ME).status_code == 404
    paths = api.client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith(("/api/v1/auth", "/api/v1/users", "/api/v1/keys"))]


def test_sign_in_attempts_are_limited_per_address(start_api: StartApi) -> None:
    server = start_api(
        ACCOUNTS_ENABLED="true",
        RATE_LIMIT_ENABLED="true",
        LOGIN_RATE_LIMIT="3/minute",
        RATE_LIMIT="1000/minute",
    )
    answers = [sign_in(server.client, f"guess{n}@example.org", PASSWORD) for n in range(4)]
    assert [answer.status_code for answer in answers] == [401, 401, 401, 429]
    refused = answers[-1].json()
    assert refused["reason"] == "sign_in_limit" and refused["retry_after_s"] > 0
    assert "Too many sign-in attempts from your address" in refused["detail"]
    assert int(answers[-1].headers["retry-after"]) > 0


def test_an_operator_creates_an_administrator_from_the_command_line(
    start_api: StartApi, make_database: MakeDatabase
) -> None:
    database = {"DATABASE_URL": make_database("sqlite")}
    execbox = [sys.executable, "-m", "execbox.cli", "user", "create"]

    def create(*arguments: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*execbox, *arguments, "--password-stdin"],
            input=password + "\n",
            env={**clean_environment(), **database},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    created = create("--admin", "Root@Example.org")
    assert created.returncode == 0, created.stderr
    assert "created an administrator root@example.org" in created.stdout
    assert PASSWORD not in created.stdout + created.stderr
    again = create("root@example.org")
    assert again.returncode == 2 and "already" in again.stderr
    short = create("other@example.org", password="short")
    assert short.returncode == 2 and "8 to 256 characters" in short.stderr

    server = start_api(ACCOUNTS_ENABLED="true", **database)
    token = sign_in(server.client, "root@example.org", PASSWORD).json()["access_token"]
    assert _me(server.client, token).json()["is_admin"] is True


def test_an_api_key_is_shown_once_and_works_as_its_owner(accounts: ApiServer) -> None:
    owner = signed_in(accounts, "keys@example.org")
    made = accounts.client.post(KEYS, json={"name": "my laptop"}, headers=owner)
    assert made.status_code == 201, made.text
    key = made.json()
    assert key["secret"].startswith("ebx_") and len(key["secret"]) == 47
    assert key["prefix"] == key["secret"][:12] and key["last_used_at"] is None

    for header in ({"Authorization": f"Bearer {key['secret']}"}, {"X-API-Key": key["secret"]}):
        me = accounts.client.get(ME, headers=header)
        assert me.status_code == 200 and me.json()["email"] == "keys@example.org", me.text
    listed = accounts.client.get(KEYS, headers=owner).json()
    assert [(k["id"], k["name"]) for k in listed] == [(key["id"], "my laptop")]
    assert key["secret"] not in accounts.client.get(KEYS, headers=owner).text
    assert listed[0]["last_used_at"] is not None

    # A key cannot make, list or revoke keys: a leaked one cannot mint others.
    with_key = {"Authorization": f"Bearer {key['secret']}"}
    assert accounts.client.post(KEYS, json={"name": "more"}, headers=with_key).status_code == 401
    assert accounts.client.get(KEYS, headers=with_key).status_code == 401


def test_a_revoked_key_is_refused_at_once_by_every_node(
    start_api: StartApi, make_database: MakeDatabase
) -> None:
    shared = {"DATABASE_URL": make_database("postgresql"), "ACCOUNTS_ENABLED": "true"}
    first, second = start_api(**shared), start_api(**shared)
    owner = signed_in(first, "revoke@example.org")
    key = first.client.post(KEYS, json={"name": "ci"}, headers=owner).json()
    assert second.client.get(ME, headers={"X-API-Key": key["secret"]}).status_code == 200
    assert first.client.delete(f"{KEYS}/{key['id']}", headers=owner).status_code == 204
    for node in (first, second):
        refused = node.client.get(ME, headers={"X-API-Key": key["secret"]})
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert second.client.delete(f"{KEYS}/{key['id']}", headers=owner).status_code == 404


def test_keys_are_their_owners_alone(accounts: ApiServer) -> None:
    alice, bob = signed_in(accounts, "alice@example.org"), signed_in(accounts, "bob@example.org")
    key = accounts.client.post(KEYS, json={"name": "alice's"}, headers=alice).json()
    assert accounts.client.get(KEYS, headers=bob).json() == []
    assert accounts.client.delete(f"{KEYS}/{key['id']}", headers=bob).status_code == 404
    assert (
        accounts.client.get(ME, headers={"X-API-Key": key["secret"]}).json()["email"] == "alice@example.org"
    )
    assert accounts.client.get(ME, headers={"X-API-Key": "ebx_" + "A" * 43}).status_code == 401


def test_an_account_holds_at_most_twenty_keys(accounts: ApiServer) -> None:
    owner = signed_in(accounts, "many@example.org")
    answers = [
        accounts.client.post(KEYS, json={"name": f"k{n}"}, headers=owner).status_code for n in range(21)
    ]
    assert answers == [201] * 20 + [409]


def test_each_key_has_its_own_rate_limit(start_api: StartApi) -> None:
    server = start_api(ACCOUNTS_ENABLED="true", RATE_LIMIT_ENABLED="true", KEY_RATE_LIMIT="2/minute")
    first, second = api_key(server, "first@example.org"), api_key(server, "second@example.org")

    def run(headers: dict[str, str]) -> int:
        return server.client.post(EXECUTE, json={"code": "print(1)"}, headers=headers).status_code

    assert [run({"X-API-Key": first}) for _ in range(3)] == [200, 200, 429]
    refused = server.client.post(EXECUTE, json={"code": "print(1)"}, headers={"X-API-Key": first})
    assert "Too many runs from your API key (limit: 2/minute)" in refused.json()["detail"]
    assert run({"Authorization": f"Bearer {second}"}) == 200  # another key: its own count
    assert run({}) == 200  # anonymous: the address's own count


def test_an_accounts_runs_are_counted_apart_from_its_keys(start_api: StartApi) -> None:
    server = start_api(
        ACCOUNTS_ENABLED="true",
        RATE_LIMIT_ENABLED="true",
        USER_RATE_LIMIT="1/minute",
        KEY_RATE_LIMIT="1/minute",
    )
    secret = api_key(server, "ada@example.org")
    account = signed_in(server, "ada@example.org")

    def run(headers: dict[str, str]) -> httpx.Response:
        return server.client.post(EXECUTE, json={"code": "print(1)"}, headers=headers)

    assert [run(account).status_code for _ in range(2)] == [200, 429]
    assert "Too many runs from your account" in run(account).json()["detail"]
    assert run({"X-API-Key": secret}).status_code == 200


def test_runs_with_bad_credentials_are_refused_not_run_anonymously(accounts: ApiServer) -> None:
    for headers in ({"X-API-Key": "ebx_" + "B" * 43}, {"Authorization": "Bearer not-a-token"}):
        refused = accounts.client.post(EXECUTE, json={"code": "print(1)"}, headers=headers)
        assert refused.status_code == 401, refused.text
        url = accounts.url.replace("http://", "ws://", 1) + "/api/v1/code/stream"
        with connect(url, additional_headers=headers, open_timeout=10) as socket:
            error = json.loads(socket.recv(timeout=10))  # before any run message is read
        assert (error["type"], error["status"]) == ("error", 401), error


def test_without_anonymous_runs_only_accounts_and_keys_run(start_api: StartApi) -> None:
    server = start_api(ACCOUNTS_ENABLED="true", ANONYMOUS_RUNS="false")
    assert server.client.get("/api/v1/runtime").json()["accounts"] == {
        "enabled": True,
        "anonymous_runs": False,
    }
    secret = api_key(server, "only@example.org")
    anonymous = server.client.post(EXECUTE, json={"code": "print(1)"})
    assert anonymous.status_code == 401 and "signed-in users and API keys only" in anonymous.json()["detail"]
    with_key = server.client.post(EXECUTE, json={"code": "print(1)"}, headers={"X-API-Key": secret})
    assert with_key.status_code == 200 and with_key.json()["stdout"] == "1\n"
    accepted = server.client.post(SUBMISSIONS, json={"code": "print(2)"}, headers={"X-API-Key": secret})
    assert accepted.status_code == 202, accepted.text


def test_a_browser_offers_its_credential_to_the_stream_as_a_subprotocol(start_api: StartApi) -> None:
    server = start_api(ACCOUNTS_ENABLED="true", ANONYMOUS_RUNS="false")
    url = server.url.replace("http://", "ws://", 1) + "/api/v1/code/stream"
    run = json.dumps({"type": "run", "code": "print(6 * 7)"})
    for credential in (
        api_key(server, "live@example.org"),
        signed_in(server, "live@example.org")["Authorization"][7:],
    ):
        with connect(url, subprotocols=["execbox.bearer", credential], open_timeout=10) as socket:  # type: ignore[list-item]
            assert socket.subprotocol == "execbox.bearer"  # what a browser insists on
            socket.send(run)
            messages = [json.loads(socket.recv(timeout=30))]
            while messages[-1]["type"] not in ("result", "error"):
                messages.append(json.loads(socket.recv(timeout=30)))
        assert messages[-1]["type"] == "result" and messages[-1]["stdout"] == "42\n", messages
    with connect(url, subprotocols=["execbox.bearer", "ebx_" + "C" * 43], open_timeout=10) as socket:  # type: ignore[list-item]
        error = json.loads(socket.recv(timeout=10))
    assert (error["type"], error["status"]) == ("error", 401), error
