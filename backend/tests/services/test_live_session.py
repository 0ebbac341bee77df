"""LiveSession turns the engine's bytes into text without splitting characters; Outbox merges
output while its consumer is busy."""

from __future__ import annotations

import asyncio

from execbox.sandbox.live import OutputStream
from execbox.services.live_session import InputWanted, LiveEvent, LiveSession, Outbox


def _session() -> tuple[LiveSession, list[tuple[OutputStream, str]]]:
    received: list[tuple[OutputStream, str]] = []
    return LiveSession(lambda stream, text: received.append((stream, text))), received


def test_a_character_split_between_reads_is_passed_on_whole() -> None:
    session, received = _session()
    for byte in "é€😀".encode():
        session.io.on_output("stdout", bytes([byte]))
    assert [text for _, text in received] == ["é", "€", "😀"]


def test_bytes_that_are_not_utf8_become_replacement_characters() -> None:
    session, received = _session()
    session.io.on_output("stdout", b"a\xffb")
    session.io.on_output("stderr", b"\xe2\x82")  # an unfinished character...
    session.flush()  # ...at the end of the run
    assert received == [("stdout", "a\ufffdb"), ("stderr", "\ufffd")]


def test_only_stderr_is_cleaned_of_host_paths() -> None:
    session, received = _session()
    session.clean_stderr = lambda text: text.replace("/host/site-packages", "<site-packages>")
    session.io.on_output("stdout", b"/host/site-packages\n")
    session.io.on_output("stderr", b"/host/site-packages\n")
    assert received == [("stdout", "/host/site-packages\n"), ("stderr", "<site-packages>\n")]


def test_stdin_and_stop_reach_the_engine_side() -> None:
    async def scenario() -> None:
        session, _ = _session()
        session.send_stdin("héllo\n")
        session.close_stdin()
        assert session.stdin_chars == 6
        assert await session.io.next_stdin() == "héllo\n".encode()
        assert await session.io.next_stdin() is None
        assert not session.io.stopped.is_set()
        session.stop()
        assert session.io.stopped.is_set()

    asyncio.run(scenario())


def test_the_outbox_merges_what_waits_and_keeps_the_order_of_streams() -> None:
    async def scenario() -> list[list[LiveEvent]]:
        outbox = Outbox()
        for stream, text in [("stdout", "a"), ("stdout", "b"), ("stderr", "E"), ("stdout", "c")]:
            outbox.put(stream, text)  # type: ignore[arg-type]
        batches = []
        consumer = outbox.batches()
        batches.append(await anext(consumer))
        outbox.put("stdout", "d")
        outbox.put("stdout", "e")
        outbox.close()
        batches.extend([batch async for batch in consumer])
        return batches

    assert asyncio.run(scenario()) == [
        [("stdout", "ab"), ("stderr", "E"), ("stdout", "c")],
        [("stdout", "de")],
    ]


def test_input_wanted_changes_keep_their_place_among_the_output_and_only_the_last_counts() -> None:
    async def scenario() -> list[list[LiveEvent]]:
        outbox = Outbox()
        outbox.put("stdout", "name? ")
        outbox.put_waiting(True)
        outbox.put("stdout", "Ada\n")
        outbox.put_waiting(True)
        outbox.put_waiting(False)
        outbox.put("stdout", "bye")
        outbox.close()
        return [batch async for batch in outbox.batches()]

    assert asyncio.run(scenario()) == [
        [("stdout", "name? "), InputWanted(True), ("stdout", "Ada\n"), InputWanted(False), ("stdout", "bye")]
    ]


def test_a_closed_empty_outbox_ends_its_consumer() -> None:
    async def scenario() -> list[list[LiveEvent]]:
        outbox = Outbox()
        outbox.close()
        return [batch async for batch in outbox.batches()]

    assert asyncio.run(scenario()) == []
