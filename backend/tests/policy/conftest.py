"""Shorthands for asserting what the policy finds."""

from __future__ import annotations

from execbox.policy import CodePolicy, check

DEFAULT = CodePolicy()


def found(code: str, policy: CodePolicy = DEFAULT) -> list[tuple[int, int, str]]:
    """Each violation as (line, col, rule): what most tests pin down exactly."""
    return [(violation.line, violation.col, violation.rule) for violation in check(code, policy)]
