"""Shorthands for asserting what the policy finds."""

from __future__ import annotations

from execbox.policy import PRESETS, CodePolicy, check

# The seed's short list: every test written before the standard preset existed runs against it.
STRICT = CodePolicy(allowed_modules=PRESETS["strict"])
STANDARD = CodePolicy()


def found(code: str, policy: CodePolicy = STRICT) -> list[tuple[int, int, str]]:
    """Each violation as (line, col, rule): what most tests pin down exactly."""
    return [(violation.line, violation.col, violation.rule) for violation in check(code, policy)]
