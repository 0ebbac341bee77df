"""Size and nesting limits."""

from __future__ import annotations

from execbox.policy import CodePolicy, Violation, check
from tests.policy.conftest import STRICT, found

ROOMY = CodePolicy(max_chars=1_000_000, max_lines=100_000)


def test_code_at_the_char_limit_passes() -> None:
    assert check("x = 1\n" + "#" * 9_994, STRICT) == []


def test_over_long_code_is_underlined_from_where_it_crosses_the_limit() -> None:
    code = "x = 1\n" + "#" * 9_995
    assert check(code, STRICT) == [
        Violation(2, 9_995, "code-too-long", "code is 10,001 characters long; the limit is 10,000", 2, 9_996)
    ]


def test_over_long_code_is_not_parsed() -> None:
    code = "import os\n" + "eval(" * 5_000
    assert found(code) == [(2, 9_991, "code-too-long")]


def test_characters_are_counted_not_bytes() -> None:
    assert check("s = '" + "é" * 9_994 + "'", STRICT) == []


def test_lines_at_the_limit_pass_and_a_final_line_break_is_not_a_line() -> None:
    assert check("x = 1\n" * 100, STRICT) == []


def test_too_many_lines_is_underlined_from_the_first_extra_line() -> None:
    assert check("x = 1\n" * 102, STRICT) == [
        Violation(101, 1, "too-many-lines", "code has 102 lines; the limit is 100", 102, 6)
    ]


def test_too_many_lines_still_reports_the_rest() -> None:
    code = "import os\n" + "x = 1\n" * 100
    assert found(code) == [(1, 8, "import-not-allowed"), (101, 1, "too-many-lines")]


def test_too_many_lines_and_a_syntax_error_are_both_reported() -> None:
    code = "x = 1\n" * 100 + "def f(:\n"
    assert found(code) == [(101, 1, "too-many-lines"), (101, 7, "syntax-error")]


def test_size_limits_are_settings() -> None:
    policy = CodePolicy(max_chars=10, max_lines=2)
    assert found("a = 1\nb = 2\nc = 3", policy) == [(2, 5, "code-too-long"), (3, 1, "too-many-lines")]


def test_nesting_at_the_limit_passes() -> None:
    # The expression statement, 98 minus signs and the constant: 100 levels.
    assert check("-" * 98 + "1", STRICT) == []


def test_nesting_past_the_limit_is_flagged_at_the_first_node_too_deep() -> None:
    assert check("x = 1\n" + "-" * 99 + "1", STRICT) == [
        Violation(
            2,
            100,
            "too-complex",
            "code is nested 101 levels deep; the limit is 100: split it into smaller steps",
            2,
            101,
        )
    ]


def test_depth_counts_statements_and_expressions() -> None:
    # Assign > Call > Name: three levels.
    assert check("x = f(y)", CodePolicy(max_complexity=3)) == []
    assert found("x = f(y)", CodePolicy(max_complexity=2)) == [(1, 5, "too-complex")]


def test_one_violation_for_many_deep_places() -> None:
    code = "a = " + "-" * 99 + "1\nb = " + "-" * 120 + "1\n"
    [violation] = check(code, STRICT)
    assert (violation.line, violation.col, violation.rule) == (1, 104, "too-complex")
    assert violation.message.startswith("code is nested 122 levels deep")


def test_depth_is_reported_alongside_other_violations() -> None:
    code = "import os\n" + "1" + " + 1" * 150 + "\neval('1')"
    assert found(code) == [(1, 8, "import-not-allowed"), (2, 1, "too-complex"), (3, 1, "banned-builtin")]


def test_nesting_the_parser_gives_up_on_is_too_complex() -> None:
    message = "code is nested too deeply to parse; split it into smaller steps"
    for code in ("-" * 5_000 + "1", "1" + "+1" * 5_000, "x" + ".a" * 5_000, "-" * 100_000 + "1"):
        assert check(code, ROOMY) == [Violation(1, 1, "too-complex", message)]


def test_long_chains_the_parser_accepts_are_too_complex() -> None:
    assert found("1" + " + 1" * 1_000, ROOMY) == [(1, 1, "too-complex")]
    assert found("f" + "()" * 1_000, ROOMY) == [(1, 1, "too-complex")]
