"""A request sent on a bare socket, for tests of clients that hang up before the answer."""

from __future__ import annotations

import json
import socket

from tests.support.api_server import ApiServer
from tests.support.loopback_clients import new_address

EXECUTE = "/api/v1/code/execute"


def sent_execute(server: ApiServer, code: str) -> socket.socket:
    """The connection of a client of its own that has sent an execute request; close it to
    hang up."""
    body = json.dumps({"code": code}).encode()
    head = (
        f"POST {EXECUTE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    connection = socket.create_connection(("127.0.0.1", server.port), source_address=(new_address(), 0))
    connection.sendall(head + body)
    return connection
