"""The template's messages are checked field by field on the host (sandbox/template_events.py)."""

from __future__ import annotations

import json

import pytest

from execbox.sandbox.template_events import MalformedEvent, decode_event


def _message(**fields: object) -> bytes:
    return json.dumps(fields).encode()


HELLO = {"type": "hello", "python": "3.11.2", "prefix": "/venv", "base_prefix": "/usr"}


def test_each_event_of_the_protocol_is_decoded_as_itself() -> None:
    hello = decode_event(_message(**HELLO, packages={"numpy": "2.3.0"}, loaded_packages=["numpy"]))
    assert hello == {**HELLO, "packages": {"numpy": "2.3.0"}, "loaded_packages": ["numpy"]}
    assert decode_event(_message(type="prepared", error="")) == {"type": "prepared", "error": ""}
    assert decode_event(_message(type="spawned", child_id=3, pid=41)) == {
        "type": "spawned",
        "child_id": 3,
        "pid": 41,
    }
    assert decode_event(_message(type="stopped", child_id=3, signal=19))["type"] == "stopped"
    assert decode_event(_message(type="exited", child_id=3, wait_status=0))["type"] == "exited"


def test_fields_beyond_the_protocol_are_dropped() -> None:
    assert decode_event(_message(type="spawned", child_id=1, pid=2, extra="x")) == {
        "type": "spawned",
        "child_id": 1,
        "pid": 2,
    }


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(b"not json", "not a protocol message", id="not-json"),
        pytest.param(b"[1, 2]", "not a protocol message", id="not-an-object"),
        pytest.param(_message(type="forked", child_id=1), "unknown event type 'forked'", id="unknown-type"),
        pytest.param(_message(child_id=1, pid=2), "unknown event type None", id="no-type"),
        pytest.param(_message(type="spawned", child_id=1), "pid must be an integer", id="missing-field"),
        pytest.param(_message(type="spawned", child_id="1", pid=2), "child_id must be an integer", id="text"),
        pytest.param(_message(type="exited", child_id=1, wait_status=True), "wait_status", id="bool"),
        pytest.param(_message(type="stopped", child_id=1, signal=9.0), "signal", id="float"),
        pytest.param(_message(type="prepared", error=None), "error must be a string", id="null-text"),
        pytest.param(
            _message(**HELLO, packages={"a": 1}, loaded_packages=[]), "packages", id="package-version-number"
        ),
        pytest.param(
            _message(**HELLO, packages={}, loaded_packages=[1]), "loaded_packages", id="loaded-package-number"
        ),
    ],
)
def test_anything_else_is_refused_saying_what_is_wrong(data: bytes, words: str) -> None:
    with pytest.raises(MalformedEvent, match=words):
        decode_event(data)
