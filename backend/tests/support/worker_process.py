"""A queue worker as a real process (`execbox worker`), with the real sandbox, the real Redis and
the real database; its /metrics parsed into a dict."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis

from execbox.queue.protocol import WORKER_KEY_PREFIX
from tests.support.metrics import Metrics, parse_metrics
from tests.support.ports import free_port
from tests.support.processes import clean_environment, free_uid_range, release_uid_range


def process_tree(root: int) -> set[int]:
    """`root` and all its live descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += children.get(pid, [])
    return tree


def alive(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class WorkerProcess:
    """`execbox worker --name NAME`: `settings` must hold REDIS_URL and DATABASE_URL."""

    def __init__(self, name: str, settings: dict[str, str]) -> None:
        self._first_uid: int | None = free_uid_range()
        self.name = name
        self.settings = {
            "ENVIRONMENT": "local",
            "SECRET_KEY": "test-secret-key",
            "EXECUTION_BACKEND": "queue",
            "SANDBOX_LIVE_RUNS": "2",
            "SANDBOX_WARM_CHILDREN": "2",
            "SANDBOX_FIRST_UID": str(self._first_uid),
            **settings,
        }
        self.metrics_port = free_port()
        self.metrics_url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        self.workdir = Path(tempfile.mkdtemp(prefix=f"execbox-worker-{name}-"))
        self.log = self.workdir / "worker.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.redis = redis.Redis.from_url(self.settings["REDIS_URL"], socket_timeout=5)
        self.http = httpx.Client(timeout=10)

    @property
    def pid(self) -> int:
        assert self.process is not None, f"worker {self.name} is not running"
        return self.process.pid

    def launch(self) -> WorkerProcess:
        """Start the process without waiting for it (see `wait_ready`)."""
        assert self.process is None, f"worker {self.name} is already running"
        # A heartbeat left by an earlier process of this name (killed) would pass for this one's.
        with contextlib.suppress(redis.RedisError):
            self.redis.delete(WORKER_KEY_PREFIX + self.name)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "execbox.cli",
                    "worker",
                    "--name",
                    self.name,
                    "--metrics-port",
                    str(self.metrics_port),
                    "--metrics-host",
                    "127.0.0.1",
                ],
                env={**clean_environment(), **self.settings},
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_ready(self, timeout: float = 90) -> WorkerProcess:
        """Until its /metrics answers and its heartbeat is in Redis (the worker starts beating
        once Celery consumes the queue)."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                code = self.process.poll()
                self.stop()
                raise RuntimeError(
                    f"worker {self.name} did not start (exit code {code}):\n{self.log_text()[-4000:]}"
                )
            time.sleep(0.2)
        return self

    def start(self, timeout: float = 90) -> WorkerProcess:
        return self.launch().wait_ready(timeout)

    def ready(self) -> bool:
        try:
            return self.http.get(self.metrics_url).status_code == 200 and self.heartbeat() is not None
        except (httpx.TransportError, redis.RedisError):
            return False

    def heartbeat(self) -> dict[str, int] | None:
        """What this worker last told the API ({"busy", "concurrency"}), None when nothing."""
        payload = self.redis.get(WORKER_KEY_PREFIX + self.name)
        if payload is None:
            return None
        beat: dict[str, int] = json.loads(payload)
        return beat

    def metrics(self) -> Metrics:
        response = self.http.get(self.metrics_url)
        response.raise_for_status()
        return parse_metrics(response.text)

    def metrics_text(self) -> str:
        response = self.http.get(self.metrics_url)
        response.raise_for_status()
        return response.text

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> None:
        """SIGTERM (Celery's warm shutdown: running runs finish first); does not wait."""
        os.kill(self.pid, signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        """Wait for the process to exit; its exit code."""
        assert self.process is not None
        code = self.process.wait(timeout)
        self.process = None
        return code

    def stop(self, timeout: float = 60) -> int | None:
        """SIGTERM and wait (SIGKILL after `timeout`); its exit code, None when not running."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.wait(30)
            return None

    def kill(self) -> set[int]:
        """SIGKILL the worker and reap it; the pids its process tree had (sandbox template and
        children) just before, for the caller to check that they die too."""
        tree = process_tree(self.pid) - {self.pid}
        assert self.process is not None
        self.process.kill()
        self.wait(30)
        return tree

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def close(self) -> None:
        self.stop()
        self.http.close()
        self.redis.close()
        if self._first_uid is not None:
            release_uid_range(self._first_uid)
            self._first_uid = None
