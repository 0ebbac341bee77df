"""A throwaway PostgreSQL cluster in a temporary directory, on a free loopback port."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port
from tests.support.required import missing

_HOW = "apt-get install postgresql"


def _binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        missing("PostgreSQL", _HOW)
    return found[-1].parent


def _as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: use the account Debian's package creates.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    def __init__(self, directory: Path, port: int, process: subprocess.Popen[bytes], bin_dir: Path) -> None:
        self.directory = directory
        self.port = port
        self.process = process
        self.bin_dir = bin_dir

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        subprocess.run(
            [self.bin_dir / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
            check=True,
            capture_output=True,
        )
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _binaries()
    directory = Path(tempfile.mkdtemp(prefix="execbox-pg-"))
    data = directory / "data"
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    port = free_port()
    settings = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    process = subprocess.Popen(
        _as_server_user(
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(directory),
                "-c",
                "listen_addresses=127.0.0.1",
                *settings,
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while (
            subprocess.run(
                [bin_dir / "pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True
            ).returncode
            != 0
        ):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the test PostgreSQL server did not start")
            time.sleep(0.1)
        yield PostgresServer(directory, port, process, bin_dir)
    finally:
        process.terminate()
        process.wait(30)
        shutil.rmtree(directory, ignore_errors=True)
