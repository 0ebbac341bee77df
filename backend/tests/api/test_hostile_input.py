"""Broken, hostile and oversized requests through a real server.

Every one must be answered with a clean 4xx: the exact status, a JSON body whose `detail` is a
sentence saying what to fix (checked for the key words of each case, so a message that degrades
to something generic fails), and afterwards the server is still healthy, still runs code and
has logged no traceback.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from execbox.settings import Settings
from tests.api.conftest import StartApi
from tests.support.api_server import ApiServer
from tests.support.owners import new_owner

EXECUTE = "/api/v1/code/execute"
SUBMIT = "/api/v1/code/submit"
SUBMISSIONS = "/api/v1/code/submissions"
JSON_TYPE = {"Content-Type": "application/json"}
MAX_REQUEST_BYTES = 1 << 20  # the default, which the shared servers keep
# A run's body may be larger by the input files it may carry (in base64): the shared servers'.
RUN_BODY_BYTES = Settings(_env_file=None).run_body_bytes


def refused(response: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    """The body of a clean refusal: `status`, JSON, and a `detail` sentence with all of `words`."""
    assert response.status_code == status, f"{response.status_code}: {response.text[:1000]}"
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    detail = body.get("detail")
    assert isinstance(detail, str), body
    assert len(detail.split()) >= 2, f"not a sentence: {detail!r}"
    assert "Traceback" not in detail
    doubled = re.search(r"\b([A-Za-z]+) \1\b", detail)
    assert doubled is None, f"doubled word {doubled.group(0)!r} in {detail!r}"
    lowered = detail.lower()
    for word in words:
        assert word.lower() in lowered, f"{word!r} not in detail {detail!r}"
    return body


def field_errors(body: dict[str, Any]) -> list[str]:
    errors: list[dict[str, str]] = body["errors"]
    assert all(error["message"] for error in errors), errors
    return [error["field"] for error in errors]


class Watched:
    """A server and where its log stood when the test began."""

    def __init__(self, server: ApiServer) -> None:
        self.server = server
        # A client of the test's own: a connection the server dropped after one test's failure
        # must not fail the next test.
        self.client = httpx.Client(base_url=server.url, timeout=60)
        self.log_start = len(server.log_text())

    def post_raw(self, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.client.post(EXECUTE, content=body, headers=JSON_TYPE if headers is None else headers)

    def assert_unharmed(self, runs: int = 1) -> None:
        """Healthy, runs code, and nothing since the test began was logged with a traceback."""
        health = self.client.get("/health")
        assert health.status_code == 200, health.text
        for number in range(runs):
            run = self.client.post(EXECUTE, json={"code": f"print(6 * {number + 7})"})
            assert run.status_code == 200, run.text
            assert run.json()["stdout"] == f"{6 * (number + 7)}\n"
        log = self.server.log_text()[self.log_start :]
        assert "Traceback" not in log, log[-4000:]


@pytest.fixture
def target(api: ApiServer) -> Iterator[Watched]:
    watched = Watched(api)
    yield watched
    watched.client.close()


@pytest.fixture
def start_watched(start_api: StartApi) -> Iterator[Callable[..., Watched]]:
    """`start_watched(**settings)`: a server of the test's own, watched from its start."""
    started: list[Watched] = []

    def start(**settings: str) -> Watched:
        started.append(Watched(start_api(**settings)))
        return started[-1]

    yield start
    for watched in started:
        watched.client.close()


