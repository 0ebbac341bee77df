"""Submissions are private by default: listed only to the holder of the owner token they were
made with, readable by anyone only through their unguessable id (the share link).

Security issue 26, finding 1: a second client listed every submission and read the first one's
stdin (`hunter2`) and code.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator

import pytest

from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.owners import new_owner

SUBMIT = "/api/v1/code/submit"
SUBMISSIONS = "/api/v1/code/submissions"
SECRET_PROGRAM = {"code": "print(input() == 'hunter2')", "stdin": "hunter2"}


@pytest.fixture(scope="module")
def server(make_database: MakeDatabase) -> Iterator[ApiServer]:
    """A server of this module's own: its database holds only these tests' submissions."""
    server = ApiServer({"DATABASE_URL": make_database("sqlite")}).start()
    yield server
    server.close()


def _listed(server: ApiServer, headers: dict[str, str] | None = None) -> list[str]:
    response = server.client.get(SUBMISSIONS, params={"limit": 100}, headers=headers or {})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_another_client_lists_none_of_a_client_s_submissions(server: ApiServer) -> None:
    first = server.client.post(SUBMIT, json=SECRET_PROGRAM).json()
    assert first["saved"] is True
    token = first["owner_token"]
    assert isinstance(token, str) and len(token) == 43  # issued with the first saved submission
    mine = {"X-Owner-Token": token}
    second = server.client.post(SUBMIT, json={"code": "print(2)"}, headers=mine).json()
    assert second["owner_token"] is None  # not issued again: the client has one

    assert _listed(server, mine) == [second["id"], first["id"]]
    assert _listed(server, new_owner()) == []
    assert _listed(server) == []  # no token: nobody's submissions, not everybody's
    # The share link still works for anyone who is given it.
    shared = server.client.get(f"{SUBMISSIONS}/{first['id']}")
    assert shared.status_code == 200
    assert shared.json()["stdin"] == "hunter2"


def test_async_submissions_belong_to_their_token_too(server: ApiServer) -> None:
    accepted = server.client.post(SUBMISSIONS, json={"code": "print(1)"})
    assert accepted.status_code == 202, accepted.text
    token = accepted.json()["owner_token"]
    assert _listed(server, {"X-Owner-Token": token}) == [accepted.json()["id"]]
    assert accepted.json()["id"] not in _listed(server, new_owner())


def test_a_failed_run_issues_no_token(server: ApiServer) -> None:
    body = server.client.post(SUBMIT, json={"code": "1 / 0"}).json()
    assert (body["saved"], body["owner_token"]) == (False, None)


@pytest.mark.parametrize("token", ["short", "x" * 65, "not a token with spaces and more than 32 chars"])
def test_a_malformed_token_is_refused_naming_the_header(server: ApiServer, token: str) -> None:
    for response in (
        server.client.get(SUBMISSIONS, headers={"X-Owner-Token": token}),
        server.client.post(SUBMIT, json={"code": "print(1)"}, headers={"X-Owner-Token": token}),
    ):
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "header.X-Owner-Token"


def test_the_database_keeps_a_hash_of_the_token_never_the_token(server: ApiServer) -> None:
    token = server.client.post(SUBMIT, json={"code": "print('stored')"}).json()["owner_token"]
    path = server.settings["DATABASE_URL"].removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as database:
        keys = {key for (key,) in database.execute("SELECT owner_key FROM submissions")}
        dump = "\n".join(database.iterdump())
    assert hashlib.sha256(token.encode()).hexdigest() in keys
    assert token not in dump
