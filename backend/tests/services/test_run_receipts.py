"""Receipts: the server's signature on a run, checked without any state."""

from __future__ import annotations

import json
import time

import pytest

from execbox.sandbox.result import RunStatus
from execbox.schemas.execution import ExecutionResult
from execbox.services.run_receipts import RECEIPT_TTL_S, InvalidReceipt, RunReceipts

RESULT = ExecutionResult(
    status=RunStatus.RUNTIME_ERROR,
    exit_code=1,
    signal=None,
    stdout="partial ✓\n",
    stderr="Traceback ...\nZeroDivisionError: division by zero\n",
    truncated={"stdout": False, "stderr": False},
    error={"type": "ZeroDivisionError", "message": "division by zero", "line": 2},
    wall_ms=0.1 + 0.2,
    cpu_ms=1e-07,
    memory_kb=2048,
    results=[{"mime": "text/plain", "data": "'x'"}],
)
RECEIPTS = RunReceipts("a-secret")


def test_a_receipt_holds_for_its_run_after_a_trip_through_any_json() -> None:
    receipt = RECEIPTS.issue("print(1)\n1/0", "in\n", RESULT)
    # What a browser sends back: its own JSON spelling of the same values (1e-7, not 1e-07).
    echoed = json.loads(json.dumps(RESULT.model_dump(mode="json"), indent=1).replace("1e-07", "1e-7"))
    RECEIPTS.check(receipt, "print(1)\n1/0", "in\n", ExecutionResult.model_validate(echoed))
    # The receipt itself, sent back inside the result, is not part of what it signs.
    RECEIPTS.check(receipt, "print(1)\n1/0", "in\n", RESULT.model_copy(update={"receipt": receipt}))


@pytest.mark.parametrize(
    "change",
    [
        {"code": "print(2)\n1/0"},
        {"stdin": "other\n"},
        {"result": RESULT.model_copy(update={"stdout": "partial ✓"})},
        {"result": RESULT.model_copy(update={"status": RunStatus.SUCCESS})},
        {"result": RESULT.model_copy(update={"wall_ms": 0.31})},
        {"receipt": "0.abc"},
        {"receipt": "not a receipt"},
    ],
    ids=["code", "stdin", "stdout", "status", "wall time", "forged", "garbage"],
)
def test_any_change_to_the_run_voids_its_receipt(change: dict[str, object]) -> None:
    run: dict[str, object] = {"code": "print(1)\n1/0", "stdin": "in\n", "result": RESULT}
    run["receipt"] = RECEIPTS.issue(**run)  # type: ignore[arg-type]
    run.update(change)
    with pytest.raises(InvalidReceipt, match="does not match this run"):
        RECEIPTS.check(**run)  # type: ignore[arg-type]


def test_another_servers_key_gives_other_receipts() -> None:
    receipt = RunReceipts("another-secret").issue("x", "", RESULT)
    with pytest.raises(InvalidReceipt):
        RECEIPTS.check(receipt, "x", "", RESULT)


def test_a_receipt_expires_after_a_day(monkeypatch: pytest.MonkeyPatch) -> None:
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - RECEIPT_TTL_S - 5)
    old = RECEIPTS.issue("x", "", RESULT)
    monkeypatch.setattr(time, "time", lambda: now - RECEIPT_TTL_S + 5)
    recent = RECEIPTS.issue("x", "", RESULT)
    monkeypatch.undo()
    RECEIPTS.check(recent, "x", "", RESULT)
    with pytest.raises(InvalidReceipt, match="older than 24 hours"):
        RECEIPTS.check(old, "x", "", RESULT)
