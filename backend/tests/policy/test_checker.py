"""The whole check: realistic programs pass, syntax errors, ordering, and inputs that must not crash it."""

from __future__ import annotations

import random

import pytest

from execbox.policy import CodePolicy, Rule, Violation, check
from tests.policy.conftest import STRICT, found

ANALYSIS = '''\
"""Compare two groups of measurements and fit a trend."""
import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import curve_fit

rng = np.random.default_rng(42)
days = [date(2024, 1, 1) + timedelta(days=i) for i in range(60)]
frame = pd.DataFrame(
    {
        "day": days,
        "group": rng.choice(["control", "treatment"], size=60),
        "value": rng.normal(10.0, 2.0, size=60),
    }
)
frame["week"] = pd.to_datetime(frame["day"]).dt.isocalendar().week
frame = frame.eval("scaled = value / value.max()")
summary = frame.groupby("group")["value"].agg(["mean", "std", "count"]).round(3)
print(summary.to_string())

control = frame.loc[frame["group"] == "control", "value"]
treatment = frame.loc[frame["group"] == "treatment", "value"]
result = stats.ttest_ind(control, treatment, equal_var=False)
print(f"t = {result.statistic:.3f}, p = {result.pvalue:.3f}")


def linear(x: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    return slope * x + intercept


params, _ = curve_fit(linear, np.arange(60), frame["value"].to_numpy())
weekly = defaultdict(list)
for week, value in zip(frame["week"], frame["value"]):
    weekly[int(week)].append(value)
pattern = re.compile(r"^(?P<name>\\w+)$")
labels = Counter(m["name"] for m in map(pattern.match, frame["group"]) if m)
print(json.dumps({"slope": float(params[0]), "labels": dict(labels), "weeks": len(weekly)}))
'''

MODERN = """\
import asyncio
import functools


def logged(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


@logged
def describe(shape):
    match shape:
        case {"kind": "circle", "r": r}:
            return f"circle {r = :.1f} {'!' if r > 1 else ''}"
        case [x, y, *rest]:
            return f"{x},{y} and {len(rest)} more"
        case str() as name if (size := len(name)) > 3:
            return f"long name of {size}"
        case _:
            return "unknown"


async def gather():
    squares = {n: n * n for n in range(5) if n % 2}
    values = [await asyncio.sleep(0, v) async for v in numbers()]
    return sorted([*values, *squares], key=lambda v: -v)


async def numbers():
    for n in range(3):
        yield n

print(describe({"kind": "circle", "r": 2.0}), describe([1, 2, 3]), describe("hexagon"))
λ = 0.5
print(λ, asyncio.run(gather()))
"""


def test_a_realistic_analysis_passes() -> None:
    assert check(ANALYSIS, STRICT) == []


def test_modern_syntax_passes_when_its_modules_are_allowed() -> None:
    policy = CodePolicy(allowed_modules=STRICT.allowed_modules | {"asyncio"})
    assert check(MODERN, policy) == []


def test_the_project_example_passes() -> None:
    example = (
        "import numpy as np\nimport pandas as pd\nfrom scipy import stats\n\n"
        "rng = np.random.default_rng(7)\n"
        'frame = pd.DataFrame({"group": list("ababab"), "value": rng.normal(size=6)})\n'
        'print(frame.groupby("group")["value"].agg(["mean", "std"]))\n'
    )
    assert check(example, STRICT) == []


def test_a_syntax_error_carries_the_parsers_position_and_message() -> None:
    assert check("import os\ndef f(:\n    pass\n", STRICT) == [
        Violation(2, 7, "syntax-error", "SyntaxError: invalid syntax (line 2)", 2, 8)
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("if x\n    pass\n", Violation(1, 5, "syntax-error", "SyntaxError: expected ':' (line 1)")),
        ("x = (1,\ny = 2\n", Violation(1, 5, "syntax-error", "SyntaxError: '(' was never closed (line 1)")),
        ("x = 'ä' $", Violation(1, 9, "syntax-error", "SyntaxError: invalid syntax (line 1)", 1, 10)),
        ("  x = 1\n", Violation(1, 2, "syntax-error", "IndentationError: unexpected indent (line 1)")),
        (
            "def f():\nreturn 1\n",
            Violation(
                2,
                1,
                "syntax-error",
                "IndentationError: expected an indented block after function definition on line 1 (line 2)",
                2,
                7,
            ),
        ),
        (
            "if x:\n\tpass\n        pass\n",
            Violation(
                3, 1, "syntax-error", "TabError: inconsistent use of tabs and spaces in indentation (line 3)"
            ),
        ),
        (
            "\ufeffx = 1",
            Violation(1, 1, "syntax-error", "SyntaxError: invalid non-printable character U+FEFF (line 1)"),
        ),
    ],
)
def test_syntax_errors(code: str, expected: Violation) -> None:
    assert check(code, STRICT) == [expected]


