"""`execbox run FILE`: run a Python file in the sandbox and report how it ended."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys

from execbox.commands import USAGE_ERROR
from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.engine import SandboxEngine
from execbox.sandbox.errors import SandboxError, SandboxUnavailable
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.result import RunResult, RunStatus

# Exit codes for verdicts that have no exit code of the program's own, shell-style.
_STATUS_EXIT_CODES = {
    RunStatus.TIMEOUT: 124,
    RunStatus.MEMORY_LIMIT: 137,
    RunStatus.OUTPUT_LIMIT: 141,
    RunStatus.INTERNAL_ERROR: 70,
}


def _summary(result: RunResult) -> str:
    ended = f"exit {result.exit_code}" if result.signal is None else f"signal {result.signal}"
    return (
        f"[execbox] {result.status.value} · {ended} · wall {result.wall_ms:.1f} ms · "
        f"cpu {result.cpu_ms:.1f} ms · memory {result.memory_kb / 1024:.1f} MiB"
    )


async def _run(args: argparse.Namespace, code: str, stdin: str) -> RunResult:
    limits = LimitRequest(wall_time_s=args.wall_time_s, cpu_time_s=args.cpu_time_s, memory_mb=args.memory_mb)
    # One program: one live run and one warm child per template, not a server's hundreds of
    # slot uids.
    engine = SandboxEngine(SandboxConfig(live_runs=1, warm_children=1))
    engine.config.limits.resolve(limits)  # a bad limit fails before the engine starts
    async with engine:
        return await engine.run(code, stdin, limits)


def run_file(args: argparse.Namespace) -> int:
    try:
        code = sys.stdin.read() if str(args.file) == "-" else args.file.read_text()
        stdin = args.stdin.read_text() if args.stdin else ""
    except (OSError, UnicodeDecodeError) as error:
        print(f"execbox: cannot read input: {error}", file=sys.stderr)
        return USAGE_ERROR
    try:
        result = asyncio.run(_run(args, code, stdin))
    except SandboxUnavailable as error:
        print(error, file=sys.stderr)
        return USAGE_ERROR
    except SandboxError as error:  # LimitError and engine failures
        print(f"execbox: {error}", file=sys.stderr)
        return USAGE_ERROR
    if args.json:
        print(json.dumps(dataclasses.asdict(result), indent=2))
    else:
        sys.stdout.write(result.stdout.text)
        sys.stderr.write(result.stderr.text)
        print(_summary(result), file=sys.stderr)
    if result.exit_code is not None and result.status in (RunStatus.SUCCESS, RunStatus.RUNTIME_ERROR):
        return result.exit_code
    return _STATUS_EXIT_CODES.get(result.status, 1)
