"""The published API contract is what the server does: Schemathesis (every check) against a real
`execbox serve`, driven by the server's own /openapi.json.

`make test` runs it with a fixed seed and a short budget, so that a landing is not bounced by
luck; `make contract` runs it longer with a new seed each time (docs/development.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api_server import ApiServer

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("st")
SECONDS = int(os.environ.get("EXECBOX_CONTRACT_SECONDS", "60"))
# 60 s makes about 3,000 cases here: far fewer means the run did not really test the API.
MINIMUM_CASES = 500
SEED = os.environ.get("EXECBOX_CONTRACT_SEED", "1")  # "random": a new one, printed by Schemathesis


@pytest.fixture
def server() -> Iterator[ApiServer]:
    # A client here is one fuzzer sending thousands of requests: no rate limit or share applies.
    # Accounts are on, so that their endpoints are checked too.
    api = ApiServer({"ACCOUNTS_ENABLED": "true"}).start()
    try:
        yield api
    finally:
        api.close()


@pytest.mark.timeout(SECONDS + 240)
def test_the_server_keeps_the_contract_it_publishes(server: ApiServer, tmp_path: Path) -> None:
    seed = [] if SEED == "random" else ["--seed", SEED]
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(CONFIG),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "all",
            "--workers",
            "1",
            "--max-time",
            str(SECONDS),
            *seed,
            "--output-truncate",
            "true",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=SECONDS + 180,
        check=False,
    )
    summary = run.stdout[-20_000:]
    assert run.returncode == 0, f"Schemathesis found contract failures:\n{summary}\n{run.stderr[-3000:]}"
    generated = re.search(r"(\d+) generated, \1 passed", summary)
    assert generated is not None and int(generated[1]) >= MINIMUM_CASES, summary
