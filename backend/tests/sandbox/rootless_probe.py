"""Run by test_rootless as an unprivileged user: start an engine, run programs, print JSON."""

from __future__ import annotations

import asyncio
import json
import sys

from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.live import LiveIO, OutputStream


def _drop_output(stream: OutputStream, data: bytes) -> None:
    pass


async def main(programs: list[str]) -> None:
    outcomes = []
    async with SandboxEngine(SandboxConfig(live_runs=1, warm_children=1)) as engine:
        for code in programs:
            # A live run (stdin left open) for a program that begins so.
            live = LiveIO(_drop_output) if code.startswith("# live") else None
            result = await engine.run(code, limits=LimitRequest(wall_time_s=3, memory_mb=256), live=live)
            outcomes.append(
                {
                    "status": result.status.value,
                    "stdout": result.stdout.text,
                    "stderr": result.stderr.text,
                    "signal": result.signal,
                    "error": result.error.type if result.error else None,
                    "waiting_for_input": result.waiting_for_input,
                }
            )
    print(json.dumps({"rootless": engine.config.rootless, "outcomes": outcomes}))


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.stdin.read())))
