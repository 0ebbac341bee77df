"""A client of the live stream (`/api/v1/code/stream`) that records when each message came."""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.support.api_server import METRICS_AUTH

STREAM = "/api/v1/code/stream"
# Prints a line every 100 ms: its output must arrive spread over ~0.7 s, not at the end.
TICKER = "import time\nfor i in range(8):\n    print('tick', i)\n    time.sleep(0.1)\n"


@dataclass
class Received:
    message: dict[str, Any]
    at: float  # seconds since the run message was sent


@dataclass
class LiveRun:
    connection: ClientConnection
    started_at: float = field(default_factory=time.perf_counter)
    received: list[Received] = field(default_factory=list)

    def send(self, message: dict[str, Any]) -> None:
        self.connection.send(json.dumps(message))

    def next(self, timeout: float = 30) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.connection.recv(timeout))
        self.received.append(Received(message, time.perf_counter() - self.started_at))
        return message

    def until(self, kind: str, timeout: float = 30) -> dict[str, Any]:
        """Messages up to and including the first of type `kind`."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(deadline - time.monotonic())
            if message["type"] == kind:
                return message

    def finish(self, timeout: float = 30) -> dict[str, Any]:
        """The final message (result or error), after which the server closes."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(deadline - time.monotonic())
            if message["type"] in ("result", "error"):
                return message

    def stop_after_first_output(self) -> tuple[dict[str, Any], float]:
        """Waits for output, sends stop: the final message and the seconds it took to come."""
        self.until("output")
        asked = time.perf_counter()
        self.send({"type": "stop"})
        final = self.finish()
        return final, time.perf_counter() - asked

    def output_times(self) -> list[float]:
        return [r.at for r in self.received if r.message["type"] == "output"]

    def waiting_changes(self) -> list[bool]:
        """Each `waiting_for_input` message's `waiting`, in order."""
        return [r.message["waiting"] for r in self.received if r.message["type"] == "waiting_for_input"]

    def output(self, stream: str = "stdout") -> str:
        return "".join(
            r.message["data"]
            for r in self.received
            if r.message["type"] == "output" and r.message["stream"] == stream
        )

    def close_code(self, timeout: float = 10) -> int | None:
        """The code the server closed the socket with (waits for the close)."""
        try:
            while True:
                self.connection.recv(timeout)
        except ConnectionClosed:
            pass
        return self.connection.close_code


def _stopped_runs(api: httpx.Client) -> float:
    metrics = api.get("/metrics", headers=METRICS_AUTH).text
    found = re.search(r'^execbox_runs_total\{status="stopped"\} (\S+)$', metrics, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@contextlib.contextmanager
def expect_a_stopped_run(api: httpx.Client, timeout: float = 5) -> Iterator[None]:
    """The block must make the API count one more run ended by a stop (in its /metrics)."""
    before = _stopped_runs(api)
    yield
    deadline = time.monotonic() + timeout
    while _stopped_runs(api) == before:
        assert time.monotonic() < deadline, "the run was not stopped"
        time.sleep(0.05)


class StreamClient:
    """Opens live runs on one server; closes the connections still open when it closes."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url.replace("http://", "ws://", 1) + STREAM
        self._connections = contextlib.ExitStack()

    def connect(self) -> LiveRun:
        return LiveRun(self._connections.enter_context(connect(self.url, open_timeout=10, max_size=None)))

    def start(self, **run: Any) -> LiveRun:
        """A connection whose run message (`code`, `stdin`, `limits`) is sent."""
        live = self.connect()
        live.send({"type": "run", **run})
        live.started_at = time.perf_counter()
        return live

    def close(self) -> None:
        self._connections.close()

    def __enter__(self) -> StreamClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# Asks for a name, then takes its time: long enough that its leaving input() is seen too.
ASKS_FOR_A_NAME = "name = input('name? ')\nimport time\ntime.sleep(0.6)\nprint('hi', name)\n"


def expect_to_be_told_about_waiting(live: LiveRun) -> None:
    """The program's prompt, then word that it waits; after the input, word that it goes on."""
    assert live.until("waiting_for_input")["waiting"] is True
    assert live.output() == "name? "  # before the word: the order of the program's doing
    live.send({"type": "stdin", "data": "Ada\n"})
    result = live.finish()
    assert result["stdout"] == "name? hi Ada\n"
    assert live.waiting_changes() == [True, False]
    assert (result["waiting_for_input"], result["limit_hit"]) == (False, None)


def expect_a_timeout_while_waiting(live: LiveRun) -> None:
    result = live.finish()
    assert (result["status"], result["waiting_for_input"]) == ("timeout", True)
    assert result["limit_hit"] == {"name": "wall_time_s", "value": 1.0}
