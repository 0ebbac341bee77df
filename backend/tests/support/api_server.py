"""The API as a real process (`execbox serve`), with the real sandbox and a real database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from execbox.sandbox.errors import SandboxUnavailable
from execbox.sandbox.uid_lease import UidLease
from tests.support.ports import free_port

# Sandbox uid ranges of API servers started by tests: clear of the engine tests' ranges
# (64000.., 64500.., 64600.., 64800..). Each server has 2 runs + 2 spares = 4 slots.
_FIRST_UIDS = range(64100, 64490, 10)
_SLOTS = 4


def _free_uid_range() -> int:
    """A range no running engine holds (another test session may be running beside this one)."""
    for first in _FIRST_UIDS:
        if first in _claimed:
            continue
        lease = UidLease(list(range(first, first + _SLOTS)))
        try:
            lease.acquire()
        except SandboxUnavailable:
            continue
        lease.release()
        _claimed.add(first)
        return first
    raise RuntimeError("no free sandbox uid range for another test API server")


_claimed: set[int] = set()

# Environment a test server starts from: no settings of the developer's own shell or `.env`.
_SETTING_PREFIXES = ("DATABASE_", "POSTGRES_", "REDIS_", "RATE_LIMIT", "SANDBOX_", "CODE_POLICY", "SQLITE_")


class ApiServer:
    def __init__(self, settings: dict[str, str]) -> None:
        first_uid = _free_uid_range()
        self.settings = {
            "ENVIRONMENT": "local",
            "SECRET_KEY": "test-secret-key",
            "RATE_LIMIT_ENABLED": "false",
            "SANDBOX_CONCURRENCY": "2",
            "SANDBOX_FIRST_UID": str(first_uid),
            **settings,
        }
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="execbox-api-"))
        self.log = self.workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def start(self) -> ApiServer:
        environment = {k: v for k, v in os.environ.items() if not k.startswith(_SETTING_PREFIXES)}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "execbox.cli", "serve", "--port", str(self.port)],
                env={**environment, **self.settings},
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                if self.client.get("/health").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the API server did not start:\n{self.log_text()[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def close(self) -> None:
        self.stop()
        self.client.close()
