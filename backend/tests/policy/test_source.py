"""Positions: Python's idea of lines, editor columns in characters."""

from __future__ import annotations

from execbox.policy.source import Source
from tests.policy.conftest import STRICT, found


def test_lines_end_where_python_ends_them() -> None:
    source = Source.of("a\r\nb\rc\nd\x0ce\u2028f")
    assert source.lines == ("a", "b", "c", "d\x0ce\u2028f")
    assert source.line_count == 4
    assert source.length == 12


def test_line_count() -> None:
    assert Source.of("").line_count == 0
    assert Source.of("x").line_count == 1
    assert Source.of("x\n").line_count == 1
    assert Source.of("x\n\n").line_count == 2


def test_position_of_an_index() -> None:
    source = Source.of("ab\r\ncd")
    assert source.position(0) == (1, 1)
    assert source.position(4) == (2, 1)
    assert source.position(6) == (2, 3)


def test_column_converts_utf8_bytes_to_characters() -> None:
    source = Source.of("x = 1\né€😀 = 2")
    assert source.column(1, 4) == 5
    assert source.column(2, 2 + 3 + 4) == 4


def test_positions_follow_crlf_and_lone_cr() -> None:
    assert found("x = 1\r\nimport os\ry = 2\rimport sys\r\n") == [
        (2, 8, "import-not-allowed"),
        (4, 8, "import-not-allowed"),
    ]


def test_tabs_count_as_one_column() -> None:
    assert found("if True:\n\timport os", STRICT) == [(2, 9, "import-not-allowed")]
