"""The messages between the API and the workers survive the trip through JSON."""

from __future__ import annotations

import json

import pytest

from execbox.queue import protocol
from execbox.sandbox.guest.input_files import InputFile
from execbox.sandbox.limits import RunLimits
from execbox.sandbox.result import RunStatus
from execbox.schemas.execution import ErrorOut, ExecutionResult, RichResultOut, TruncatedOut
from execbox.services.live_session import InputWanted, Queued, Started
from execbox.services.runners.base import Job, RuntimeVersions


@pytest.mark.parametrize("reply", list(protocol.Reply))
def test_a_job_arrives_as_it_was_sent(reply: protocol.Reply) -> None:
    limits = RunLimits(wall_time_s=2.5, memory_mb=64)
    job = Job(id="abc_-1", code="print('é')\n", stdin="a\nb", limits=limits, client="10.0.0.1", wait=True)
    message = json.loads(json.dumps(protocol.encode_job(job, reply)))  # what Celery carries
    assert protocol.decode_job(message) == (job, reply)


def test_input_files_arrive_with_their_job_byte_for_byte() -> None:
    files = (InputFile("data.csv", bytes(range(256))), InputFile("data/é.bin", b""))
    job = Job(id="f", code="print(1)", stdin="", limits=RunLimits(), files=files)
    message = json.loads(json.dumps(protocol.encode_job(job, protocol.Reply.LIST)))
    assert protocol.decode_job(message) == (job, protocol.Reply.LIST)


def test_a_result_arrives_as_it_was_sent() -> None:
    result = ExecutionResult(
        status=RunStatus.RUNTIME_ERROR,
        exit_code=1,
        signal=None,
        stdout="a\x00b",
        stderr="Traceback…",
        truncated=TruncatedOut(stdout=False, stderr=True),
        error=ErrorOut(type="KeyError", message="'x'", line=3),
        wall_ms=1.5,
        cpu_ms=1.25,
        memory_kb=2048,
        results=[RichResultOut(mime="text/html", data="<table>\x00</table>")],
    )
    assert protocol.decode_result(protocol.encode_result(result).encode()) == result
    assert protocol.decode_event(protocol.encode_final(result)) == result


def test_live_events_keep_stream_and_text_and_waiting_and_places_in_line() -> None:
    for stream in ("stdout", "stderr"):
        assert protocol.decode_event(protocol.encode_event((stream, "é\x00\n"))) == (stream, "é\x00\n")
    for waiting in (True, False):
        assert protocol.decode_event(protocol.encode_event(InputWanted(waiting))) == InputWanted(waiting)
    for event in (Queued(3, "server_full"), Queued(0, "client_share"), Started()):
        assert protocol.decode_event(protocol.encode_event(event)) == event


def test_versions_and_keys() -> None:
    versions = RuntimeVersions(python="3.11.7", packages={"numpy": "2.4.6"})
    assert protocol.decode_versions(protocol.encode_versions(versions)) == versions
    keys = {
        protocol.reply_key("x"),
        protocol.redeliveries_key("x"),
        protocol.output_key("x"),
        protocol.input_key("x"),
    }
    assert len(keys) == 4
