"""Random and adversarial bytes on the report pipe: every run gets a clean, in-range verdict."""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from execbox.sandbox.guest.frames import HEADER, MAX_ERROR_MESSAGE, MAX_ERROR_TYPE, MAX_LINE, Kind
from execbox.sandbox.result import RunResult, RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness

pytestmark = IN_BOTH_TEMPLATES

_ENDINGS = {
    "the runner's own end": "",
    "a segfault": "import ctypes\nctypes.string_at(0)\n",
    "an exit": "os._exit(3)\n",
    "an exception": "raise KeyError('fuzz')\n",
    "closing its pipe": "os.close(4)\n",
}

_reports = st.builds(
    lambda code, line, name, message: struct.pack(">BIH", code, line, len(name)) + name + message,
    st.integers(0, 255),
    st.one_of(st.just(0), st.integers(1, 2**32 - 1)),
    st.binary(max_size=MAX_ERROR_TYPE + 8),
    st.binary(max_size=64),
)
_displays = st.builds(lambda mime, data: bytes([mime]) + data, st.integers(0, 5), st.binary(max_size=200))
_frames = st.builds(
    lambda kind, body, lie: HEADER.pack(len(body) if lie is None else lie, kind) + body,
    st.one_of(st.sampled_from(list(Kind)), st.integers(0, 255)),
    st.one_of(_reports, _displays, st.binary(max_size=300)),
    st.one_of(st.none(), st.integers(0, 2**32 - 1)),
)
_writings = st.one_of(st.binary(max_size=2000), st.lists(_frames, max_size=6).map(b"".join))


def _assert_clean(result: RunResult) -> None:
    assert isinstance(result.status, RunStatus)
    assert result.exit_code is None or 0 <= result.exit_code <= 255
    if result.error is not None:
        assert result.error.line is None or 1 <= result.error.line <= MAX_LINE
        assert len(result.error.type.encode()) <= MAX_ERROR_TYPE
        assert len(result.error.message.encode()) <= MAX_ERROR_MESSAGE
    if result.status is RunStatus.INTERNAL_ERROR:
        assert result.reason, result
    for item in result.results:
        assert item.data.encode()  # valid text all the way through, and never empty


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=_writings, ending=st.sampled_from(sorted(_ENDINGS)))
# Found by the fuzzer: a display frame of its MIME byte alone once became an empty result.
@example(written=b"\x00\x00\x00\x01\x03\x00", ending="a segfault")
def test_whatever_a_program_writes_the_verdict_is_clean(
    sandbox: SandboxHarness, written: bytes, ending: str
) -> None:
    code = f"import os\nos.write(4, {written!r})\n{_ENDINGS[ending]}"
    _assert_clean(sandbox.run(code, wall_time_s=5))


def test_the_engine_is_healthy_after_the_fuzzing(sandbox: SandboxHarness) -> None:
    sandbox.assert_healthy()
