"""Receipts for finished runs: the server's signature on what a run was, so that a client can
later ask to save exactly that run (to share it, failing or not) without running it again.

A receipt is `<issued at>.<HMAC-SHA256>` over the code, the input the program was given and
the verdict with its output, under a key derived from SECRET_KEY. The server keeps nothing: any
API node of the deployment can check a receipt, and a client cannot change a byte of the run it
saves (nor save a run that never happened) without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from execbox.schemas.execution import ExecutionResult

RECEIPT_TTL_S = 24 * 3600  # a run can be saved for a day after it ran
_PURPOSE = b"execbox run receipt v1"


class InvalidReceipt(Exception):
    """The receipt was not issued for this run, or has expired; the message says which."""


class RunReceipts:
    def __init__(self, secret_key: str) -> None:
        # Derived, so that the same secret signs nothing else interchangeable with a receipt.
        self._key = hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()

    def issue(self, code: str, stdin: str, result: ExecutionResult) -> str:
        issued_at = int(time.time())
        return f"{issued_at}.{self._sign(issued_at, code, stdin, result)}"

    def check(self, receipt: str, code: str, stdin: str, result: ExecutionResult) -> None:
        """Raise `InvalidReceipt` unless `receipt` was issued for exactly this run, and lately."""
        issued, _, signature = receipt.partition(".")
        if not issued.isdigit() or not hmac.compare_digest(
            signature, self._sign(int(issued), code, stdin, result)
        ):
            raise InvalidReceipt(
                "The receipt does not match this run: send the code, input and result exactly as the "
                "server returned them."
            )
        if time.time() - int(issued) > RECEIPT_TTL_S:
            raise InvalidReceipt(
                f"The run is older than {RECEIPT_TTL_S // 3600} hours and can no longer be saved; "
                "run it again."
            )

    def _sign(self, issued_at: int, code: str, stdin: str, result: ExecutionResult) -> str:
        verdict = result.model_dump(mode="json", exclude={"receipt"})
        # Canonical: any client's JSON of the same values gives the same bytes here.
        text = json.dumps([issued_at, code, stdin, verdict], sort_keys=True, separators=(",", ":"))
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()
