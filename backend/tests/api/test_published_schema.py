"""The published API contract is what the server does (issue 31): one error model for every
refusal, listed for each status an operation can answer; the bounds the server enforces, taken
from its settings; and `Allow` naming every method a path serves."""

from __future__ import annotations

import re
from typing import Any

import httpx
import jsonschema
import pytest

from execbox.schemas.errors import Problem
from tests.support.api_server import ApiServer
from tests.support.owners import new_owner
from tests.support.stream_client import StreamClient

EXECUTE = "/api/v1/code/execute"
SUBMISSIONS = "/api/v1/code/submissions"
PROBLEM = {"$ref": "#/components/schemas/Problem"}
# Answered before any route runs, for every path under /api/v1 (Host, body size, refusal limit).
ANY_API_REQUEST = {"400", "413", "429"}
REFUSALS = {
    ("post", "/api/v1/code/execute"): {"401", "422", "503"},
    ("post", "/api/v1/code/submit"): {"401", "422", "503"},
    ("post", "/api/v1/code/submissions"): {"401", "422", "503"},
    ("post", "/api/v1/code/shares"): {"401", "422", "503"},
    ("get", "/api/v1/code/submissions"): {"401", "422"},
    ("get", "/api/v1/code/submissions/{submission_id}"): {"401", "404", "422"},
    ("delete", "/api/v1/code/submissions/{submission_id}"): {"401", "404", "409", "422"},
    ("get", "/api/v1/runtime"): set(),
}


