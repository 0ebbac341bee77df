"""Closes engines while their children are still setting up, round after round, in a process
of its own (an engine cannot share a process with another: its cgroups are named after it).

Each round starts an engine, runs a few programs at once (every finished run starts its slot's
replacement child) and closes the engine at once, so replacements are caught half set up. The
probe prints one JSON line: the event loop's unhandled errors and the processes that outlived
their engine. Anything else it prints (a traceback from a callback) is on its stderr.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rpartition(b")")[2].split()[:1]
    except OSError:
        return False
    return state != [b"Z"]


async def _round(config: SandboxConfig, programs: int) -> list[int]:
    engine = SandboxEngine(config)
    await engine.start()
    try:
        results = await asyncio.gather(*(engine.run(f"print({n})") for n in range(programs)))
        assert all(result.stdout.text == f"{n}\n" for n, result in enumerate(results)), results
        pids = engine.sandbox_pids() + [template.pid for template in engine._templates.values()]
    finally:
        await engine.close()
    await asyncio.sleep(0.05)  # a callback scheduled before the close has run by now
    return [pid for pid in pids if _alive(pid)]


async def main(first_uid: int, rounds: int, programs: int) -> dict[str, Any]:
    unhandled: list[str] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, context: unhandled.append(repr(context)))
    config = SandboxConfig(live_runs=programs, warm_children=1, first_uid=first_uid)
    leaked: list[int] = []
    for _ in range(rounds):
        leaked += await _round(config, programs)
    slot_uids = range(first_uid, first_uid + config.slots)
    left_in_slots = [pid for pid in _pids() if _uid_of(pid) in slot_uids and _alive(pid)]
    return {"unhandled": unhandled, "leaked": leaked, "left_in_slots": left_in_slots}


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _uid_of(pid: int) -> int:
    try:
        return Path(f"/proc/{pid}").stat().st_uid
    except OSError:
        return -1


if __name__ == "__main__":
    first_uid, rounds, programs = (int(argument) for argument in sys.argv[1:4])
    print(json.dumps(asyncio.run(main(first_uid, rounds, programs))))
