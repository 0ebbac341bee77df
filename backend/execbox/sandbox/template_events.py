"""What a template tells the host, checked field by field as it arrives: each event becomes its
own typed message, or is refused, so that nothing downstream takes a field's type on trust."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from execbox.sandbox.guest.protocol import Exited, Hello, Prepared, Spawned, Stopped, decode

TemplateEvent = Hello | Prepared | Spawned | Stopped | Exited


class MalformedEvent(ValueError):
    """A template message that is not one of the protocol's events."""


def decode_event(data: bytes) -> TemplateEvent:
    """`data` (one message of the template's socket) as its event; MalformedEvent otherwise."""
    try:
        message = decode(data)
    except ValueError as error:  # JSON's errors, or not an object
        raise MalformedEvent(f"not a protocol message: {error}") from None
    kind = message.get("type")
    parse = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parse is None:
        raise MalformedEvent(f"unknown event type {kind!r}")
    return parse(message)


def _hello(message: dict[str, Any]) -> Hello:
    packages = message.get("packages")
    if not isinstance(packages, dict) or not all(
        isinstance(name, str) and isinstance(version, str) for name, version in packages.items()
    ):
        raise MalformedEvent("hello: packages must map names to versions")
    return Hello(
        type="hello",
        python=_text(message, "python"),
        prefix=_text(message, "prefix"),
        base_prefix=_text(message, "base_prefix"),
        packages=packages,
        loaded_packages=_texts(message, "loaded_packages"),
    )


def _prepared(message: dict[str, Any]) -> Prepared:
    return Prepared(type="prepared", error=_text(message, "error"))


def _spawned(message: dict[str, Any]) -> Spawned:
    return Spawned(type="spawned", child_id=_number(message, "child_id"), pid=_number(message, "pid"))


def _stopped(message: dict[str, Any]) -> Stopped:
    return Stopped(type="stopped", child_id=_number(message, "child_id"), signal=_number(message, "signal"))


def _exited(message: dict[str, Any]) -> Exited:
    return Exited(
        type="exited", child_id=_number(message, "child_id"), wait_status=_number(message, "wait_status")
    )


_PARSERS: dict[str, Callable[[dict[str, Any]], TemplateEvent]] = {
    "hello": _hello,
    "prepared": _prepared,
    "spawned": _spawned,
    "stopped": _stopped,
    "exited": _exited,
}


def _text(message: dict[str, Any], name: str) -> str:
    value = message.get(name)
    if not isinstance(value, str):
        raise MalformedEvent(f"{message['type']}: {name} must be a string, not {value!r}")
    return value


def _texts(message: dict[str, Any], name: str) -> list[str]:
    value = message.get(name)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MalformedEvent(f"{message['type']}: {name} must be a list of strings")
    return value


def _number(message: dict[str, Any], name: str) -> int:
    value = message.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedEvent(f"{message['type']}: {name} must be an integer, not {value!r}")
    return value
