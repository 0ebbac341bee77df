"""Submit, fetch and page through saved submissions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.conftest import StartApi
from tests.support.api_server import ApiServer
from tests.support.owners import new_owner

SUBMIT = "/api/v1/code/submit"
SUBMISSIONS = "/api/v1/code/submissions"


def test_a_successful_run_is_saved_and_can_be_fetched(api: ApiServer) -> None:
    code = "import pandas as pd\nprint(pd.Series([1, 2, 3]).sum())\nprint(input())"
    before = datetime.now(UTC)
    body = api.client.post(SUBMIT, json={"code": code, "stdin": "héllo ✓\n"}).json()
    assert body["status"] == "success"
    assert body["saved"] is True
    assert body["stdout"] == "6\nhéllo ✓\n"

    fetched = api.client.get(f"{SUBMISSIONS}/{body['id']}")
    assert fetched.status_code == 200
    saved = fetched.json()
    assert saved["id"] == body["id"]
    assert saved["code"] == code
    assert saved["stdin"] == "héllo ✓\n"
    for field in ("status", "stdout", "stderr", "exit_code", "signal", "error", "truncated", "memory_kb"):
        assert saved[field] == body[field], field
    assert saved["wall_ms"] == body["wall_ms"]
    created = datetime.fromisoformat(saved["created_at"])
    assert before - timedelta(seconds=1) <= created <= datetime.now(UTC)


def test_rich_results_are_saved_with_the_submission(api: ApiServer) -> None:
    code = "import pandas as pd\ndisplay(pd.DataFrame({'a': [1, 2]}))\n'text\\x00with NUL'\n"
    body = api.client.post(SUBMIT, json={"code": code}).json()
    assert [r["mime"] for r in body["results"]] == ["text/html", "text/plain"]
    assert "<table" in body["results"][0]["data"]
    assert body["results"][1]["data"] == "'text\\x00with NUL'"
    saved = api.client.get(f"{SUBMISSIONS}/{body['id']}").json()
    assert saved["results"] == body["results"]


def test_a_failed_run_is_answered_but_not_saved(api: ApiServer) -> None:
    owner = new_owner()
    body = api.client.post(SUBMIT, json={"code": "print('partial')\n1 / 0"}, headers=owner).json()
    assert body["status"] == "runtime_error"
    assert body["stdout"] == "partial\n"
    assert body["error"]["type"] == "ZeroDivisionError"
    assert body["saved"] is False
    assert body["id"] is None
    assert body["owner_token"] is None  # nothing saved: nothing to own
    assert api.client.get(SUBMISSIONS, params={"limit": 1}, headers=owner).json()["items"] == []


def test_output_with_nul_survives_the_database(api: ApiServer) -> None:
    # PostgreSQL text cannot hold NUL; outputs are stored as bytes so this round-trips.
    body = api.client.post(SUBMIT, json={"code": "print('a' + chr(0) + 'b', '\\u2603')"}).json()
    assert body["saved"] is True
    assert body["stdout"] == "a\x00b \u2603\n"
    saved = api.client.get(f"{SUBMISSIONS}/{body['id']}").json()
    assert saved["stdout"] == body["stdout"]


def test_an_unknown_id_is_a_clear_404(api: ApiServer) -> None:
    response = api.client.get(f"{SUBMISSIONS}/no-such-id")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no submission with id 'no-such-id'."}


def test_pages_run_newest_first_without_gaps_or_repeats(api: ApiServer) -> None:
    owner = new_owner()
    ids = [
        api.client.post(SUBMIT, json={"code": f"print({n})"}, headers=owner).json()["id"] for n in range(5)
    ]
    seen: list[str] = []
    previews: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.client.get(SUBMISSIONS, params=params, headers=owner).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        previews += [item["code_preview"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    assert previews == [f"print({n})" for n in reversed(range(5))]


def test_a_new_submission_does_not_shift_a_page_being_read(api: ApiServer) -> None:
    owner = new_owner()
    for n in range(3):
        api.client.post(SUBMIT, json={"code": f"print('shift {n}')"}, headers=owner)
    first = api.client.get(SUBMISSIONS, params={"limit": 2}, headers=owner).json()
    api.client.post(SUBMIT, json={"code": "print('newer')"}, headers=owner)
    cursor = {"limit": 1, "cursor": first["next_cursor"]}
    second = api.client.get(SUBMISSIONS, params=cursor, headers=owner).json()
    assert second["items"][0]["code_preview"] == "print('shift 0')"


def test_saved_submissions_survive_a_restart(start_api: StartApi, backend: str) -> None:
    server = start_api(backend)
    saved = server.client.post(SUBMIT, json={"code": "print('kept')"}).json()
    server.restart()
    fetched = server.client.get(f"{SUBMISSIONS}/{saved['id']}").json()
    assert fetched["code"] == "print('kept')"
    assert fetched["stdout"] == "kept\n"


def test_a_page_size_out_of_range_is_refused_with_a_sentence_to_act_on(api: ApiServer) -> None:
    response = api.client.get(SUBMISSIONS, params={"limit": 1000})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The request is invalid. query.limit: limit must be at most 100, got 1000.",
        "errors": [{"field": "query.limit", "message": "limit must be at most 100, got 1000."}],
    }


def test_a_cursor_not_handed_out_names_its_field(api: ApiServer) -> None:
    response = api.client.get(SUBMISSIONS, params={"cursor": "garbage"}, headers=new_owner())
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["field"] == "query.cursor"
    assert "next_cursor" in problem["message"]
