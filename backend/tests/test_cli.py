"""`execbox run FILE` as a person would use it."""

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.processes import uid_range

EXECBOX = Path(sys.executable).parent / "execbox"


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return _execbox("run", *args, stdin=stdin)


def test_runs_a_file_and_mirrors_its_output_and_exit_code(tmp_path: Path) -> None:
    program = tmp_path / "main.py"
    program.write_text("import sys\nprint('out', input())\nprint('err', file=sys.stderr)\nsys.exit(3)\n")
    data = tmp_path / "in.txt"
    data.write_text("hello\n")
    completed = _run(str(program), "--stdin", str(data))
    assert completed.stdout == "out hello\n", completed.stderr
    assert completed.stderr.startswith("err\n")
    assert "[execbox] runtime_error · exit 3" in completed.stderr
    assert completed.returncode == 3


def test_json_output_and_timeout_exit_code(tmp_path: Path) -> None:
    program = tmp_path / "slow.py"
    program.write_text("import time\ntime.sleep(10)\n")
    completed = _run(str(program), "--timeout", "0.5", "--json")
    result = json.loads(completed.stdout)
    assert result["status"] == "timeout"
    assert 450 <= result["wall_ms"] < 5000
    assert completed.returncode == 124


def test_a_limit_above_the_maximum_is_a_usage_error(tmp_path: Path) -> None:
    program = tmp_path / "main.py"
    program.write_text("print(1)\n")
    completed = _run(str(program), "--memory", "999999")
    assert completed.returncode == 2
    assert "memory_mb may be at most" in completed.stderr


def _execbox(
    *args: str, cwd: Path | None = None, stdin: str = "", **settings: str
) -> subprocess.CompletedProcess[str]:
    with uid_range() as first_uid:  # slot uids no other engine holds
        uids = {"EXECBOX_FIRST_UID": str(first_uid), "SANDBOX_FIRST_UID": str(first_uid)}
        return subprocess.run(
            [str(EXECBOX), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=cwd,
            env={**os.environ, **uids, "ENVIRONMENT": "local", **settings},
        )


def test_migrate_creates_the_schema_and_is_repeatable(tmp_path: Path) -> None:
    database = tmp_path / "data" / "execbox.db"
    for _ in range(2):
        completed = _execbox("migrate", cwd=tmp_path, SQLITE_PATH=str(database))
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.strip().endswith("is at the newest schema")
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"submissions", "alembic_version"} <= tables


def test_settings_come_from_dotenv_and_bad_ones_stop_serve_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ENVIRONMENT=production\n")
    completed = _execbox("serve", "--port", "9", cwd=tmp_path, ENVIRONMENT="")
    assert completed.returncode == 2
    assert "SECRET_KEY is still the default" in completed.stderr
    assert "Traceback" not in completed.stderr


@contextlib.contextmanager
def _taken_port() -> Iterator[int]:
    """A port of 127.0.0.1 that something else listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_second_worker_whose_metrics_port_is_taken_says_what_to_set() -> None:
    with _taken_port() as port:
        no_redis = "redis://127.0.0.1:1/0"  # never reached: the port is the first thing taken
        completed = _execbox(
            "worker", "--metrics-host", "127.0.0.1", REDIS_URL=no_redis, WORKER_METRICS_PORT=str(port)
        )
    assert completed.returncode == 2, completed.stderr
    assert f"cannot serve /metrics on 127.0.0.1:{port}" in completed.stderr
    assert "give each its own WORKER_METRICS_PORT (or --metrics-port), or 0 for none" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_second_server_whose_port_is_taken_says_so_before_starting_anything() -> None:
    with _taken_port() as port:
        completed = _execbox("serve", "--host", "127.0.0.1", "--port", str(port))
    assert completed.returncode == 2, completed.stderr
    assert f"cannot listen on 127.0.0.1:{port} (Address already in use)" in completed.stderr
    assert "pass --port with a free one" in completed.stderr
    assert "sandbox:" not in completed.stderr  # nothing was started


def test_a_run_killed_while_the_sandbox_starts_says_nothing_of_its_insides(tmp_path: Path) -> None:
    """SIGTERM to `execbox run` at any moment of the sandbox's start: the templates it started
    notice their host is gone and end quietly, printing nothing to the person's terminal."""
    program = tmp_path / "slow.py"
    program.write_text("import time\ntime.sleep(10)\n")
    # Early delays land in the launcher (entering the root), later ones in the template's imports.
    for delay in (0.1, 0.2, 0.25, 0.3, 0.6, 0.9, 1.2, 1.5, 2.0):
        with uid_range() as first_uid:
            uids = {"EXECBOX_FIRST_UID": str(first_uid), "SANDBOX_FIRST_UID": str(first_uid)}
            run = subprocess.Popen(
                [str(EXECBOX), "run", str(program)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, **uids, "ENVIRONMENT": "local"},
            )
            time.sleep(delay)
            run.terminate()
            # EOF on stderr only once every process that holds it (the templates too) is gone.
            _out, err = run.communicate(timeout=30)
        assert "Traceback" not in err and "Error" not in err, (delay, err)


def test_openapi_prints_the_whole_api_whatever_this_machines_settings() -> None:
    env = {**os.environ, "ACCOUNTS_ENABLED": "false"}
    printed = subprocess.run(
        [str(EXECBOX), "openapi"], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    paths = json.loads(printed.stdout)["paths"]
    # The optional endpoints too: a client generated from it works with any server's settings.
    assert {"/api/v1/code/execute", "/api/v1/auth/token", "/api/v1/keys", "/api/v1/users/me"} <= set(paths)
