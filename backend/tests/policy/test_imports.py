"""Imports: only the allowed modules and their submodules, by absolute name."""

from __future__ import annotations

import pytest

from execbox.policy import CodePolicy, Violation, check
from tests.policy.conftest import STRICT, found

ALLOWED_LIST = (
    "collections, csv, datetime, functools, itertools, json, math, matplotlib, numpy, operator, pandas, "
    "random, re, scipy, statistics, time"
)


@pytest.mark.parametrize(
    "code",
    [
        "import numpy as np",
        "import pandas as pd, numpy",
        "import scipy.stats",
        "import numpy.linalg as la",
        "from scipy import stats",
        "from scipy.stats import ttest_ind",
        "from collections.abc import Mapping",
        "from numpy import *",
        "from __future__ import annotations",
        "def f():\n    import math\n    return math.pi",
    ],
)
def test_allowed_imports_pass(code: str) -> None:
    assert check(code, STRICT) == []


def test_import_violation_names_the_module_and_the_allowed_ones() -> None:
    assert check("import os", STRICT) == [
        Violation(
            1,
            8,
            "import-not-allowed",
            f"import of 'os' is not allowed; allowed modules: {ALLOWED_LIST}",
            1,
            10,
        )
    ]


def test_each_disallowed_name_in_one_import_is_flagged_at_its_alias() -> None:
    assert found("import numpy, os, math, sys as system") == [
        (1, 15, "import-not-allowed"),
        (1, 25, "import-not-allowed"),
    ]


def test_dotted_import_is_judged_by_its_top_level_package() -> None:
    [violation] = check("import os.path", STRICT)
    assert (violation.line, violation.col, violation.end_col) == (1, 8, 15)
    assert violation.message.startswith("import of 'os.path' is not allowed")


def test_from_import_is_flagged_at_the_statement() -> None:
    [violation] = check("x = 1\nfrom os import path, sep\n", STRICT)
    assert (violation.line, violation.col, violation.end_line, violation.end_col) == (2, 1, 2, 25)
    assert violation.message.startswith("import of 'os' is not allowed")


@pytest.mark.parametrize("code", ["from . import x", "from .. import x", "from .numpy import array"])
def test_relative_imports_are_not_allowed(code: str) -> None:
    [violation] = check(code, STRICT)
    assert (violation.line, violation.col, violation.rule) == (1, 1, "import-not-allowed")
    assert violation.message == "relative imports are not allowed; import an allowed module by its full name"


def test_imports_are_found_in_any_scope() -> None:
    code = "def load():\n    try:\n        import subprocess\n    except ImportError:\n        pass\n"
    assert found(code) == [(3, 16, "import-not-allowed")]


def test_a_module_whose_name_only_starts_like_an_allowed_one_is_not_allowed() -> None:
    assert found("import numpyx\nimport mathematics") == [
        (1, 8, "import-not-allowed"),
        (2, 8, "import-not-allowed"),
    ]


def test_importlib_and_builtins_are_caught_at_their_import() -> None:
    code = "import importlib\nimportlib.import_module('os')\n"
    assert found(code) == [(1, 8, "import-not-allowed")]


def test_custom_allowed_modules() -> None:
    policy = CodePolicy(allowed_modules=frozenset({"math", "os.path"}))
    assert found("import math\nimport numpy as np\nimport os.path\nimport os", policy) == [
        (2, 8, "import-not-allowed"),
        (4, 8, "import-not-allowed"),
    ]
    [violation] = check("import numpy", policy)
    assert violation.message == "import of 'numpy' is not allowed; allowed modules: math, os.path"


def test_no_modules_allowed_says_so() -> None:
    [violation] = check("import math", CodePolicy(allowed_modules=frozenset()))
    assert violation.message == "import of 'math' is not allowed; allowed modules: none"
