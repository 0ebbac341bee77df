"""Text fields that must reach the sandbox intact: valid Unicode, optionally without NUL."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _encodable(value: str) -> str:
    try:
        value.encode()
    except UnicodeEncodeError as error:
        raise ValueError(
            f"contains an unpaired surrogate ({value[error.start]!r}) at character {error.start}: "
            "send valid Unicode text"
        ) from None
    return value


def _no_nul(value: str) -> str:
    position = value.find("\x00")
    if position >= 0:
        raise ValueError(f"contains a NUL character at character {position}: remove it")
    return value


UnicodeText = Annotated[str, AfterValidator(_encodable)]
PlainText = Annotated[str, AfterValidator(_encodable), AfterValidator(_no_nul)]
