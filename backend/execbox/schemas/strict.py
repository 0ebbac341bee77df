"""Request bodies that name their mistakes, at a cost bounded by the body's size.

pydantic reports every unknown field of an `extra="forbid"` model as an error of its own: a 1 MB
body of 131,557 made-up fields became 131,557 errors, a 10 MB answer and ~4 s of the event loop.
A body with more unknown fields than anyone mistypes is refused with one error instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

# More unknown fields than this are not typos: one error names the first few.
MAX_UNKNOWN_FIELDS = 8
_SHOWN = 3


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _few_unknown_fields(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) > len(cls.model_fields) + MAX_UNKNOWN_FIELDS:
            unknown = [name for name in data if name not in cls.model_fields]
            if len(unknown) > MAX_UNKNOWN_FIELDS:
                shown = ", ".join(repr(str(name)[:40]) for name in unknown[:_SHOWN])
                known = ", ".join(cls.model_fields)
                raise ValueError(
                    f"{len(unknown)} fields are not known here (e.g. {shown}); the fields are: {known}"
                )
        return data
