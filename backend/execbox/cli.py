"""Command line: `execbox serve` starts the service, `execbox migrate` brings the database to the
newest schema, `execbox run FILE` runs a Python file in the sandbox and reports how it ended.
`execbox openapi` and `execbox settings-reference` print the API's schema and the settings'
reference, from the code alone."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="execbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a Python file in the sandbox")
    run.add_argument("file", type=Path, help="the program to run ('-' reads it from standard input)")
    run.add_argument("--stdin", type=Path, help="a file whose contents the program reads as stdin")
    run.add_argument("--timeout", type=float, dest="wall_time_s", help="wall-clock limit in seconds")
    run.add_argument("--cpu-time", type=float, dest="cpu_time_s", help="CPU-time limit in seconds")
    run.add_argument("--memory", type=int, dest="memory_mb", help="memory limit in MiB")
    run.add_argument("--json", action="store_true", help="print the whole result as JSON")

    serve = commands.add_parser("serve", help="start the HTTP service (API, docs and web UI)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument(
        "--forwarded-allow-ips",
        help="proxies whose X-Forwarded-For names the real client (default: FORWARDED_ALLOW_IPS, none)",
    )

    worker = commands.add_parser(
        "worker", help="run queued runs (EXECUTION_BACKEND=queue) in this host's sandbox"
    )
    worker.add_argument("--name", help="this worker's name (default: the host name)")
    worker.add_argument(
        "--metrics-port", type=int, help="port of its /metrics (default: WORKER_METRICS_PORT)"
    )
    # Prometheus scrapes workers from other hosts; the metrics say nothing about any run's content.
    worker.add_argument("--metrics-host", default="0.0.0.0", help="address of /metrics (default: all)")  # noqa: S104

    commands.add_parser("migrate", help="bring the database to the newest schema")
    commands.add_parser("openapi", help="print the API's OpenAPI schema as JSON")
    reference = commands.add_parser(
        "settings-reference", help="print every setting, its default and what it does (docs/settings.md)"
    )
    reference.add_argument("--output", type=Path, help="write the Markdown to this file instead")
    user = commands.add_parser("user", help="manage accounts (ACCOUNTS_ENABLED)")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    create = user_commands.add_parser("create", help="create an account; the password is asked for")
    create.add_argument("email")
    create.add_argument("--admin", action="store_true", help="an administrator's account")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input (scripts)"
    )
    limits = user_commands.add_parser(
        "limits",
        help="show or set an account's own rate limit and runs alive at once (for it and each of its "
        "keys, instead of its tier's)",
    )
    limits.add_argument("email")
    limits.add_argument(
        "--rate-limit", help="runs per window, as RATE_LIMIT: '100/minute', '1000/hour;100/minute'"
    )
    limits.add_argument("--runs-alive", type=int, help="runs alive at once, at most SANDBOX_LIVE_RUNS")
    limits.add_argument("--default", action="store_true", help="back to its tier's limits (USER_*, KEY_*)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Each command imports only what it needs: `execbox run` starts without the web stack.
    if args.command == "serve":
        from execbox.commands.serve import serve

        return serve(args)
    if args.command == "migrate":
        from execbox.commands.migrate import migrate

        return migrate(args)
    if args.command == "worker":
        from execbox.commands.worker import worker

        return worker(args)
    if args.command == "openapi":
        from execbox.commands.openapi import openapi

        return openapi(args)
    if args.command == "user":
        from execbox.commands.user import create_user, user_limits

        return create_user(args) if args.user_command == "create" else user_limits(args)
    if args.command == "settings-reference":
        from execbox.commands.settings_reference import settings_reference

        return settings_reference(args)
    from execbox.commands.run import run_file

    return run_file(args)


if __name__ == "__main__":
    sys.exit(main())
