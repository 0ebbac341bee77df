"""Whose a saved submission is, on a real server with accounts, on SQLite and PostgreSQL: a
private one is its account's alone (404 to anybody else), "mine" lists an account's, an owner
deletes their own, and an account signed in adopts what its browser made anonymously."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.accounts import api_key, signed_in
from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.owners import new_owner
from tests.support.submissions import final_submission

SUBMIT = "/api/v1/code/submit"
SUBMISSIONS = "/api/v1/code/submissions"
EXECUTE = "/api/v1/code/execute"
SHARES = "/api/v1/code/shares"
ADOPT = "/api/v1/users/me/adopt"


@pytest.fixture(scope="module")
def server(backend: str, make_database: MakeDatabase) -> Iterator[ApiServer]:
    started = ApiServer({"DATABASE_URL": make_database(backend), "ACCOUNTS_ENABLED": "true"}).start()
    yield started
    started.close()


def _saved(
    server: ApiServer, headers: dict[str, str], visibility: str = "unlisted", code: str = "print(1)"
) -> str:
    answer = server.client.post(SUBMIT, json={"code": code, "visibility": visibility}, headers=headers)
    assert answer.status_code == 200 and answer.json()["saved"], answer.text
    submission_id: str = answer.json()["id"]
    return submission_id


def _read(server: ApiServer, submission_id: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return server.client.get(f"{SUBMISSIONS}/{submission_id}", headers=headers)


def _mine(server: ApiServer, headers: dict[str, str], **query: Any) -> list[dict[str, Any]]:
    answer = server.client.get(SUBMISSIONS, params={"mine": "true", **query}, headers=headers)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_a_private_submission_is_its_accounts_alone(server: ApiServer) -> None:
    owner, stranger = signed_in(server, "owner@example.org"), signed_in(server, "stranger@example.org")
    private = _saved(server, owner, "private", "print('secret')")
    unlisted = _saved(server, owner, "unlisted")

    mine = _read(server, private, owner)
    assert mine.status_code == 200 and mine.json()["visibility"] == "private", mine.text
    assert mine.json()["code"] == "print('secret')"
    with_key = {"X-API-Key": api_key(server, "owner@example.org")}  # the same account
    assert _read(server, private, with_key).status_code == 200

    # To anybody else it is not there: the very answer an id that never existed gets.
    nowhere = _read(server, "NeverIssuedId0000")
    for headers in (stranger, None, new_owner()):
        refused = _read(server, private, headers)
        assert refused.status_code == 404
        assert refused.json() == {
            **nowhere.json(),
            "detail": nowhere.json()["detail"].replace("NeverIssuedId0000", private),
        }
    assert _read(server, unlisted, stranger).json()["visibility"] == "unlisted"  # its link is enough


def test_only_an_account_saves_private_submissions(server: ApiServer) -> None:
    for path in (SUBMIT, SUBMISSIONS):
        refused = server.client.post(
            path, json={"code": "print(1)", "visibility": "private"}, headers=new_owner()
        )
        assert refused.status_code == 422, refused.text
        assert [problem["field"] for problem in refused.json()["errors"]] == ["body.visibility"]
        assert "needs one" in refused.json()["detail"] and "unlisted" in refused.json()["detail"]
    unknown = server.client.post(SUBMIT, json={"code": "print(1)", "visibility": "public"})
    assert unknown.status_code == 422 and "visibility" in unknown.text
    assert server.client.post(EXECUTE, json={"code": "print(1)", "visibility": "private"}).status_code == 422


def test_mine_lists_an_accounts_submissions_whatever_it_was_made_with(server: ApiServer) -> None:
    owner = signed_in(server, "lister@example.org")
    with_key = {"X-API-Key": api_key(server, "lister@example.org")}
    token = new_owner()
    made = [
        _saved(server, owner, "private"),
        _saved(server, with_key, "unlisted"),
        _saved(server, {**owner, **token}, "private"),
    ]
    _saved(server, signed_in(server, "somebody@example.org"), "unlisted")
    listed = _mine(server, owner)
    assert [item["id"] for item in listed] == made[::-1]
    assert [item["visibility"] for item in listed] == ["private", "unlisted", "private"]
    assert [item["id"] for item in _mine(server, with_key, limit=2)] == made[:0:-1]
    # A token sent beside credentials names nothing: its holder alone does not list the account's.
    assert server.client.get(SUBMISSIONS, headers=token).json()["items"] == []


def test_mine_needs_credentials_and_nobody_lists_anybody_elses(server: ApiServer) -> None:
    _saved(server, signed_in(server, "quiet@example.org"))
    refused = server.client.get(SUBMISSIONS, params={"mine": "true"}, headers=new_owner())
    assert refused.status_code == 401 and "mine=true" in refused.json()["detail"]
    assert server.client.get(SUBMISSIONS).json() == {"items": [], "next_cursor": None}


def test_an_owner_deletes_their_own_and_nobody_elses(server: ApiServer) -> None:
    owner, stranger = signed_in(server, "deleter@example.org"), signed_in(server, "other@example.org")
    submission = _saved(server, owner, "unlisted")
    for headers in (stranger, new_owner(), {}):
        refused = server.client.delete(f"{SUBMISSIONS}/{submission}", headers=headers)
        assert refused.status_code == 404, refused.text
    assert _read(server, submission).status_code == 200

    assert server.client.delete(f"{SUBMISSIONS}/{submission}", headers=owner).status_code == 204
    assert _read(server, submission, owner).status_code == 404
    assert submission not in [item["id"] for item in _mine(server, owner)]
    assert server.client.delete(f"{SUBMISSIONS}/{submission}", headers=owner).status_code == 404


def test_an_owner_token_deletes_what_was_made_with_it(server: ApiServer) -> None:
    token = new_owner()
    submission = _saved(server, token)
    assert server.client.delete(f"{SUBMISSIONS}/{submission}", headers=new_owner()).status_code == 404
    assert server.client.delete(f"{SUBMISSIONS}/{submission}", headers=token).status_code == 204
    assert _read(server, submission).status_code == 404


def test_a_submission_waiting_for_its_verdict_is_deleted_only_after(server: ApiServer) -> None:
    owner = signed_in(server, "patient@example.org")
    accepted = server.client.post(
        SUBMISSIONS,
        json={"code": "import time\ntime.sleep(2)\nprint('done')", "visibility": "private"},
        headers=owner,
    )
    assert accepted.status_code == 202, accepted.text
    submission = accepted.json()["id"]
    assert accepted.json()["owner_token"] is None  # the account owns it: no token is issued
    early = server.client.delete(f"{SUBMISSIONS}/{submission}", headers=owner)
    assert early.status_code == 409 and "verdict" in early.json()["detail"], early.text
    assert final_submission(server.client, submission, headers=owner)["stdout"] == "done\n"
    assert server.client.delete(f"{SUBMISSIONS}/{submission}", headers=owner).status_code == 204


def test_a_shared_run_may_be_private(server: ApiServer) -> None:
    owner = signed_in(server, "sharer@example.org")
    ran = server.client.post(EXECUTE, json={"code": "raise SystemExit(3)"}, headers=owner).json()
    shared = server.client.post(
        SHARES,
        json={
            "code": "raise SystemExit(3)",
            "result": ran,
            "receipt": ran["receipt"],
            "visibility": "private",
        },
        headers=owner,
    )
    assert shared.status_code == 201, shared.text
    assert _read(server, shared.json()["id"], owner).json()["exit_code"] == 3
    assert _read(server, shared.json()["id"]).status_code == 404


def test_without_accounts_nothing_is_private_and_mine_says_why(api: ApiServer) -> None:
    refused = api.client.post(SUBMIT, json={"code": "print(1)", "visibility": "private"}, headers=new_owner())
    assert refused.status_code == 422 and "no accounts" in refused.json()["detail"], refused.text
    mine = api.client.get(SUBMISSIONS, params={"mine": "true"}, headers=new_owner())
    assert mine.status_code == 422 and mine.json()["errors"][0]["field"] == "query.mine", mine.text
    token = new_owner()
    submission = _saved(api, token)
    assert api.client.delete(f"{SUBMISSIONS}/{submission}", headers=token).status_code == 204


def _adopt(server: ApiServer, headers: dict[str, str]) -> httpx.Response:
    return server.client.post(ADOPT, headers=headers)


def _adopted(server: ApiServer, headers: dict[str, str]) -> int:
    answer = _adopt(server, headers)
    assert answer.status_code == 200, answer.text
    count: int = answer.json()["adopted"]
    return count


def _token_lists(server: ApiServer, token: dict[str, str]) -> list[str]:
    return [item["id"] for item in server.client.get(SUBMISSIONS, headers=token).json()["items"]]


def test_signing_in_adopts_what_the_browser_made_anonymously(server: ApiServer) -> None:
    browser = new_owner()
    made = [_saved(server, browser, code="print('before')"), _saved(server, browser, code="print('after')")]
    account = signed_in(server, "adopter@example.org")
    own = _saved(server, account, "private")

    assert _adopted(server, {**account, **browser}) == 2
    listed = _mine(server, account)
    assert [item["id"] for item in listed] == [own, *made[::-1]]
    assert [item["visibility"] for item in listed] == ["private", "unlisted", "unlisted"]  # kept as they were
    # The token owns none of them now: its holder neither lists nor deletes them.
    assert _token_lists(server, browser) == []
    assert server.client.delete(f"{SUBMISSIONS}/{made[0]}", headers=browser).status_code == 404
    assert _read(server, made[0]).status_code == 200  # still readable by its link, as unlisted
    assert server.client.delete(f"{SUBMISSIONS}/{made[0]}", headers=account).status_code == 204

    assert _adopted(server, {**account, **browser}) == 0  # twice: nothing left to adopt
    assert [item["id"] for item in _mine(server, account)] == [own, made[1]]


def test_a_pending_submission_is_adopted_and_gets_its_verdict(server: ApiServer) -> None:
    browser = new_owner()
    # Signed in first (a password hash takes a while on a busy machine): between the run's start
    # and its verdict only the adoption and a listing, well within the 3 s it sleeps.
    account = signed_in(server, "waiting-adopter@example.org")
    accepted = server.client.post(
        SUBMISSIONS, json={"code": "import time\ntime.sleep(3)\nprint('late')"}, headers=browser
    )
    assert accepted.status_code == 202, accepted.text
    submission = accepted.json()["id"]

    assert _adopted(server, {**account, **browser}) == 1
    assert _mine(server, account)[0]["status"] in ("queued", "running")
    assert final_submission(server.client, submission, headers=account)["stdout"] == "late\n"
    assert [(item["id"], item["status"]) for item in _mine(server, account)] == [(submission, "success")]


def test_another_token_or_an_accounts_submission_is_not_adopted(server: ApiServer) -> None:
    browser, stranger = new_owner(), new_owner()
    anonymous = _saved(server, browser)
    first = signed_in(server, "first@example.org")
    # Made with credentials and a token beside them: the account's, the token stored nowhere.
    accounts = _saved(server, {**first, **stranger})
    second = signed_in(server, "second@example.org")

    assert _adopted(server, {**second, **stranger}) == 0
    assert _mine(server, second) == []
    assert [item["id"] for item in _mine(server, first)] == [accounts]
    assert _token_lists(server, browser) == [anonymous]


@pytest.mark.parametrize(
    ("credentials", "status", "words"),
    [
        pytest.param("none", 401, "Sign in first", id="no-credentials"),
        pytest.param("bogus", 401, "", id="invalid-token"),
        pytest.param("key", 403, "not an API key", id="api-key"),
    ],
)
def test_adopting_takes_a_password_sign_in(
    server: ApiServer, credentials: str, status: int, words: str
) -> None:
    browser = new_owner()
    submission = _saved(server, browser)
    headers = {
        "none": {},
        "bogus": {"Authorization": "Bearer not-a-token"},
        "key": {"X-API-Key": api_key(server, "key-adopter@example.org")},
    }[credentials]
    refused = _adopt(server, {**headers, **browser})
    assert refused.status_code == status, refused.text
    assert words in refused.json()["detail"]
    assert _token_lists(server, browser) == [submission]  # still the browser's


@pytest.mark.parametrize(
    ("token", "words"),
    [
        pytest.param(None, "Send the owner token", id="missing"),
        pytest.param("short", "must match the pattern", id="short"),
        pytest.param("x" * 65, "must match the pattern", id="long"),
        pytest.param("not a token, though long enough to be one", "must match the pattern", id="spaces"),
    ],
)
def test_adopting_needs_an_owner_token(server: ApiServer, token: str | None, words: str) -> None:
    account = signed_in(server, "tokenless@example.org")
    headers = account if token is None else {**account, "X-Owner-Token": token}
    refused = _adopt(server, headers)
    assert refused.status_code == 422, refused.text
    assert [problem["field"] for problem in refused.json()["errors"]] == ["header.X-Owner-Token"]
    assert words in refused.json()["detail"]
    assert token is None or token not in refused.text  # a malformed secret is not echoed back
