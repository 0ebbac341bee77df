"""Limits per kind of client (issue 16), against a real server on SQLite and PostgreSQL: an address
gets RATE_LIMIT, a signed-in account USER_RATE_LIMIT and USER_RUNS_ALIVE, each API key
KEY_RATE_LIMIT and KEY_RUNS_ALIVE, on every run endpoint; an administrator raises one account's
(for it and its keys, nobody else) over the API or the command line, and nobody else may."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.support.accounts import PASSWORD, api_key, sign_in, signed_in
from tests.support.api_server import LIVE_RUNS, ApiServer
from tests.support.databases import MakeDatabase
from tests.support.loopback_clients import new_client
from tests.support.processes import clean_environment

EXECUTE = "/api/v1/code/execute"
SUBMIT = "/api/v1/code/submit"
SUBMISSIONS = "/api/v1/code/submissions"
ME = "/api/v1/users/me"
RUN = {"code": "print(6 * 7)"}
SLEEPER = {"code": "import time\ntime.sleep(3)\nprint('slept')"}

TIERS = {
    "ACCOUNTS_ENABLED": "true",
    "RATE_LIMIT_ENABLED": "true",
    "RATE_LIMIT": "1/minute",
    "USER_RATE_LIMIT": "2/minute",
    "KEY_RATE_LIMIT": "3/minute",
    "USER_RUNS_ALIVE": "1",
    "KEY_RUNS_ALIVE": "1",
    # Every test signs accounts up and in from one address, and some are refused on purpose: what
    # is tested here is the runs' limits, not those.
    "LOGIN_RATE_LIMIT": "1000/minute",
    "REFUSAL_RATE_LIMIT": "1000/minute",
}
USER_DEFAULTS = {"rate_limit": "2/minute", "runs_alive": 1}
KEY_DEFAULTS = {"rate_limit": "3/minute", "runs_alive": 1}
ADMIN = "admin@example.org"

Headers = dict[str, str]


@pytest.fixture(scope="module")
def server(backend: str, make_database: MakeDatabase) -> Iterator[ApiServer]:
    started = ApiServer({"DATABASE_URL": make_database(backend), **TIERS}).start()
    yield started
    started.close()


def execbox(server: ApiServer, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The command line, on the server's database (and with its live runs)."""
    settings = {name: server.settings[name] for name in ("DATABASE_URL", "SANDBOX_LIVE_RUNS")}
    return subprocess.run(
        [sys.executable, "-m", "execbox.cli", *arguments],
        input=stdin,
        env={**clean_environment(), **settings},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def admin(server: ApiServer) -> Headers:
    """An administrator's access token (the first one is made on the command line)."""
    created = execbox(server, "user", "create", "--admin", ADMIN, "--password-stdin", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    token = sign_in(server.client, ADMIN, PASSWORD).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def key_of(server: ApiServer, email: str) -> Headers:
    return {"X-API-Key": api_key(server, email)}


def me(server: ApiServer, headers: Headers) -> dict[str, Any]:
    answer = server.client.get(ME, headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def change_limits(server: ApiServer, user_id: int, body: object, headers: Headers) -> httpx.Response:
    return server.client.patch(f"/api/v1/users/{user_id}/limits", json=body, headers=headers)


def runs(server: ApiServer, headers: Headers, count: int) -> list[int]:
    """The statuses of `count` runs, one after the other."""
    return [server.client.post(EXECUTE, json=RUN, headers=headers).status_code for _ in range(count)]


def stream(server: ApiServer, headers: Headers) -> dict[str, Any]:
    """A live run's last message: its result, or the error that refused it."""
    url = server.url.replace("http://", "ws://", 1) + "/api/v1/code/stream"
    with connect(url, additional_headers=headers, open_timeout=10) as socket:
        socket.send(json.dumps({"type": "run", **RUN}))
        while (message := json.loads(socket.recv(timeout=30)))["type"] not in ("result", "error"):
            pass
    last: dict[str, Any] = message
    return last


def test_each_kind_of_client_gets_its_tiers_rate_limit(server: ApiServer) -> None:
    with new_client(server) as anonymous:
        assert [anonymous.post(EXECUTE, json=RUN).status_code for _ in range(2)] == [200, 429]
    account = signed_in(server, "tiers@example.org")
    key = key_of(server, "tiers@example.org")
    assert runs(server, account, 3) == [200, 200, 429]
    refused = server.client.post(EXECUTE, json=RUN, headers=account).json()
    assert "Too many runs from your account (limit: 2/minute)" in refused["detail"], refused
    assert runs(server, key, 4) == [200, 200, 200, 429]
    refused = server.client.post(EXECUTE, json=RUN, headers=key).json()
    assert "Too many runs from your API key (limit: 3/minute)" in refused["detail"], refused
    # What each may run, for the UI to show.
    assert me(server, account)["limits"] == USER_DEFAULTS
    assert me(server, key)["limits"] == KEY_DEFAULTS


def test_every_run_endpoint_counts_against_the_callers_tier(server: ApiServer) -> None:
    key = key_of(server, "endpoints@example.org")
    assert stream(server, key)["stdout"] == "42\n"
    assert server.client.post(SUBMIT, json=RUN, headers=key).status_code == 200
    assert server.client.post(SUBMISSIONS, json=RUN, headers=key).status_code == 202
    # The key's three are used up, whichever endpoint asks.
    assert server.client.post(EXECUTE, json=RUN, headers=key).status_code == 429
    assert server.client.post(SUBMISSIONS, json=RUN, headers=key).status_code == 429
    refused = stream(server, key)
    assert (refused["type"], refused["status"], refused["reason"]) == ("error", 429, "rate_limit"), refused
    # The account's own sign-in is another client, with its own count.
    assert runs(server, signed_in(server, "endpoints@example.org"), 1) == [200]


def test_an_administrator_raises_one_account_and_its_keys_and_nobody_elses(
    server: ApiServer, admin: Headers
) -> None:
    ada, ada_key = signed_in(server, "ada@example.org"), key_of(server, "ada@example.org")
    bob = signed_in(server, "bob@example.org")
    ada_id = me(server, ada)["id"]

    raised = change_limits(server, ada_id, {"rate_limit": "4/minute", "runs_alive": 2}, admin)
    assert raised.status_code == 200, raised.text
    assert raised.json() == {
        "user_id": ada_id,
        "email": "ada@example.org",
        "rate_limit": "4/minute",
        "runs_alive": 2,
    }
    assert (
        me(server, ada)["limits"]
        == me(server, ada_key)["limits"]
        == {"rate_limit": "4/minute", "runs_alive": 2}
    )
    assert me(server, bob)["limits"] == USER_DEFAULTS
    assert runs(server, ada, 5) == [200] * 4 + [429]
    assert runs(server, ada_key, 5) == [200] * 4 + [429]  # each key counted apart, as raised
    assert runs(server, bob, 3) == [200, 200, 429]

    # A field left out stays as it is; null returns it to the tier's.
    partial = change_limits(server, ada_id, {"runs_alive": None}, admin)
    assert partial.status_code == 200, partial.text
    assert (partial.json()["rate_limit"], partial.json()["runs_alive"]) == ("4/minute", None)
    assert me(server, ada)["limits"] == {"rate_limit": "4/minute", "runs_alive": 1}
    assert me(server, ada_key)["limits"] == {"rate_limit": "4/minute", "runs_alive": 1}
    cleared = change_limits(server, ada_id, {"rate_limit": None}, admin)
    assert (cleared.json()["rate_limit"], cleared.json()["runs_alive"]) == (None, None)
    assert me(server, ada)["limits"] == USER_DEFAULTS
    assert me(server, ada_key)["limits"] == KEY_DEFAULTS


def _in_progress(server: ApiServer) -> float:
    return server.metrics().get("execbox_runs_in_progress", 0.0)


def _sleeping(server: ApiServer, headers: Headers, count: int) -> tuple[list[threading.Thread], list[int]]:
    """`count` runs of SLEEPER sent at once, once they are all running; their statuses follow."""
    statuses: list[int] = []
    sleepers = [
        threading.Thread(
            target=lambda: statuses.append(
                server.client.post(EXECUTE, json=SLEEPER, headers=headers).status_code
            )
        )
        for _ in range(count)
    ]
    for thread in sleepers:
        thread.start()
    deadline = time.monotonic() + 20
    while _in_progress(server) < count:
        assert time.monotonic() < deadline, "the sleepers did not start"
        time.sleep(0.1)
    return sleepers, statuses


def test_a_raised_share_lets_more_of_an_accounts_runs_be_alive_at_once(
    server: ApiServer, admin: Headers
) -> None:
    account = signed_in(server, "share@example.org")
    account_id = me(server, account)["id"]
    sleepers, statuses = _sleeping(server, account, 1)
    second = server.client.post(EXECUTE, json=RUN, headers=account)
    assert second.status_code == 429 and second.json()["reason"] == "client_share", second.text
    assert "1 of your runs is still running" in second.json()["detail"]
    for thread in sleepers:
        thread.join(30)
    assert statuses == [200]

    raised = change_limits(server, account_id, {"rate_limit": "100/minute", "runs_alive": 2}, admin)
    assert raised.status_code == 200, raised.text
    sleepers, statuses = _sleeping(server, account, 2)
    third = server.client.post(EXECUTE, json=RUN, headers=account)
    assert third.status_code == 429 and "2 of your runs are still running" in third.json()["detail"]
    for thread in sleepers:
        thread.join(30)
    assert statuses == [200, 200]


def test_only_an_administrator_signed_in_with_a_password_changes_limits(
    server: ApiServer, admin: Headers
) -> None:
    target = signed_in(server, "target@example.org")
    target_id = me(server, target)["id"]
    body = {"rate_limit": "1000/minute", "runs_alive": 8}

    anonymous = change_limits(server, target_id, body, {})
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    stranger = change_limits(server, target_id, body, signed_in(server, "stranger@example.org"))
    assert stranger.status_code == 403, stranger.text
    assert "administrators only, and stranger@example.org is not one" in stranger.json()["detail"]
    assert change_limits(server, target_id, body, target).status_code == 403  # not even one's own
    admins_key = change_limits(server, target_id, body, key_of(server, ADMIN))
    assert admins_key.status_code == 403 and "not a key" in admins_key.json()["detail"], admins_key.text
    assert me(server, target)["limits"] == USER_DEFAULTS  # nothing changed

    unknown = change_limits(server, 2**40, body, admin)
    assert unknown.status_code == 404 and unknown.json()["detail"] == f"There is no account with id {2**40}."


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        pytest.param({"rate_limit": "lots"}, "body.rate_limit", "'lots' is not a rate limit", id="nonsense"),
        pytest.param({"rate_limit": "0/minute"}, "body.rate_limit", "lets no run through", id="zero"),
        pytest.param({"rate_limit": "9/minute;" * 12}, "body.rate_limit", "at most 100", id="long"),
        pytest.param({"runs_alive": 0}, "body.runs_alive", "at least 1", id="no-runs"),
        pytest.param(
            {"runs_alive": LIVE_RUNS + 1},
            "body.runs_alive",
            f"between 1 and {LIVE_RUNS} (the runs a node keeps alive at once",
            id="above-the-node",
        ),
        pytest.param({"runs_alive": "many"}, "body.runs_alive", "integer", id="not-a-number"),
        pytest.param(
            {"rate_limit": "9/minute", "runs_alive": 10_000}, "body.runs_alive", "at most", id="both"
        ),
        pytest.param({"limit": "9/minute"}, "body.limit", "not known", id="unknown-field"),
    ],
)
def test_bad_limits_are_refused_saying_what_is_wrong_and_change_nothing(
    server: ApiServer, admin: Headers, body: dict[str, object], field: str, words: str
) -> None:
    target = signed_in(server, "refused@example.org")
    answer = change_limits(server, me(server, target)["id"], body, admin)
    assert answer.status_code == 422, answer.text
    problems = {problem["field"]: problem["message"] for problem in answer.json()["errors"]}
    assert words in problems[field], problems
    assert words in answer.json()["detail"]
    assert me(server, target)["limits"] == USER_DEFAULTS


def test_an_operator_sets_an_accounts_limits_from_the_command_line(server: ApiServer) -> None:
    target = signed_in(server, "cli@example.org")

    raised = execbox(
        server, "user", "limits", "CLI@example.org", "--rate-limit", "4/minute", "--runs-alive", "3"
    )
    assert raised.returncode == 0, raised.stderr
    assert "cli@example.org" in raised.stdout and "rate limit 4/minute, runs alive 3" in raised.stdout
    assert me(server, target)["limits"] == {"rate_limit": "4/minute", "runs_alive": 3}  # no restart
    assert runs(server, target, 5) == [200] * 4 + [429]
    shown = execbox(server, "user", "limits", "cli@example.org")
    assert shown.returncode == 0 and shown.stdout == raised.stdout

    back = execbox(server, "user", "limits", "cli@example.org", "--default")
    assert back.returncode == 0, back.stderr
    assert "rate limit the default (USER_RATE_LIMIT" in back.stdout
    assert me(server, target)["limits"] == USER_DEFAULTS

    for arguments, words in [
        (("cli@example.org", "--runs-alive", str(LIVE_RUNS + 1)), f"between 1 and {LIVE_RUNS}"),
        (("cli@example.org", "--rate-limit", "lots"), "'lots' is not a rate limit"),
        (("cli@example.org", "--default", "--runs-alive", "2"), "give it alone"),
        (("nobody@example.org", "--runs-alive", "2"), "There is no account for nobody@example.org"),
    ]:
        refused = execbox(server, "user", "limits", *arguments)
        assert refused.returncode == 2 and words in refused.stderr, (arguments, refused.stderr)
    assert me(server, target)["limits"] == USER_DEFAULTS
