"""Interpreter internals: banned attributes, and banned dunder names used as plain names."""

from __future__ import annotations

import pytest

from execbox.policy import CodePolicy, Violation, check
from tests.policy.conftest import STRICT, found


def test_the_classic_escape_chain_is_flagged_at_each_attribute_name() -> None:
    code = "x = ().__class__.__bases__[0].__subclasses__()"
    assert check(code, STRICT) == [
        Violation(
            1,
            8,
            "dunder-access",
            "'__class__' is not allowed: it reaches interpreter internals; use type(obj) instead",
            1,
            17,
        ),
        Violation(
            1, 18, "dunder-access", "'__bases__' is not allowed: it reaches interpreter internals", 1, 27
        ),
        Violation(
            1, 31, "dunder-access", "'__subclasses__' is not allowed: it reaches interpreter internals", 1, 45
        ),
    ]


def test_frame_walking_attributes() -> None:
    code = "def g():\n    yield 1\nframe = g().gi_frame.f_back\nframe.f_globals['x'] = 1\n"
    assert found(code) == [(3, 13, "dunder-access"), (3, 22, "dunder-access"), (4, 7, "dunder-access")]


def test_attribute_split_over_lines_is_flagged_where_the_name_is() -> None:
    code = "f = (lambda: 0)\ng = (f\n     .__globals__)\n"
    [violation] = check(code, STRICT)
    assert (violation.line, violation.col, violation.end_line, violation.end_col) == (3, 7, 3, 18)


def test_assigning_a_banned_attribute_is_flagged() -> None:
    assert found("class A:\n    pass\na = A()\na.__class__ = int") == [(4, 3, "dunder-access")]


def test_builtins_module_reached_through_its_dunder() -> None:
    assert found("import builtins\nbuiltins.__import__('os')") == [
        (1, 8, "import-not-allowed"),
        (2, 10, "dunder-access"),
    ]


@pytest.mark.parametrize(
    "code", ["__builtins__", "b = __builtins__['eval']", "__builtins__ = {}", "print(__loader__)"]
)
def test_module_level_dunder_names_are_flagged_however_used(code: str) -> None:
    assert [rule for _, _, rule in found(code)] == ["dunder-access"]


def test_bare_builtins_position() -> None:
    assert check("x = 1; __builtins__", STRICT) == [
        Violation(
            1, 8, "dunder-access", "'__builtins__' is not allowed: it reaches interpreter internals", 1, 20
        )
    ]


@pytest.mark.parametrize(
    "code",
    [
        "class A:\n    def __init__(self):\n        super().__init__()\n"
        "    def __len__(self):\n        return 0",
        "print(type(3).__name__, len.__doc__, __name__)",
        "f_back = 1\nco_code = f_back",  # internal attribute names are only internals as attributes
        "d = {'__class__': 1}",
    ],
)
def test_ordinary_dunders_and_lookalikes_pass(code: str) -> None:
    assert check(code, STRICT) == []


def test_non_ascii_code_before_the_attribute_counts_characters_not_bytes() -> None:
    assert found("ä = 'é€'; ä.__dict__") == [(1, 13, "dunder-access")]


def test_nfkc_spelled_attribute_falls_back_to_the_whole_expression() -> None:
    [violation] = check("x = 1\nx.__ｃlass__", STRICT)
    assert (violation.line, violation.col, violation.end_line, violation.end_col) == (2, 1, 2, 12)
    assert violation.message.startswith("'__class__' is not allowed")


def test_custom_banned_attributes() -> None:
    policy = CodePolicy(banned_attributes=frozenset({"secret"}))
    assert found("x.secret\nx.__class__", policy) == [(1, 3, "dunder-access")]