def test_a_null_byte_is_reported_where_it_is() -> None:
    assert check("x = 1\ny = 'a\x00b'\n", STRICT) == [
        Violation(2, 7, "null-byte", "code contains a null byte (\\x00); remove it", 2, 8)
    ]
    [violation] = check("\x00\n\x00\x00", STRICT)
    assert (violation.line, violation.col, violation.rule) == (1, 1, "null-byte")
    assert violation.message == "code contains 3 null bytes (\\x00), the first one here; remove them"


def test_a_lone_surrogate_is_a_syntax_error_where_it_is() -> None:
    assert check("x = 1\ny = '\ud800'\n", STRICT) == [
        Violation(2, 6, "syntax-error", "SyntaxError: invalid character U+D800 (line 2)", 2, 7)
    ]


def test_violations_are_sorted_by_position_across_checks() -> None:
    code = "x = eval('1').__class__\nimport os\n" + "-" * 120 + "1\nfrom . import y\n"
    assert found(code) == [
        (1, 5, "banned-builtin"),
        (1, 15, "dunder-access"),
        (2, 8, "import-not-allowed"),
        (3, 100, "too-complex"),
        (4, 1, "import-not-allowed"),
    ]


def test_repeated_forms_are_each_reported() -> None:
    assert found("eval(eval)\nimport os, os") == [
        (1, 1, "banned-builtin"),
        (1, 6, "banned-builtin"),
        (2, 8, "import-not-allowed"),
        (2, 12, "import-not-allowed"),
    ]


def test_rules_are_the_documented_ids() -> None:
    assert {rule.value for rule in Rule} == {
        "syntax-error", "code-too-long", "too-many-lines", "too-complex",
        "import-not-allowed", "banned-builtin", "dunder-access", "null-byte",
    }  # fmt: skip


ROOMY = CodePolicy(max_chars=10_000_000, max_lines=1_000_000)

NASTY = [
    "",
    "# only a comment\n# and another",
    "\n\n\n",
    "\x00",
    "\ud800",
    "x = '\udfff\ud800'",
    "(" * 10_000 + ")" * 10_000,
    "(" * 200_000,
    "[" * 50_000,
    "x = '" + "a" * 2_000_000 + "'",
    "x = 1" + "0" * 5_000,
    "if True:\r\n\tx = 1\r\n",
    "\ufeffimport os",
    "\r",
    "\x0c\x0b\u2028\u2029\x85",
    "x = 1\\",
    "s = '''unterminated",
    "f'{f'{f'{1}'}'}'",
    "f'{x!r:{y:{z}}}'",
    "𝔭𝔯𝔦𝔫𝔱(1)",
    "@" * 1_000,
    "lambda: " * 3_000 + "0",
    "not " * 20_000 + "x",
    "a if b else " * 5_000 + "a",
    "def f(" + ", ".join(f"a{i}" for i in range(5_000)) + "): pass",
    "".join(" " * i + "if x:\n" for i in range(150)) + " " * 150 + "pass\n",
    "match x:\n    case " + "[" * 150 + "]" * 150 + ":\n        pass\n",
    "\t" * 1_000,
    "x = \\\n" * 1_000 + "1",
]


@pytest.mark.parametrize("code", NASTY, ids=range(len(NASTY)))
@pytest.mark.parametrize("policy", [STRICT, ROOMY], ids=["default", "roomy"])
def test_nasty_input_never_raises(code: str, policy: CodePolicy) -> None:
    violations = check(code, policy)
    assert all(violation.line >= 1 and violation.col >= 1 for violation in violations)
    assert {violation.rule for violation in violations} <= set(Rule)


def test_random_input_never_raises() -> None:
    pieces = [
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ":",
        "'",
        '"',
        "f'",
        "\\",
        "\n",
        "\r",
        "\t",
        " ",
        "\x00",
        "\ud800",
    ]
    pieces += [
        "é",
        "😀",
        "import ",
        "os",
        "eval",
        ".__class__",
        "lambda",
        "def ",
        "match ",
        "case ",
        "=",
        ":=",
    ]
    generator = random.Random(1234)  # noqa: S311 - a reproducible fuzz, not a secret
    for _ in range(500):
        code = "".join(generator.choices(pieces, k=generator.randrange(60)))
        for violation in check(code, STRICT):
            assert violation.line >= 1 and violation.col >= 1, (code, violation)
