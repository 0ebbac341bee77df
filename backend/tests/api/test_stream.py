"""The live stream against a real server: output as it is printed, stdin while it runs, Stop,
and the same refusals as the HTTP API (docs/streaming.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import StartApi
from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.stream_client import (
    ASKS_FOR_A_NAME,
    TICKER,
    StreamClient,
    expect_a_stopped_run,
    expect_a_timeout_while_waiting,
    expect_to_be_told_about_waiting,
)


@pytest.fixture(scope="module")
def server(make_database: MakeDatabase) -> Iterator[ApiServer]:
    server = ApiServer({"DATABASE_URL": make_database("sqlite")}).start()
    yield server
    server.close()


@pytest.fixture
def streams(server: ApiServer) -> Iterator[StreamClient]:
    with StreamClient(server.url) as client:
        yield client


def test_output_arrives_while_the_program_runs(streams: StreamClient) -> None:
    live = streams.start(code=TICKER)
    assert live.next()["type"] == "started"
    result = live.finish()
    ticks = live.output_times()
    assert result["status"] == "success"
    assert live.output() == result["stdout"] == "".join(f"tick {i}\n" for i in range(8))
    # One message per line, each about 100 ms after the one before: progressive, not batched.
    assert len(ticks) >= 6
    assert ticks[0] < 0.5
    assert ticks[-1] - ticks[0] > 0.5
    assert live.close_code() == 1000


def test_input_lines_reach_a_program_waiting_for_them(streams: StreamClient) -> None:
    code = "name = input('name? ')\nage = input('age? ')\nprint(f'{name} is {age}')\n"
    live = streams.start(code=code)
    live.until("output")
    assert live.output() == "name? "  # the prompt comes before any input exists
    live.send({"type": "stdin", "data": "Ada\n"})
    while not live.output().endswith("age? "):
        live.next()
    live.send({"type": "stdin", "data": "36\n"})
    result = live.finish()
    assert result["status"] == "success"
    assert result["stdout"] == "name? age? Ada is 36\n"


def test_the_client_is_told_when_the_program_waits_for_input(streams: StreamClient) -> None:
    expect_to_be_told_about_waiting(streams.start(code=ASKS_FOR_A_NAME))
    expect_a_timeout_while_waiting(streams.start(code=ASKS_FOR_A_NAME, limits={"wall_time_s": 1}))


def test_initial_stdin_comes_first_and_closing_stdin_ends_input(streams: StreamClient) -> None:
    code = "print(input(), input())\ntry:\n    input()\nexcept EOFError:\n    print('end of input')\n"
    live = streams.start(code=code, stdin="first\n")
    live.until("started")
    live.send({"type": "stdin", "data": "second\n"})
    live.send({"type": "close_stdin"})
    result = live.finish()
    assert result["stdout"] == "first second\nend of input\n"


def test_stop_ends_a_run_within_200_ms(streams: StreamClient) -> None:
    live = streams.start(code="print('spinning', flush=True)\nwhile True:\n    pass\n")
    result, took = live.stop_after_first_output()
    print(f"stop took {took * 1000:.1f} ms")
    assert result["status"] == "stopped"
    assert result["stdout"] == "spinning\n"
    assert took < 0.2


def test_a_client_that_goes_away_stops_its_run(server: ApiServer, streams: StreamClient) -> None:
    with expect_a_stopped_run(server.client):
        live = streams.start(code="while True:\n    pass\n")
        live.until("started")
        live.connection.close()


def test_output_before_a_timeout_is_not_lost(streams: StreamClient) -> None:
    code = "print('before the loop')\nwhile True:\n    pass\n"
    live = streams.start(code=code, limits={"wall_time_s": 1})
    result = live.finish()
    assert result["status"] == "timeout"
    assert live.output() == result["stdout"] == "before the loop\n"


def test_output_limit_caps_the_stream_too(streams: StreamClient) -> None:
    live = streams.start(code="while True:\n    print('x' * 99)\n", limits={"output_bytes": 5000})
    result = live.finish()
    assert result["status"] == "output_limit"
    assert result["truncated"]["stdout"] is True
    assert live.output() == result["stdout"]
    assert len(live.output()) == 5000


def test_a_character_is_never_split_between_messages(streams: StreamClient) -> None:
    live = streams.start(code="for _ in range(50):\n    print('é€😀' * 2000)\n")
    result = live.finish()
    assert "\ufffd" not in live.output()
    assert live.output() == result["stdout"] == ("é€😀" * 2000 + "\n") * 50


def test_results_come_with_the_final_message(streams: StreamClient) -> None:
    live = streams.start(code="x = 6 * 7\nx\n")
    result = live.finish()
    assert result["results"] == [{"mime": "text/plain", "data": "42"}]
    assert result["stdout"] == ""


def test_a_policy_refusal_is_an_error_message_and_close_code(streams: StreamClient) -> None:
    live = streams.start(code="import os\n")
    error = live.finish()
    assert error["status"] == 422
    assert error["violations"][0]["rule"] == "import-not-allowed"
    assert live.close_code() == 4422


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("not json", "run message is invalid"),
        ('{"type": "run"}', "code: This field is required"),
        ('{"type": "run", "code": "print(1)", "colour": "red"}', "colour: This field is not known"),
        ('{"type": "stdin", "data": "x"}', "run message is invalid"),
        ('{"type": "run", "code": "print(1)", "limits": {"wall_time_s": 1e9}}', "wall_time_s may be at most"),
        ('{"type": "run", "code": "print(1)", "stdin": "a\\u0000b"}', "NUL"),
        ('{"type": "run", "code": "print(1)", "' + "é" * 100 + '": 1}', "This field is not known"),
    ],
)
def test_a_bad_first_message_is_refused_with_a_reason(
    streams: StreamClient, first: str, expected: str
) -> None:
    live = streams.connect()
    live.connection.send(first)
    error = live.finish()
    assert error["type"] == "error"
    assert error["status"] == 422
    assert expected in error["detail"]
    assert live.close_code() == 4422


def test_a_binary_frame_is_refused(streams: StreamClient) -> None:
    live = streams.connect()
    live.connection.send(b'{"type": "run", "code": "print(1)"}')
    error = live.finish()
    assert error["status"] == 422
    assert "JSON text frames" in error["detail"]


def test_a_message_over_the_size_limit_closes_the_socket_and_the_server_goes_on(
    server: ApiServer, streams: StreamClient
) -> None:
    live = streams.connect()
    # Over MAX_REQUEST_BYTES (1 MiB) and the 10 MiB of input files in base64 a run may carry.
    live.send({"type": "run", "code": "x" * (16 << 20)})
    assert live.close_code() == 1009  # "message too big"
    assert streams.start(code="print('still here')").finish()["stdout"] == "still here\n"
    assert server.client.get("/health").status_code == 200


def test_a_broken_control_message_stops_the_run(streams: StreamClient) -> None:
    live = streams.start(code="while True:\n    pass\n")
    live.until("started")
    live.send({"type": "bogus"})
    error = live.finish()
    assert error["status"] == 422
    assert "not one this stream understands" in error["detail"]
    assert live.close_code() == 4422


def test_stdin_sent_live_counts_against_the_stdin_limit(start_api: StartApi) -> None:
    server = start_api(MAX_STDIN_LENGTH="10")
    with StreamClient(server.url) as streams:
        live = streams.start(code="while True:\n    pass\n", stdin="12345")
        live.until("started")
        live.send({"type": "stdin", "data": "67890!"})
        error = live.finish()
    assert error["status"] == 422
    assert "stdin is over 10 characters" in error["detail"]


def test_the_rate_limit_applies_to_streams(start_api: StartApi) -> None:
    server = start_api(RATE_LIMIT_ENABLED="true", RATE_LIMIT="2/minute")
    with StreamClient(server.url) as streams:
        for _ in range(2):
            assert streams.start(code="print(1)").finish()["status"] == "success"
        live = streams.start(code="print(1)")
        error = live.finish()
        assert error["status"] == 429
        assert error["retry_after_s"] > 0
        assert live.close_code() == 4429
