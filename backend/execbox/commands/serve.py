"""`execbox serve`: the HTTP service (API, docs and web UI) in one process."""

from __future__ import annotations

import argparse
import contextlib
import copy
import logging
import math
import socket
import sys
from typing import Any

import uvicorn
import uvicorn.config
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE

from execbox.api.app import create_app
from execbox.api.http_protocol import HttpLimits, bounded_protocols
from execbox.api.lifespan import Services
from execbox.commands import USAGE_ERROR
from execbox.settings import load_settings

_ALL_ADDRESSES = ("0.0.0.0", "::")  # noqa: S104 -- names no host a client could send
_ANSWER_GRACE_S = 10


def serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings is None:
        return USAGE_ERROR
    if args.host not in _ALL_ADDRESSES:
        settings = settings.model_copy(update={"ALLOWED_HOSTS": settings.ALLOWED_HOSTS | {args.host}})
    forwarded_allow_ips = args.forwarded_allow_ips
    if forwarded_allow_ips is None:
        forwarded_allow_ips = settings.FORWARDED_ALLOW_IPS
    # Before anything starts: a taken port is said in one line, not after the sandbox started.
    listening = _listening_socket(args.host, args.port)
    if listening is None:
        return USAGE_ERROR
    http, ws = bounded_protocols(HttpLimits.from_settings(settings), forwarded_allow_ips)
    # One process: its sandbox engine holds the slot uids, so a second worker could not start.
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http=http,  # httptools and websockets, with bounded heads, bodies and connections
        ws=ws,
        ws_max_size=settings.run_body_bytes,  # the run message may carry input files
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_keep_alive=settings.HTTP_KEEP_ALIVE_TIMEOUT,
        log_level="debug" if settings.DEBUG else "info",
        log_config=_log_config(settings.DEBUG),
        # Requests in progress finish: no run outlives the longest wall limit, nor its answer this.
        timeout_graceful_shutdown=math.ceil(settings.EXECUTION_TIMEOUT_MAX + _ANSWER_GRACE_S),
    )
    server = _GracefulServer(config, app)
    with contextlib.suppress(KeyboardInterrupt), listening:
        server.run(sockets=[listening])
    return 0 if server.started else STARTUP_FAILURE


def _listening_socket(host: str, port: int) -> socket.socket | None:
    """The service's socket, bound (uvicorn listens on it); None, with the reason said, when the
    address cannot be had."""
    listening = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        print(
            f"execbox serve: cannot listen on {host}:{port} ({error.strerror}); another server on this "
            "host may have it: pass --port with a free one",
            file=sys.stderr,
        )
        return None
    return listening


class _GracefulServer(uvicorn.Server):
    """uvicorn's server, which on SIGTERM first stops the app from starting runs: those in
    progress finish, those waiting (asynchronous submissions) and new ones are refused."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.app = app

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # uvicorn says where it listens only for sockets it opened itself.
        if self.started and sockets:
            host, port = sockets[0].getsockname()[:2]
            shown = f"[{host}]" if ":" in host else host
            log = logging.getLogger("uvicorn.error")
            log.info("execbox running on http://%s:%d (Ctrl+C to quit)", shown, port)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        services: Services | None = getattr(self.app.state, "services", None)
        if services is not None:
            services.runner.stop_admitting()
        await super().shutdown(sockets)


def _log_config(debug: bool) -> dict[str, Any]:
    """uvicorn's logging, with execbox's loggers on its handler: without one, Python shows only
    their warnings, and the start-up lines (database, sandbox mode, policy) were never seen."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    level = "DEBUG" if debug else "INFO"
    config["loggers"]["execbox"] = {"handlers": ["default"], "level": level, "propagate": False}
    return config