# --- Bodies that are not JSON -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param(
            b'{"code": "print(1)"', ("not valid JSON", "delimiter", "at character 19"), id="truncated"
        ),
        pytest.param(b'{"code": "pri', ("not valid JSON", "unterminated string"), id="truncated-in-string"),
        pytest.param(b'{"code": "print(1)",}', ("not valid JSON", "double quotes"), id="trailing-comma"),
        pytest.param(b"{'code': 'print(1)'}", ("not valid JSON", "double quotes"), id="single-quotes"),
        pytest.param(b'{"code": print(1)}', ("not valid JSON", "expecting value"), id="bare-word"),
        pytest.param(b"   ", ("not valid JSON",), id="only-whitespace"),
        pytest.param(b"", ("body", "empty", "JSON object"), id="empty-body"),
    ],
)
def test_malformed_json_is_refused_with_where_it_broke(
    target: Watched, body: bytes, words: tuple[str, ...]
) -> None:
    answer = refused(target.post_raw(body), 422, *words)
    assert field_errors(answer) == ["body"]
    target.assert_unharmed()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"code": "print(\'\xff\')"}', id="0xff-in-code"),
        pytest.param(b'{"code": "print(1)", "stdin": "\xc3\x28"}', id="broken-sequence-in-stdin"),
        pytest.param(b'{"code": "\xc0\xaf"}', id="overlong-encoding"),
    ],
)
def test_invalid_utf8_is_refused_naming_the_byte(target: Watched, body: bytes) -> None:
    with pytest.raises(UnicodeDecodeError) as decoding:
        body.decode()
    offset = decoding.value.start
    answer = refused(
        target.post_raw(body), 400, "not valid UTF-8", f"0x{body[offset]:02x}", f"offset {offset}"
    )
    assert set(answer) == {"detail"}
    target.assert_unharmed()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[1, 2]", id="array"),
        pytest.param(b'[{"code": "print(1)"}]', id="array-of-object"),
        pytest.param(b'"print(1)"', id="string"),
        pytest.param(b"42", id="number"),
        pytest.param(b"null", id="null"),
        pytest.param(b"true", id="true"),
    ],
)
def test_a_body_that_is_not_an_object_is_refused(target: Watched, body: bytes) -> None:
    answer = refused(target.post_raw(body), 422, "must be a JSON object")
    assert field_errors(answer) == ["body"]
    target.assert_unharmed()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Content-Type": "text/plain"}, id="text-plain"),
        pytest.param({"Content-Type": "application/x-www-form-urlencoded"}, id="form-urlencoded"),
        pytest.param({"Content-Type": "application/xml"}, id="xml"),
        pytest.param({}, id="no-content-type"),
    ],
)
def test_json_sent_as_another_type_is_refused_asking_for_json(
    target: Watched, headers: dict[str, str]
) -> None:
    response = target.post_raw(b'{"code": "print(1)"}', headers)
    answer = refused(response, 422, "Content-Type: application/json")
    assert field_errors(answer) == ["body"]
    target.assert_unharmed()


def test_a_real_form_post_is_refused_asking_for_json(target: Watched) -> None:
    response = target.client.post(EXECUTE, data={"code": "print(1)"})
    refused(response, 422, "JSON object", "application/json")
    target.assert_unharmed()


