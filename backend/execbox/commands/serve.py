"""`execbox serve`: the HTTP service (API, docs and web UI) in one process."""

from __future__ import annotations

import argparse
import copy
from typing import Any

import uvicorn
import uvicorn.config

from execbox.api.app import create_app
from execbox.api.http_protocol import HttpLimits, bounded_protocols
from execbox.commands import USAGE_ERROR
from execbox.settings import load_settings

_ALL_ADDRESSES = ("0.0.0.0", "::")  # noqa: S104 -- names no host a client could send


def serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings is None:
        return USAGE_ERROR
    if args.host not in _ALL_ADDRESSES:
        settings = settings.model_copy(update={"ALLOWED_HOSTS": settings.ALLOWED_HOSTS | {args.host}})
    forwarded_allow_ips = args.forwarded_allow_ips
    if forwarded_allow_ips is None:
        forwarded_allow_ips = settings.FORWARDED_ALLOW_IPS
    http, ws = bounded_protocols(HttpLimits.from_settings(settings), forwarded_allow_ips)
    # One process: its sandbox engine holds the slot uids, so a second worker could not start.
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        loop="uvloop",
        http=http,  # httptools and websockets, with bounded heads, bodies and connections
        ws=ws,
        ws_max_size=settings.MAX_REQUEST_BYTES,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_keep_alive=settings.HTTP_KEEP_ALIVE_TIMEOUT,
        log_level="debug" if settings.DEBUG else "info",
        log_config=_log_config(settings.DEBUG),
    )
    return 0


def _log_config(debug: bool) -> dict[str, Any]:
    """uvicorn's logging, with execbox's loggers on its handler: without one, Python shows only
    their warnings, and the start-up lines (database, sandbox mode, policy) were never seen."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    level = "DEBUG" if debug else "INFO"
    config["loggers"]["execbox"] = {"handlers": ["default"], "level": level, "propagate": False}
    return config
