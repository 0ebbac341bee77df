"""The settings and their seed values."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from execbox.policy import PRESETS, CodePolicy


def test_seed_values() -> None:
    policy = CodePolicy()
    # The strict preset: the seed's modules, plus matplotlib (plots) and time (live runs pace
    # their output).
    assert PRESETS["strict"] == {
        "pandas", "numpy", "scipy", "math", "statistics", "random", "datetime",
        "json", "csv", "re", "collections", "itertools", "functools", "operator",
        "matplotlib", "time",
    }  # fmt: skip
    assert policy.banned_builtins == {
        "eval", "exec", "compile", "open", "input", "__import__", "breakpoint", "globals", "locals",
        "vars", "getattr", "setattr", "delattr", "memoryview", "help", "exit", "quit",
    }  # fmt: skip
    assert {
        "__subclasses__",
        "__globals__",
        "__builtins__",
        "__class__",
        "__mro__",
        "f_globals",
        "tb_frame",
    } <= policy.banned_attributes
    assert (policy.max_chars, policy.max_lines, policy.max_complexity) == (10_000, 100, 100)


@pytest.mark.parametrize("name", ["max_chars", "max_lines", "max_complexity"])
def test_limits_must_be_positive(name: str) -> None:
    changes: dict[str, Any] = {name: 0}
    with pytest.raises(ValueError, match=f"{name} must be positive"):
        CodePolicy(**changes)


def test_a_policy_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CodePolicy().max_chars = 1  # type: ignore[misc]