def test_json_with_a_charset_parameter_is_accepted(target: Watched) -> None:
    response = target.post_raw(b'{"code": "print(1)"}', {"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 200, response.text
    assert response.json()["stdout"] == "1\n"


# --- NUL characters and lone surrogates -----------------------------------------------------------


def test_a_nul_in_code_is_a_policy_violation_at_its_position(target: Watched) -> None:
    body = b'{"code": "x = 1\\nprint(\'a\\u0000\')\\n"}'
    answer = refused(target.post_raw(body), 422, "not run", "code policy")
    (violation,) = answer["violations"]
    assert violation["rule"] == "null-byte"
    assert (violation["line"], violation["col"]) == (2, 9)
    assert "null byte" in violation["message"]
    target.assert_unharmed()


def test_a_nul_in_stdin_is_refused_naming_the_field(target: Watched) -> None:
    body = b'{"code": "print(input())", "stdin": "ab\\u0000c"}'
    answer = refused(target.post_raw(body), 422, "body.stdin", "NUL", "character 2")
    assert field_errors(answer) == ["body.stdin"]
    target.assert_unharmed()


@pytest.mark.parametrize(
    ("body", "field", "position"),
    [
        pytest.param(b'{"code": "print(\'\\ud800\')"}', "body.code", 7, id="high-in-code"),
        pytest.param(b'{"code": "# \\udfff\\nprint(1)"}', "body.code", 2, id="low-in-code"),
        pytest.param(b'{"code": "print(1)", "stdin": "\\ud800"}', "body.stdin", 0, id="high-in-stdin"),
        pytest.param(b'{"code": "print(1)", "stdin": "ab\\udc00"}', "body.stdin", 2, id="low-in-stdin"),
        pytest.param(b'{"code": "print(1)", "stdin": "\\ude00\\ud83d"}', "body.stdin", 0, id="reversed-pair"),
        # Not UTF-8, but JSON decoders let surrogates through as UTF-8-style bytes ("surrogatepass").
        pytest.param(
            b'{"code": "print(1)", "stdin": "\xed\xa0\x80"}', "body.stdin", 0, id="encoded-surrogate"
        ),
    ],
)
def test_a_lone_surrogate_is_refused_naming_the_field(
    target: Watched, body: bytes, field: str, position: int
) -> None:
    answer = refused(target.post_raw(body), 422, field, "unpaired surrogate", f"character {position}")
    assert field_errors(answer) == [field]
    target.assert_unharmed()


def test_a_proper_surrogate_pair_is_text(target: Watched) -> None:
    body = b'{"code": "print(\'\\ud83d\\ude00\', input())", "stdin": "\\ud83d\\ude03"}'
    response = target.post_raw(body)
    assert response.status_code == 200, response.text
    assert response.json()["stdout"] == "\U0001f600 \U0001f603\n"


# --- Wrong types and values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        pytest.param({"code": 1}, "body.code", ("valid string",), id="code-int"),
        pytest.param({"code": None}, "body.code", ("valid string",), id="code-null"),
        pytest.param({"code": ["print(1)"]}, "body.code", ("valid string",), id="code-list"),
        pytest.param({"code": {"src": "print(1)"}}, "body.code", ("valid string",), id="code-object"),
        pytest.param({}, "body.code", ("required",), id="code-missing"),
        pytest.param({"stdin": "x"}, "body.code", ("required",), id="only-stdin"),
        pytest.param({"code": "print(1)", "stdin": 5}, "body.stdin", ("valid string",), id="stdin-int"),
        pytest.param({"code": "print(1)", "stdin": ["a"]}, "body.stdin", ("valid string",), id="stdin-list"),
        pytest.param({"code": "print(1)", "limits": "x"}, "body.limits", ("object",), id="limits-string"),
        pytest.param({"code": "print(1)", "limits": [1]}, "body.limits", ("object",), id="limits-list"),
        pytest.param(
            {"code": "print(1)", "limits": {"memory_mb": -1}},
            "body.limits.memory_mb",
            ("greater than 0",),
            id="memory-negative",
        ),
        pytest.param(
            {"code": "print(1)", "limits": {"memory_mb": 0}},
            "body.limits.memory_mb",
            ("greater than 0",),
            id="memory-zero",
        ),
        pytest.param(
            {"code": "print(1)", "limits": {"memory_mb": 1.5}},
            "body.limits.memory_mb",
            ("integer",),
            id="memory-fraction",
        ),
        pytest.param(
            {"code": "print(1)", "limits": {"memory_mb": "512"}},
            "body.limits.memory_mb",
            ("integer",),
            id="memory-string",
        ),
        pytest.param(
            {"code": "print(1)", "limits": {"wall_time_s": "1"}},
            "body.limits.wall_time_s",
            ("number",),
            id="wall-time-string",
        ),
        pytest.param(
            {"code": "print(1)", "limits": {"cpu_time_s": -0.5}},
            "body.limits.cpu_time_s",
            ("greater than 0",),
            id="cpu-time-negative",
        ),
        pytest.param(
            {"code": "print(1)", "limits": {"output_bytes": 0}},
            "body.limits.output_bytes",
            ("greater than 0",),
            id="output-zero",
        ),
        pytest.param(
            {"code": "print(1)", "langauge": "python"}, "body.langauge", ("not known",), id="unknown-field"
        ),
        pytest.param(
            {"code": "print(1)", "limits": {"disk_mb": 1}},
            "body.limits.disk_mb",
            ("not known",),
            id="unknown-limit",
        ),
    ],
)
def test_a_wrong_type_or_value_is_refused_naming_the_field(
    target: Watched, payload: dict[str, Any], field: str, words: tuple[str, ...]
) -> None:
    answer = refused(target.client.post(EXECUTE, json=payload), 422, "request is invalid", field, *words)
    assert field_errors(answer) == [field]
    target.assert_unharmed()


