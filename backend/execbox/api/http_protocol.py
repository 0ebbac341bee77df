"""Bounded connections: what a client may send before a request reaches the app, how slowly, and
how many connections it may hold open (issue 26, findings 5 and 7).

`execbox serve` runs uvicorn with uvloop and httptools (the fast pair). By configuration uvicorn
closes idle keep-alive connections (`timeout_keep_alive`, which serve.py sets) but does nothing
else here, so this module subclasses its httptools protocol:

- httptools (llhttp) has no limit on a request's head: it gathers a header in memory until its
  line ends. `h11_max_incomplete_event_size` bounds only the slower h11 protocol. So the head is
  fed to the parser at most `max_header_bytes` at a time, and a head not done by then is refused
  (431); the parser's callbacks measure the URL as it comes (414) and count the headers once the
  head is in (431).
- No deadline for a request's head or body: a byte every few seconds held a connection for ever.
  One timer per connection: the head must arrive within `header_timeout` of its first byte (of
  the connection, for the first request), the body within `body_timeout` of the head (408).
- `limit_concurrency` answers 503 only once a head has arrived, has no per-client count, and
  forgets a connection upgraded to a WebSocket; `backlog` bounds connections not yet accepted.
  So connections are counted per TCP peer address and in all from accept to close, the count
  following an upgraded connection into `CountedWebSocketProtocol`. A client's address is its
  TCP peer: behind a proxy, the forwarded address comes with each request, after the connection
  is counted, so the trusted proxies (FORWARDED_ALLOW_IPS) count only towards the total and must
  bound their own clients.

A refusal is answered (JSON `detail`, `Connection: close`), then the connection lingers a moment,
its input discarded: closed at once with unread input, it would be reset, and the client could
lose the answer. A head pipelined behind a body in the same read is counted from the next read
on: a read is at most 256 kB, so that head stays bounded too.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState

from execbox.settings import Settings

_LINGER_S = 1.0  # after an answer that ends the connection, quiet time before closing
_LINGER_MAX_S = 10.0  # and lingering in all, however the client trickles


@dataclass(frozen=True)
class HttpLimits:
    max_header_bytes: int
    max_headers: int
    max_request_line: int
    header_timeout: float
    body_timeout: float
    max_connections_per_client: int
    max_connections: int

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpLimits:
        return cls(
            max_header_bytes=settings.HTTP_MAX_HEADER_BYTES,
            max_headers=settings.HTTP_MAX_HEADERS,
            max_request_line=settings.HTTP_MAX_REQUEST_LINE,
            header_timeout=settings.HTTP_HEADER_TIMEOUT,
            body_timeout=settings.HTTP_BODY_TIMEOUT,
            max_connections_per_client=settings.HTTP_MAX_CONNECTIONS_PER_CLIENT,
            max_connections=settings.HTTP_MAX_CONNECTIONS,
        )


def _trusted(proxies: str) -> Callable[[str], bool]:
    """Whether an address is one of `proxies` (as FORWARDED_ALLOW_IPS: addresses, networks, `*`)."""
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for item in (item.strip() for item in proxies.split(",")):
        if item == "*":
            return lambda _host: True
        with contextlib.suppress(ValueError):  # a Unix socket path: never a TCP peer
            networks.append(ipaddress.ip_network(item, strict=False))

    def trusted(host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in networks)

    return trusted


class ConnectionCount:
    """Open connections per client address and in all."""

    def __init__(self, limits: HttpLimits, trusted_proxies: str) -> None:
        self._per_client = limits.max_connections_per_client
        self._total = limits.max_connections
        self._is_proxy = _trusted(trusted_proxies)
        self._clients: dict[asyncio.BaseTransport, str] = {}
        self._per_address: dict[str, int] = {}

    def admit(self, transport: asyncio.BaseTransport, client: str) -> int | None:
        """Counts the connection in, or says the status refusing it."""
        if len(self._clients) >= self._total:
            return 503
        open_now = self._per_address.get(client, 0)
        if open_now >= self._per_client and not self._is_proxy(client):
            return 429
        self._clients[transport] = client
        self._per_address[client] = open_now + 1
        return None

    def release(self, transport: asyncio.BaseTransport) -> None:
        """Counts the connection out; idempotent, and a no-op for one never admitted."""
        client = self._clients.pop(transport, None)
        if client is None:
            return
        left = self._per_address[client] - 1
        if left:
            self._per_address[client] = left
        else:
            del self._per_address[client]


class _Refused(Exception):
    """Raised in a parser callback to stop parsing; the refusal itself is on the protocol."""


_REFUSALS = {
    408: "The request took too long to arrive; send it at once, on a faster connection.",
    414: "The request line is too long; shorten the URL (its query string, or the path).",
    429: "Too many open connections from this address; close some and retry.",
    431: "The request's headers are too large or too many; send fewer or smaller headers (cookies?).",
    503: "The server has too many open connections; retry shortly.",
}


class BoundedHttpProtocol(HttpToolsProtocol):
    limits: ClassVar[HttpLimits]
    count: ClassVar[ConnectionCount]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._reading_head = True
        self._head_bytes = 0  # of the head being read, as fed to the parser
        self._url_bytes = 0
        self._refusal: int | None = None  # set by a callback that stops the parser
        self._lingering = False
        self._linger_until = 0.0
        self._body_done = True
        self._timer: asyncio.TimerHandle | None = None  # the head's or the body's deadline, or the linger

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        refused = self.count.admit(transport, self.client[0] if self.client else "")
        if refused is not None:
            self._refuse(refused)
        else:
            self._arm(self.limits.header_timeout, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self.count.release(self.transport)
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            self._discard()
            return
        self._unset_keepalive_if_required()
        while data:
            chunk, data = data, b""
            if self._reading_head:
                room = self.limits.max_header_bytes - self._head_bytes
                if room <= 0:
                    self._refuse(431)
                    return
                if len(chunk) > room:
                    chunk, data = chunk[:room], chunk[room:]
                self._head_bytes += len(chunk)
            if not self._feed(chunk):
                return
        if self._timer is None:
            if not self._reading_head:
                self._arm(self.limits.body_timeout, self._body_too_slow)
            elif self._head_bytes:
                self._arm(self.limits.header_timeout, self._head_too_slow)

    def _feed(self, chunk: bytes) -> bool:
        """Whether the parser took the chunk and the connection goes on as HTTP."""
        try:
            self.parser.feed_data(chunk)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return False
        except httptools.HttpParserError:
            if self._refusal is not None:
                self._refuse(self._refusal)
            else:
                message = "Invalid HTTP request received."
                self.logger.warning(message)
                self.send_400_response(message)
            return False
        return True

    def handle_websocket_upgrade(self) -> None:
        self._disarm()  # the WebSocket has its own pings; a live run may stay quiet for minutes
        super().handle_websocket_upgrade()

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        if self._url_bytes > self.limits.max_request_line:
            self._stop_parser(414)
        super().on_url(url)

    def on_headers_complete(self) -> None:
        # Counted here, not header by header (the cost of every request): the head's size bounds
        # the list meanwhile.
        if len(self.headers) > self.limits.max_headers:
            self._stop_parser(431)
        self._reading_head = False
        self._body_done = False
        self._disarm()
        before = self.cycle
        super().on_headers_complete()
        if self.cycle is not before:  # a new request (not an upgrade): the app may answer it
            # before reading its body (a 413), on a connection that then ends.
            self.cycle.transport = cast(asyncio.Transport, _LingeringClose(self.transport, self))

    def on_message_complete(self) -> None:
        self._body_done = True
        self._reading_head = True
        self._head_bytes = self._url_bytes = 0
        self._disarm()
        super().on_message_complete()

    def _stop_parser(self, status: int) -> None:
        self._refusal = status
        raise _Refused

    def _head_too_slow(self) -> None:
        self._timer = None
        if self._head_bytes:
            self._refuse(408)
        else:
            self.transport.close()  # a connection that never asked: nothing to answer

    def _body_too_slow(self) -> None:
        self._timer = None
        self._refuse(408)

    def _refuse(self, status: int) -> None:
        """Answers `status` and closes; or just closes where an answer could not come in order."""
        self._disarm()
        cycle = self.cycle
        if self._reading_head:
            in_order = cycle is None or cycle.response_complete
        else:
            in_order = not self.pipeline and not cycle.response_started
        if not in_order:
            self.transport.close()
            return
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app waiting for this body gets a disconnect, says nothing
            cycle.message_event.set()
        body = json.dumps({"detail": _REFUSALS[status]}).encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        if status in (429, 503):
            head.append(b"retry-after: 1\r\n")
        head += [
            b"content-type: application/json\r\ncontent-length: ",
            str(len(body)).encode(),
            b"\r\nconnection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self._linger()

    def _linger(self) -> None:
        """Half-close, then read and discard what the client still sends until it has been quiet
        for `_LINGER_S` (at most `_LINGER_MAX_S` in all): a socket closed with unread input is
        reset, and a client still sending (urllib posts a whole body before it reads) would lose
        the answer."""
        self._disarm()
        self._lingering = True
        self._linger_until = self.loop.time() + _LINGER_MAX_S
        self.flow.resume_reading()
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._timer = self.loop.call_later(_LINGER_S, self.transport.abort)

    def _discard(self) -> None:
        """Input while lingering: thrown away, and the quiet period starts again."""
        self._disarm()
        delay = max(0.0, min(_LINGER_S, self._linger_until - self.loop.time()))
        self._timer = self.loop.call_later(delay, self.transport.abort)

    def _arm(self, delay: float, callback: Callable[[], None]) -> None:
        self._disarm()
        self._timer = self.loop.call_later(delay, callback)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class _LingeringClose:
    """The transport as a request's cycle sees it: closing it before the request's body is all
    in lingers instead (see `_linger`)."""

    def __init__(self, transport: asyncio.Transport, protocol: BoundedHttpProtocol) -> None:
        self._transport = transport
        self._protocol = protocol

    def close(self) -> None:
        if self._protocol._body_done or self._transport.is_closing():
            self._transport.close()
        else:
            self._protocol._linger()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CountedWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's `websockets-sansio` protocol, counting its connection out when it closes, and
    letting an open stream finish at shutdown."""

    count: ClassVar[ConnectionCount]

    def shutdown(self) -> None:
        # uvicorn would close an open stream with 1012 at once, stopping its run. Left open, it
        # ends as every stream does, within the run's wall limit (a run asked for now is
        # refused), and the server waits for it, up to its graceful-shutdown timeout.
        if not self.handshake_complete:
            super().shutdown()

    def connection_lost(self, exc: Exception | None) -> None:
        self.count.release(self.transport)
        super().connection_lost(exc)


def bounded_protocols(
    limits: HttpLimits, trusted_proxies: str
) -> tuple[type[BoundedHttpProtocol], type[CountedWebSocketProtocol]]:
    """uvicorn's `http=` and `ws=` classes, sharing one connection count."""
    shared = ConnectionCount(limits, trusted_proxies)

    class Http(BoundedHttpProtocol):
        pass

    class WebSocket(CountedWebSocketProtocol):
        pass

    Http.limits, Http.count, WebSocket.count = limits, shared, shared
    return Http, WebSocket
