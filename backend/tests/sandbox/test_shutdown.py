"""Closing the engine while children are being set up: no traceback, no process left behind."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.sandbox.engine_process import BACKEND
from tests.support.processes import uid_range

ROUNDS = 12


def test_closing_the_engine_mid_set_up_prints_nothing_and_leaves_nothing() -> None:
    # Before the fix, 6 of 40 one-run engines (`execbox run`) printed an InvalidStateError
    # traceback from the report pipe's reader; three runs a round close on more half-set-up
    # replacements than one does.
    with uid_range() as first_uid:
        completed = subprocess.run(
            [sys.executable, "-m", "tests.sandbox.shutdown_probe", str(first_uid), str(ROUNDS), "3"],
            capture_output=True,
            text=True,
            cwd=BACKEND,
            timeout=240,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert completed.stderr == ""
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    assert outcome == {"unhandled": [], "leaked": [], "left_in_slots": []}
