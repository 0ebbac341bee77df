"""What the policy reports: one problem in the user's code, at the span the editor underlines."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Rule(enum.StrEnum):
    """Stable ids: clients key messages and styling on them, so they never change meaning."""

    SYNTAX_ERROR = "syntax-error"
    CODE_TOO_LONG = "code-too-long"
    TOO_MANY_LINES = "too-many-lines"
    TOO_COMPLEX = "too-complex"
    IMPORT_NOT_ALLOWED = "import-not-allowed"
    BANNED_BUILTIN = "banned-builtin"
    DUNDER_ACCESS = "dunder-access"
    NULL_BYTE = "null-byte"


@dataclass(frozen=True, slots=True)
class Violation:
    """A span of the code and why it is rejected.

    Lines and columns are 1-based and columns count characters (code points), not the UTF-8
    bytes `ast` counts, so an editor can use them as they are (one counting UTF-16 units, as
    browsers do, differs only after characters outside the BMP, such as emoji). The end is
    exclusive, as in `ast`, and `None` when unknown.
    """

    line: int
    col: int
    rule: str  # a `Rule` value
    message: str
    end_line: int | None = None
    end_col: int | None = None
