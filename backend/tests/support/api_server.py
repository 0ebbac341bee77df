"""The API as a real process (`execbox serve`), with the real sandbox and a real database."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.metrics import Metrics, parse_metrics
from tests.support.ports import free_port
from tests.support.processes import clean_environment, free_uid_range, release_uid_range

METRICS_TOKEN = "test-metrics-token"
METRICS_AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}  # as Prometheus scrapes /metrics


# Runs a test server keeps alive at once (tests/support/processes.py has room for their uids).
LIVE_RUNS = 64


class ApiServer:
    def __init__(self, settings: dict[str, str]) -> None:
        first_uid = free_uid_range()
        self._first_uid: int | None = first_uid
        self.settings = {
            "ENVIRONMENT": "local",
            "SECRET_KEY": "test-secret-key",
            "RATE_LIMIT_ENABLED": "false",
            # Tests send many runs at once from one address, account or key; the share has tests
            # of its own.
            "CLIENT_RUNS_ALIVE": "0",
            "USER_RUNS_ALIVE": "0",
            "KEY_RUNS_ALIVE": "0",
            "SANDBOX_LIVE_RUNS": str(LIVE_RUNS),
            "SANDBOX_WARM_CHILDREN": "2",
            "SANDBOX_FIRST_UID": str(first_uid),
            "METRICS_TOKEN": METRICS_TOKEN,
            **settings,
        }
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="execbox-api-"))
        self.log = self.workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def start(self) -> ApiServer:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "execbox.cli", "serve", "--port", str(self.port)],
                env={**clean_environment(), **self.settings},
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                if self._ready(self.client.get("/health")):
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"the API server did not start:\n{self.log_text()[-3000:]}")
            time.sleep(0.2)

    def _ready(self, health: httpx.Response) -> bool:
        if health.status_code == 200:
            return True
        # In queue mode the API runs no sandbox: it is up once its database is, with or without
        # workers (tests start those afterwards, or on purpose not at all).
        queue_mode = self.settings.get("EXECUTION_BACKEND") == "queue"
        return queue_mode and health.status_code == 503 and health.json().get("database") == "ready"

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

    def metrics(self) -> Metrics:
        """Its /metrics, parsed (counters as `<name>_total`)."""
        return parse_metrics(self.client.get("/metrics", headers=METRICS_AUTH).text)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def close(self) -> None:
        self.stop()
        self.client.close()
        if self._first_uid is not None:
            release_uid_range(self._first_uid)
            self._first_uid = None
