"""Banned builtins: any use of the name, unless the program binds that name itself."""

from __future__ import annotations

import pytest

from execbox.policy import CodePolicy, Violation, check
from tests.policy.conftest import STRICT, found


def test_a_call_is_flagged_at_the_name() -> None:
    assert check("x = 1\nresult = eval('1 + 1')\n", STRICT) == [
        Violation(2, 10, "banned-builtin", "'eval' is not allowed here: it is a blocked built-in", 2, 14)
    ]


def test_a_reference_is_flagged_too() -> None:
    assert found("run = exec\nopeners = [open, input]") == [
        (1, 7, "banned-builtin"),
        (2, 12, "banned-builtin"),
        (2, 18, "banned-builtin"),
    ]


@pytest.mark.parametrize("name", sorted(STRICT.banned_builtins))
def test_every_default_banned_builtin(name: str) -> None:
    assert found(f"print({name})") == [(1, 7, "banned-builtin")]


def test_dunder_import_is_a_banned_builtin_not_a_dunder_access() -> None:
    assert found("os = __import__('os')") == [(1, 6, "banned-builtin")]


@pytest.mark.parametrize(
    "code",
    [
        "import re\npattern = re.compile(r'\\d+')",
        "import pandas as pd\ndf = pd.DataFrame({'a': [1]})\ndf.eval('b = a * 2')\npd.eval('1 + 1')",
        "import numpy as np\nnp.compile = None",
        "def f(**kwargs):\n    return kwargs\nf(eval=1, open=2)",
        "text = 'eval(open(x))'",
    ],
)
def test_attributes_keywords_and_strings_are_not_builtins(code: str) -> None:
    assert check(code, STRICT) == []


@pytest.mark.parametrize(
    "code",
    [
        "def compile(rows):\n    return list(rows)\ncompile([1])",
        "def f(input):\n    return input * 2",
        "vars = {'a': 1}\nprint(vars['a'])",
        "squares = [open * open for open in range(3)]",
        "for help in range(3):\n    print(help)",
        "from math import floor as exit\nexit(1.5)",
        "try:\n    pass\nexcept ValueError as quit:\n    print(quit)",
        "if (locals := 3) > 2:\n    print(locals)",
        "f = lambda eval: eval + 1",
        "match 1:\n    case exec:\n        print(exec)",
        "class compile:\n    pass\ncompile()",
    ],
)
def test_a_name_the_program_binds_is_its_own(code: str) -> None:
    assert check(code, STRICT) == []


def test_del_does_not_count_as_binding() -> None:
    assert found("del eval\neval('1')") == [(2, 1, "banned-builtin")]


def test_names_in_fstrings_lambdas_and_comprehensions_are_found() -> None:
    code = "a = f'{eval(\"1\")!r:>{10}}'\nb = lambda: open('x')\nc = [getattr(x, 'y') for x in range(3)]\n"
    assert found(code) == [(1, 8, "banned-builtin"), (2, 13, "banned-builtin"), (3, 6, "banned-builtin")]


def test_nfkc_spelled_names_are_still_found() -> None:
    # Python normalises identifiers, so the fullwidth spelling calls the real eval.
    assert found("ｅval('1')") == [(1, 1, "banned-builtin")]


def test_custom_banned_builtins() -> None:
    assert check("eval('1')", CodePolicy(banned_builtins=frozenset())) == []
    assert found("print(1)\nlen([])", CodePolicy(banned_builtins=frozenset({"print"}))) == [
        (1, 1, "banned-builtin")
    ]


def test_a_blocked_open_says_how_to_read_input_files() -> None:
    [violation] = check("f = open('data.csv')", STRICT)
    assert violation.message == (
        "'open' is not allowed here: it is a blocked built-in on this server; read the run's input files "
        "with pandas (pd.read_csv('data.csv')) or numpy (np.loadtxt('data.csv'))"
    )