@pytest.mark.parametrize(
    ("limits", "words"),
    [
        pytest.param(b'{"wall_time_s": 1e309}', ("wall_time_s", "at most 120"), id="wall-time-1e309"),
        pytest.param(b'{"wall_time_s": 1e300}', ("wall_time_s", "at most 120"), id="wall-time-1e300"),
        pytest.param(b'{"wall_time_s": Infinity}', ("wall_time_s",), id="wall-time-infinity"),
        pytest.param(b'{"wall_time_s": NaN}', ("wall_time_s",), id="wall-time-nan"),
        pytest.param(b'{"cpu_time_s": -Infinity}', ("cpu_time_s",), id="cpu-time-minus-infinity"),
        pytest.param(
            b'{"memory_mb": 100000000000000000000000000000}', ("memory_mb", "at most 2048"), id="memory-huge"
        ),
        pytest.param(b'{"output_bytes": 1e400}', ("output_bytes",), id="output-1e400"),
    ],
)
def test_a_limit_beyond_any_range_is_refused(target: Watched, limits: bytes, words: tuple[str, ...]) -> None:
    response = target.post_raw(b'{"code": "print(1)", "limits": ' + limits + b"}")
    refused(response, 422, *words)
    target.assert_unharmed()


def test_a_boolean_memory_limit_is_refused(start_watched: Callable[..., Watched]) -> None:
    # Its own server: were `true` taken for 1 MiB, the run would break sandbox slots of a shared one.
    target = start_watched()
    response = target.client.post(EXECUTE, json={"code": "print(1)", "limits": {"memory_mb": True}})
    answer = refused(response, 422, "body.limits.memory_mb", "integer")
    assert field_errors(answer) == ["body.limits.memory_mb"]
    time.sleep(1)  # a slot that cannot respawn logs it shortly after the run
    target.assert_unharmed(runs=4)


def test_the_smallest_memory_limit_does_not_break_the_sandbox(start_watched: Callable[..., Watched]) -> None:
    """`memory_mb: 1` is either refused or ends the run at the memory limit; either way the
    sandbox slots it ran in must serve the next runs without failing to start their children."""
    target = start_watched()
    for _ in range(6):  # more runs than the server has sandbox slots
        response = target.client.post(EXECUTE, json={"code": "print(1)", "limits": {"memory_mb": 1}})
        if response.status_code == 422:
            refused(response, 422, "memory_mb")
        else:
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "memory_limit"
    time.sleep(1)
    target.assert_unharmed(runs=4)


# --- Sizes ------------------------------------------------------------------------------------


def _code_body(total_bytes: int) -> bytes:
    """A valid execute body of exactly `total_bytes` bytes: a long comment as the code."""
    frame = b'{"code": "#"}'
    return frame[:-2] + b"#" * (total_bytes - len(frame)) + frame[-2:]


def test_a_body_over_the_limit_with_content_length_is_refused(target: Watched) -> None:
    body = _code_body(RUN_BODY_BYTES + 1)
    response = target.post_raw(body)
    refused(response, 413, f"larger than {RUN_BODY_BYTES} bytes")
    target.assert_unharmed()


def test_a_chunked_body_over_the_limit_is_refused(target: Watched) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"code": "'
        for _ in range(RUN_BODY_BYTES // 4096 + 2):
            yield b"#" * 4096
        yield b'"}'

    request = target.client.build_request("POST", EXECUTE, content=chunks(), headers=JSON_TYPE)
    assert request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in request.headers
    response = target.client.send(request)
    refused(response, 413, f"larger than {RUN_BODY_BYTES} bytes")
    target.assert_unharmed()


def test_a_body_of_exactly_the_limit_is_read_and_judged(target: Watched) -> None:
    response = target.post_raw(_code_body(RUN_BODY_BYTES))
    answer = refused(response, 422, "code policy")
    assert [v["rule"] for v in answer["violations"]] == ["code-too-long"]
    target.assert_unharmed()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"code": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", id="arrays"),
        pytest.param(b'{"code": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}", id="objects"),
        pytest.param(
            b'{"code": "print(1)", "limits": {"memory_mb": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
            id="arrays-in-limits",
        ),
    ],
)
def test_deeply_nested_json_is_refused(target: Watched, body: bytes) -> None:
    assert len(body) < MAX_REQUEST_BYTES
    refused(target.post_raw(body), 400, "JSON", "nested")
    target.assert_unharmed()


def _runtime(watched: Watched) -> dict[str, Any]:
    runtime: dict[str, Any] = watched.client.get("/api/v1/runtime").json()
    return runtime


