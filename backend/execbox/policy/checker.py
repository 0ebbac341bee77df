"""The entry point: every violation in a program, or none when it may run."""

from __future__ import annotations

import ast

from execbox.policy.forbidden import find_forbidden
from execbox.policy.limits import check_depth, check_size
from execbox.policy.rules import CodePolicy
from execbox.policy.source import Source
from execbox.policy.violations import Rule, Violation


def check(code: str, policy: CodePolicy) -> list[Violation]:
    """The violations in `code`, sorted by position and without duplicates; never raises.

    Size comes first. Code over `max_chars` is reported without being parsed: the cost of
    every later step grows with the length, and the user has to shorten it anyway. Code that
    does not parse gets its size violations and the one syntax error, since nothing more can be
    known about it. Otherwise every violation is reported, so the user can fix them all at once.
    Errors Python finds only when compiling (`return` outside a function) are left to the run,
    which reports them with their line.
    """
    source = Source.of(code)
    violations = check_size(source, policy)
    if source.length > policy.max_chars:
        return _ordered(violations)
    parsed = _parse(code, source)
    if isinstance(parsed, Violation):
        return _ordered([*violations, parsed])
    violations += check_depth(parsed, source, policy.max_complexity)
    violations += find_forbidden(parsed, source, policy)
    return _ordered(violations)


def _parse(code: str, source: Source) -> ast.Module | Violation:
    # Found before parsing: depending on the Python version the parser reports a null byte
    # with a ValueError or with a SyntaxError, and in both cases without a position.
    null = code.find("\0")
    if null >= 0:
        count = code.count("\0")
        message = (
            "code contains a null byte (\\x00); remove it"
            if count == 1
            else f"code contains {count:,} null bytes (\\x00), the first one here; remove them"
        )
        return source.at_span(null, null + 1, Rule.NULL_BYTE, message)
    try:
        return ast.parse(code)
    except SyntaxError as error:
        return _syntax_violation(error)
    except UnicodeEncodeError as error:
        # A lone surrogate (a broken paste, or "\ud800" in the request's JSON) is not text.
        line, _ = source.position(error.start)
        message = f"SyntaxError: invalid character U+{ord(code[error.start]):04X} (line {line})"
        return source.at_span(error.start, error.end, Rule.SYNTAX_ERROR, message)
    except (RecursionError, MemoryError):
        # How the parser gives up on very deep nesting, with no position to report.
        message = "code is nested too deeply to parse; split it into smaller steps"
        return Violation(1, 1, Rule.TOO_COMPLEX, message)


def _syntax_violation(error: SyntaxError) -> Violation:
    """The parser's position is already 1-based and counted in characters.

    Worded as Python reports it (`IndentationError: unexpected indent (line 1)`), the class
    included: the code is not Python, which is no rule of the sandbox's.
    """
    line, col = error.lineno or 1, max(error.offset or 1, 1)
    end_line, end_col = error.end_lineno, error.end_offset
    # The parser marks an unknown end with 0 or -1, and some errors with an empty span.
    if end_line is None or end_col is None or (end_line, end_col) <= (line, col):
        end_line = end_col = None
    message = f"{type(error).__name__}: {error.msg} (line {line})"
    return Violation(line, col, Rule.SYNTAX_ERROR, message, end_line, end_col)


def _ordered(violations: list[Violation]) -> list[Violation]:
    return sorted(dict.fromkeys(violations), key=lambda violation: (violation.line, violation.col))
