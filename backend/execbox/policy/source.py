"""The user's code as lines, so positions from `ast` and the parser become editor positions."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Protocol

from execbox.policy.violations import Violation

# What Python's tokenizer ends a line on; \f, \v and U+2028 are not line breaks to it, even
# though str.splitlines() treats them as such.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Located(Protocol):
    """An `ast` node that has a position: statements, expressions, aliases, arguments..."""

    @property
    def lineno(self) -> int: ...
    @property
    def col_offset(self) -> int: ...
    @property
    def end_lineno(self) -> int | None: ...
    @property
    def end_col_offset(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Source:
    lines: tuple[str, ...]
    starts: tuple[int, ...]  # the index in the code at which each line starts

    @classmethod
    def of(cls, code: str) -> Source:
        starts = (0, *(match.end() for match in _LINE_BREAK.finditer(code)))
        return cls(tuple(_LINE_BREAK.split(code)), starts)

    @property
    def length(self) -> int:
        """The length of the code in characters."""
        return self.starts[-1] + len(self.lines[-1])

    @property
    def line_count(self) -> int:
        """Lines as a reader counts them: a final line break does not start another line."""
        return len(self.lines) - (self.lines[-1] == "")

    def position(self, index: int) -> tuple[int, int]:
        """The 1-based line and column of the character at `index` in the code."""
        line = bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def column(self, line: int, byte_offset: int) -> int:
        """The 1-based character column of a UTF-8 byte offset, which is what `ast` reports."""
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        # Positions inside f-strings are approximate in 3.11 and may land inside a character.
        return len(text.encode()[:byte_offset].decode(errors="ignore")) + 1

    def at_node(self, node: Located, rule: str, message: str) -> Violation:
        end_line = end_col = None
        if node.end_lineno is not None and node.end_col_offset is not None:
            end_line, end_col = node.end_lineno, self.column(node.end_lineno, node.end_col_offset)
        return Violation(
            node.lineno, self.column(node.lineno, node.col_offset), rule, message, end_line, end_col
        )

    def at_span(self, start: int, end: int, rule: str, message: str) -> Violation:
        """A violation covering the characters `start` to `end` (exclusive) of the code."""
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Violation(line, col, rule, message, end_line, end_col)