def test_code_over_the_length_limit_is_refused_by_the_policy(target: Watched) -> None:
    maximum: int = _runtime(target)["policy"]["max_code_length"]
    response = target.client.post(EXECUTE, json={"code": "#" * (maximum + 1)})
    answer = refused(response, 422, "not run", "code policy")
    (violation,) = answer["violations"]
    assert violation["rule"] == "code-too-long"
    assert (violation["line"], violation["col"]) == (1, maximum + 1)
    assert f"{maximum + 1:,} characters" in violation["message"]
    assert f"limit is {maximum:,}" in violation["message"]
    at_limit = target.client.post(EXECUTE, json={"code": "#" * (maximum - 9) + "\nprint(1)"})
    assert at_limit.status_code == 200, at_limit.text
    target.assert_unharmed()


def test_code_over_the_line_limit_is_refused_by_the_policy(target: Watched) -> None:
    maximum: int = _runtime(target)["policy"]["max_code_lines"]
    response = target.client.post(EXECUTE, json={"code": "x = 1\n" * (maximum + 1)})
    answer = refused(response, 422, "not run", "code policy")
    (violation,) = answer["violations"]
    assert violation["rule"] == "too-many-lines"
    assert violation["line"] == maximum + 1
    assert f"{maximum + 1:,} lines" in violation["message"]
    at_limit = target.client.post(EXECUTE, json={"code": "x = 1\n" * (maximum - 1) + "print(x)"})
    assert at_limit.status_code == 200, at_limit.text
    target.assert_unharmed()


@pytest.mark.parametrize("path", [EXECUTE, SUBMIT], ids=["execute", "submit"])
def test_stdin_over_the_limit_is_refused(start_watched: Callable[..., Watched], path: str) -> None:
    target = start_watched(MAX_STDIN_LENGTH="100")
    code = "print(len(input()))"
    owner = new_owner()
    response = target.client.post(path, json={"code": code, "stdin": "x" * 101}, headers=owner)
    refused(response, 422, "stdin", "101 characters", "at most 100")
    # Counted in characters: 100 of them in 200 UTF-8 bytes are allowed.
    at_limit = target.client.post(path, json={"code": code, "stdin": "é" * 100}, headers=owner)
    assert at_limit.status_code == 200, at_limit.text
    assert at_limit.json()["stdout"] == "100\n"
    listed = target.client.get(SUBMISSIONS, headers=owner).json()["items"]
    assert len(listed) == (1 if path == SUBMIT else 0)  # the refused submission was not saved
    target.assert_unharmed()


# --- Query strings and paths ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "words"),
    [
        pytest.param(
            {"limit": "abc"}, ("query.limit", "limit must be an integer, got 'abc'"), id="limit-abc"
        ),
        pytest.param({"limit": "1.5"}, ("query.limit", "integer"), id="limit-fraction"),
        pytest.param({"limit": "0"}, ("query.limit", "limit must be at least 1, got 0"), id="limit-0"),
        pytest.param(
            {"limit": "-5"}, ("query.limit", "limit must be at least 1, got -5"), id="limit-negative"
        ),
        pytest.param(
            {"limit": "1000"}, ("query.limit", "limit must be at most 100, got 1000"), id="limit-1000"
        ),
        pytest.param({"limit": "9" * 40}, ("query.limit", "limit must be at most 100"), id="limit-huge"),
        pytest.param({"cursor": "!!!not-a-cursor"}, ("cursor", "next_cursor"), id="cursor-garbage"),
        pytest.param({"cursor": "x12"}, ("cursor", "next_cursor"), id="cursor-wrong-prefix"),
        pytest.param({"cursor": "-1"}, ("cursor", "next_cursor"), id="cursor-negative"),
        pytest.param({"cursor": "0"}, ("cursor", "next_cursor"), id="cursor-zero"),
        pytest.param({"cursor": "012"}, ("cursor", "next_cursor"), id="cursor-leading-zero"),
        pytest.param({"cursor": "12\n"}, ("cursor", "next_cursor"), id="cursor-newline"),
        pytest.param({"cursor": "\x00"}, ("cursor", "next_cursor"), id="cursor-nul"),
        pytest.param({"cursor": str(2**63)}, ("cursor", "next_cursor"), id="cursor-past-int64"),
        pytest.param({"cursor": "9" * 40}, ("cursor", "next_cursor"), id="cursor-huge-number"),
        pytest.param({"cursor": "a" * 100}, ("query.cursor", "at most 64"), id="cursor-too-long"),
    ],
)
def test_bad_query_parameters_are_refused(
    target: Watched, params: dict[str, str], words: tuple[str, ...]
) -> None:
    refused(target.client.get(SUBMISSIONS, params=params), 422, *words)
    target.assert_unharmed()


