"""`execbox run FILE` as a person would use it."""

import json
import os
import sqlite3
import subprocess
import sys
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
