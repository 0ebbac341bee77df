"""Searching one's own submissions by their code (`GET /code/submissions?mine=true&q=`), on a
real server with accounts, on SQLite and PostgreSQL: case aside, `%` and `_` taken literally,
paged as the listing is, and bounded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.accounts import signed_in
from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.owners import new_owner

SUBMIT = "/api/v1/code/submit"
SUBMISSIONS = "/api/v1/code/submissions"


@pytest.fixture(scope="module")
def server(backend: str, make_database: MakeDatabase) -> Iterator[ApiServer]:
    started = ApiServer({"DATABASE_URL": make_database(backend), "ACCOUNTS_ENABLED": "true"}).start()
    yield started
    started.close()


def _saved(server: ApiServer, headers: dict[str, str], *codes: str) -> list[str]:
    """Each code saved in turn (so the last is the newest); their ids."""
    ids = []
    for code in codes:
        answer = server.client.post(SUBMIT, json={"code": code}, headers=headers)
        assert answer.status_code == 200 and answer.json()["saved"], answer.text
        ids.append(answer.json()["id"])
    return ids


def _search(server: ApiServer, headers: dict[str, str], **query: Any) -> httpx.Response:
    return server.client.get(SUBMISSIONS, params={"mine": "true", **query}, headers=headers)


def _found(server: ApiServer, headers: dict[str, str], q: str) -> list[str]:
    answer = _search(server, headers, q=q, limit=100)
    assert answer.status_code == 200, answer.text
    assert answer.json()["next_cursor"] is None
    return [item["id"] for item in answer.json()["items"]]


def test_finds_the_code_that_contains_the_text_case_aside(server: ApiServer) -> None:
    account = signed_in(server, "finder@example.org")
    hello, _, again, pi = _saved(
        server,
        account,
        "print('Hello')",
        "x = 1",
        "print('HELLO again')",
        "import math\nprint(math.pi)",  # below the first line, which alone is the preview
    )
    _saved(server, signed_in(server, "other-finder@example.org"), "print('hello from someone else')")

    assert _found(server, account, "hello") == [again, hello]  # newest first, only the account's
    assert _found(server, account, "hElLo") == [again, hello]
    assert _found(server, account, "MATH.PI") == [pi]
    assert _found(server, account, "nowhere") == []


def test_percent_underscore_and_escapes_are_the_text(server: ApiServer) -> None:
    account = signed_in(server, "literal@example.org")
    percent, underscore, plain, slash, backslash = _saved(
        server,
        account,
        "print('100%')",
        "print(1_000)",
        "print(100)",
        "print('a/b')",
        'print(r"C:\\dir")',
    )
    assert _found(server, account, "0%'") == [percent]
    assert _found(server, account, "(1_") == [underscore]
    assert _found(server, account, "1_0") == [underscore]  # as a wildcard it would match print(100)
    assert _found(server, account, "%')") == [percent]
    assert _found(server, account, "'a/") == [slash]  # the escape character the store uses
    assert _found(server, account, ":\\d") == [backslash]
    assert _found(server, account, "print(100)") == [plain]
    assert _found(server, account, "%%%") == []
    assert _found(server, account, "___") == []


def test_pages_through_the_matches_only(server: ApiServer) -> None:
    account = signed_in(server, "pager@example.org")
    codes = [f"print('match {n}')" if n % 2 else f"print('other {n}')" for n in range(10)]
    matches = [i for i, code in zip(_saved(server, account, *codes), codes, strict=True) if "match" in code]

    seen: list[str] = []
    cursor: str | None = None
    for _ in range(len(matches)):
        answer = _search(
            server, account, q="MATCH", limit=2, **({} if cursor is None else {"cursor": cursor})
        )
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == matches[::-1]
    assert cursor is None


def test_an_owner_tokens_list_is_searched_too_and_mine_still_needs_credentials(server: ApiServer) -> None:
    browser = new_owner()
    wanted, _ = _saved(server, browser, "print('needle')", "print('hay')")
    answer = server.client.get(SUBMISSIONS, params={"q": "NEEDLE"}, headers=browser)
    assert answer.status_code == 200, answer.text
    assert [item["id"] for item in answer.json()["items"]] == [wanted]
    assert server.client.get(SUBMISSIONS, params={"q": "needle"}).json()["items"] == []  # nobody's
    refused = _search(server, browser, q="needle")
    assert refused.status_code == 401 and "mine=true" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("q", "message"),
    [
        pytest.param("", "q must be at least 3 characters long, got 0: a search needs 3", id="empty"),
        pytest.param("x", "q must be at least 3 characters long, got 1: ", id="one"),
        pytest.param("pi", "got 2: a search needs 3 characters or more of the code", id="two"),
        pytest.param("x" * 101, "q must be at most 100 characters long, got 101.", id="too-long"),
        pytest.param("a\x00b", "contains a NUL character at character 1", id="nul"),
    ],
)
def test_the_text_is_bounded(server: ApiServer, q: str, message: str) -> None:
    account = signed_in(server, "bounded@example.org")
    refused = _search(server, account, q=q)
    assert refused.status_code == 422, refused.text
    assert [(problem["field"], message in problem["message"]) for problem in refused.json()["errors"]] == [
        ("query.q", True)
    ]
    assert message in refused.json()["detail"]


def test_the_longest_text_allowed_is_searched(server: ApiServer) -> None:
    account = signed_in(server, "longest@example.org")
    text = "é" * 100  # counted in characters, not in bytes
    (saved,) = _saved(server, account, f"print('{text}')")
    assert _found(server, account, text) == [saved]
