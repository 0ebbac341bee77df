"""The `execbox` subcommands; each takes parsed arguments and returns the exit code."""

USAGE_ERROR = 2
