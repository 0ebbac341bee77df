"""Input files of a run, as a request carries them: a relative name and base64 content."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, WithJsonSchema, field_validator

from execbox.sandbox.guest.input_files import MAX_NAME_BYTES, name_problem
from execbox.schemas.strict import StrictBody

_CONTENT_SCHEMA = {
    "type": "string",
    "contentEncoding": "base64",
    "description": "the file's bytes in standard base64 (RFC 4648, with padding; e.g. `base64 -w0 data.csv`)",
}

FILES_DESCRIPTION = (
    "files written into the program's working directory before it starts, so that "
    '`pd.read_csv("data.csv")` or `open("data/a.csv")` finds them: at most MAX_INPUT_FILES files '
    "and MAX_INPUT_FILES_BYTES bytes together (decoded; see /api/v1/runtime). Accepted by "
    "/execute and the stream; /submit and /submissions refuse them (422) for now"
)


class InputFileIn(StrictBody):
    name: str = Field(
        max_length=MAX_NAME_BYTES,
        description="a file name or a relative path (`data/a.csv`; its folders are made): no `..`, "
        "`.` or empty components, not absolute, no NUL, each name once",
        examples=["data.csv"],
    )
    content: Annotated[bytes, WithJsonSchema(_CONTENT_SCHEMA)]

    @field_validator("name")
    @classmethod
    def _plain_relative_name(cls, name: str) -> str:
        problem = name_problem(name)
        if problem is not None:
            raise ValueError(f"The input file name {name!r} {problem}.")
        return name

    @field_validator("content", mode="before")
    @classmethod
    def _decode(cls, content: Any, info: ValidationInfo) -> bytes:
        name = info.data.get("name", "?")
        if not isinstance(content, str):
            raise ValueError(f"The content of the input file {name!r} must be a base64 string.")
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError(
                f"The content of the input file {name!r} is not valid base64 ({error}): send the file's "
                "bytes in standard base64 with padding, e.g. the output of `base64 -w0 data.csv`."
            ) from None
