"""A throwaway Redis server on a free loopback port, nothing saved to disk."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from tests.support.ports import free_port
from tests.support.required import program

# Loopback only, and nothing written to disk.
_OPTIONS = ("--bind", "127.0.0.1", "--save", "", "--appendonly", "no")


class RedisServer:
    def __init__(self, executable: str, port: int) -> None:
        self.executable = executable
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.executable, *_OPTIONS, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the test Redis server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(15)
            self.process = None


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(program("redis-server", how="apt-get install redis-server"), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