def _document(api: ApiServer) -> dict[str, Any]:
    answer = api.client.get("/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def test_every_refusal_of_every_operation_has_the_one_error_model(api: ApiServer) -> None:
    document = _document(api)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    operations = {
        (method, path): operation
        for path, methods in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in methods.items()
    }
    assert set(operations) == set(REFUSALS)
    for key, operation in operations.items():
        refusals = {status for status in operation["responses"] if not status.startswith("2")}
        assert refusals == ANY_API_REQUEST | REFUSALS[key], key
        for status in refusals:
            assert operation["responses"][status]["content"]["application/json"]["schema"] == PROBLEM, key


def test_the_bounds_in_the_schema_are_those_the_server_enforces(api: ApiServer) -> None:
    schemas = _document(api)["components"]["schemas"]
    runtime = api.client.get("/api/v1/runtime").json()
    limits = schemas["LimitsIn"]["properties"]
    for name, ceiling in runtime["max_limits"].items():
        (bounded,) = [choice for choice in limits[name]["anyOf"] if choice["type"] != "null"]
        assert bounded["maximum"] == ceiling, name
        over = api.client.post(EXECUTE, json={"code": "print(1)", "limits": {name: ceiling * 2}})
        assert over.status_code == 422, over.text
    request = schemas["ExecuteRequest"]["properties"]
    assert request["stdin"]["maxLength"] == runtime["max_stdin_length"]
    assert request["code"]["maxLength"] == runtime["policy"]["max_code_length"]
    longest = runtime["policy"]["max_code_length"]
    assert api.client.post(EXECUTE, json={"code": "#" * longest}).status_code == 200
    too_long = api.client.post(EXECUTE, json={"code": "#" * (longest + 1)})
    assert too_long.status_code == 422, too_long.text


def test_allow_names_every_method_a_path_serves(api: ApiServer) -> None:
    expected = {
        "/api/v1/code/submissions": "GET, POST",
        "/api/v1/code/execute": "POST",
        "/api/v1/runtime": "GET",
        "/api/v1/code/submissions/abc": "GET, DELETE",
    }
    for path, allowed in expected.items():
        answer = api.client.request("OPTIONS", path)
        assert answer.status_code == 405, (path, answer.text)
        assert answer.headers["allow"] == allowed, path
        assert f"use {allowed}" in answer.json()["detail"]


def test_the_refusals_bodies_are_the_one_error_model(api: ApiServer) -> None:
    known = set(Problem.model_fields)
    refusals: list[httpx.Response] = [
        api.client.post(EXECUTE, content=b'{"code": "\xff"}', headers={"content-type": "application/json"}),
        api.client.get("/api/v1/code/submissions/nothing-here"),
        api.client.request("DELETE", EXECUTE),
        api.client.post(EXECUTE, json={"code": 1}),
        api.client.post(EXECUTE, json={"code": "import socket"}),
        api.client.post(EXECUTE, json={"code": "print(1)", "limits": {"memory_mb": 10**9}}),
        api.client.get("/api/v1/code/submissions", params={"cursor": "not-one"}),
    ]
    assert [answer.status_code for answer in refusals] == [400, 404, 405, 422, 422, 422, 422]
    for answer in refusals:
        body = answer.json()
        assert set(body) <= known and isinstance(body["detail"], str), body
        Problem.model_validate(body)


def test_every_cursor_of_the_published_form_is_a_place_in_the_list(api: ApiServer) -> None:
    owner = new_owner()
    ids = [
        api.client.post("/api/v1/code/submit", json={"code": f"print({n})"}, headers=owner).json()["id"]
        for n in range(3)
    ]
    listing = _document(api)["paths"][SUBMISSIONS]["get"]
    (cursor,) = [parameter for parameter in listing["parameters"] if parameter["name"] == "cursor"]
    form = re.compile(cursor["schema"]["pattern"])
    handed_out = api.client.get(SUBMISSIONS, params={"limit": 1}, headers=owner).json()["next_cursor"]
    assert form.fullmatch(handed_out)
    for made_up, shown in [("999999999999999999", ids[::-1]), ("1", [])]:
        assert form.fullmatch(made_up)
        page = api.client.get(SUBMISSIONS, params={"cursor": made_up}, headers=owner)
        assert page.status_code == 200, page.text
        assert [item["id"] for item in page.json()["items"]] == shown
    assert not form.fullmatch(str(2**63))  # past what the database counts to: refused by form
    assert api.client.get(SUBMISSIONS, params={"cursor": str(2**63)}).status_code == 422


def test_no_parameter_is_published_as_nullable(api: ApiServer) -> None:
    # Absent is how a query or header parameter is left unset; "null" would be sent as text.
    for path, methods in _document(api)["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                assert "anyOf" not in parameter["schema"], (method, path, parameter)


def test_the_stream_messages_are_published_and_the_server_sends_them_so(api: ApiServer) -> None:
    components = _document(api)["components"]

    def check(union: str, message: dict[str, Any]) -> None:
        schema = {"$ref": f"#/components/schemas/{union}", "components": components}
        jsonschema.validate(message, schema)

    sent: list[dict[str, Any]] = [
        {"type": "run", "code": "print(input('name? '))", "wait": True},
        {"type": "stdin", "data": "Ada\n"},
        {"type": "close_stdin"},
        {"type": "stop"},
    ]
    for message in sent:
        check("StreamClientMessage", message)
    with pytest.raises(jsonschema.ValidationError):
        check("StreamClientMessage", {"type": "stdin", "data": "x", "more": 1})
    schemas = components["schemas"]
    for bounded in ("code", "stdin"):
        published = schemas["RunMessage"]["properties"][bounded]["maxLength"]
        assert published == schemas["ExecuteRequest"]["properties"][bounded]["maxLength"]

    with StreamClient(api.url) as streams:
        live = streams.start(code="import time\nname = input('name? ')\ntime.sleep(0.5)\nprint(name)")
        live.until("waiting_for_input")
        live.send(sent[1])
        live.finish()
        refused = streams.start(code="import socket")
        refused.finish()
    received = [r.message for r in live.received + refused.received]
    assert {m["type"] for m in received} >= {"started", "output", "waiting_for_input", "result", "error"}
    for message in received:
        check("StreamServerMessage", message)