def test_an_overlong_submission_id_is_refused(target: Watched) -> None:
    response = target.client.get(f"{SUBMISSIONS}/{'a' * 1_000}")
    refused(response, 422, "submission_id", "at most 64")
    target.assert_unharmed()


def test_a_10kb_url_is_refused_before_routing(target: Watched) -> None:
    # Past HTTP_MAX_REQUEST_LINE (8 KiB) the request line itself is refused (api/http_protocol.py).
    response = target.client.get(f"{SUBMISSIONS}/{'a' * 10_000}")
    refused(response, 414, "request line", "too long")
    target.assert_unharmed()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        pytest.param("no-such-id", "no-such-id", id="plain"),
        pytest.param("%00", "\\x00", id="nul"),
        pytest.param("abc%00def", "abc\\x00def", id="nul-inside"),
        pytest.param("caf%C3%A9", "café", id="unicode"),
        pytest.param("%F0%9F%98%80", "\U0001f600", id="emoji"),
        pytest.param("%FF", "\ufffd", id="invalid-utf8-escape"),
        pytest.param("%27%3B%20DROP%20TABLE%20submissions%3B--", "DROP TABLE", id="sql"),
    ],
)
def test_an_unknown_submission_id_is_not_found(target: Watched, raw: str, shown: str) -> None:
    response = target.client.get(f"{SUBMISSIONS}/{raw}")
    refused(response, 404, "no submission", shown)
    target.assert_unharmed()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/api/v1/nope", id="get-unknown"),
        pytest.param("POST", "/api/v2/code/execute", id="post-other-version"),
        pytest.param("GET", f"{SUBMISSIONS}/a/b", id="get-below-submission"),
        pytest.param("POST", "/execute", id="post-without-prefix"),
        pytest.param("GET", "/api/v1/code/..%2F..%2Fetc%2Fpasswd", id="traversal"),
    ],
)
def test_an_unknown_route_is_a_json_404(target: Watched, method: str, path: str) -> None:
    refused(target.client.request(method, path), 404, "nothing at", "/docs")
    target.assert_unharmed()


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        pytest.param("GET", EXECUTE, "POST", id="get-execute"),
        pytest.param("PUT", SUBMIT, "POST", id="put-submit"),
        pytest.param("PUT", f"{SUBMISSIONS}/x", "GET, DELETE", id="put-submission"),
        pytest.param("PUT", SUBMISSIONS, "POST", id="put-submissions"),
        pytest.param("POST", "/health", "GET", id="post-health"),
    ],
)
def test_a_wrong_method_is_a_json_405_with_allow(
    target: Watched, method: str, path: str, allowed: str
) -> None:
    response = target.client.request(method, path, json={"code": "print(1)"})
    refused(response, 405, "is not allowed on", allowed)
    assert allowed in response.headers["allow"]
    target.assert_unharmed()


def test_a_burst_of_every_kind_leaves_the_server_serving(target: Watched) -> None:
    """All kinds of refusal back to back on one connection, then normal work."""
    bodies = [
        b'{"code": "print(1)"',
        b'{"code": "\xff"}',
        b"[]",
        b'{"code": 1}',
        b'{"code": "print(1)", "stdin": "\\u0000"}',
        b'{"code": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        _code_body(RUN_BODY_BYTES + 1),
    ]
    for _ in range(3):
        for body in bodies:
            status = target.post_raw(body).status_code
            assert 400 <= status < 500, (status, body[:40])
    saved = target.client.post(SUBMIT, json={"code": "import json\nprint(json.dumps([1, 2]))"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["saved"] is True
    fetched = target.client.get(f"{SUBMISSIONS}/{saved.json()['id']}")
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["stdout"] == "[1, 2]\n"
    target.assert_unharmed(runs=3)
