"""Who may knock: the host names this server answers to, and the pages that may drive its
WebSocket.

A request naming another host (a DNS-rebinding page, a poisoned link) is refused before any
route sees it. A browser always sends `Origin` on a WebSocket handshake, and it cannot be forged
by a page: a run is accepted only from the server's own pages or from origins the operator lists.
Clients that are not browsers send no `Origin` and carry no visitor's address or credentials, so
they are let through.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

# Always served: a page of another site can make a browser send these only to the browser's
# own machine, and health checks and local tools use them.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class HostAllowList:
    """Names as in ALLOWED_HOSTS: `example.org`, `*.example.org` (any subdomain), `*` (any),
    and the loopback names."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = LOOPBACK_HOSTS | {name.strip().lower() for name in names if name.strip()}

    def allows(self, host_header: str) -> bool:
        name = _host_name(host_header)
        if not name:
            return False
        if "*" in self._names or name in self._names:
            return True
        return any(pattern.startswith("*.") and name.endswith(pattern[1:]) for pattern in self._names)


class TrustedHosts:
    """Answers 400 (HTTP) or refuses the handshake (WebSocket) for any host not allowed."""

    def __init__(self, app: ASGIApp, hosts: HostAllowList) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        if self.hosts.allows(host):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
            return
        shown = host[:100] or "(none)"
        detail = (
            f"This server does not answer to the host {shown!r}. Use the address its operator "
            "published; operators list the names it serves in ALLOWED_HOSTS."
        )
        body = json.dumps({"detail": detail}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def origin_allowed(origin: str | None, host_header: str, allowed_origins: Iterable[str]) -> bool:
    """Whether a WebSocket from a page of `origin` may run code: no `Origin` (not a browser),
    the server's own origin (the same host and port as the request's), or one listed."""
    if origin is None:
        return True
    origin = origin.strip().lower()
    if origin in {allowed.strip().lower().rstrip("/") for allowed in allowed_origins}:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc != "" and parts.netloc == host_header.lower()


def _host_name(host_header: str) -> str:
    """The name in a Host header, without its port (`[::1]:8000` -> `::1`)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
