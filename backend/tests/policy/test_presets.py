"""The presets: `standard` (the default) allows the pure-computation standard library, while
what reaches past the process stays refused at the same positions as under `strict`."""

from __future__ import annotations

import pytest

from execbox.policy import PRESETS, CodePolicy, Violation, check
from tests.policy.conftest import STANDARD, STRICT, found

NEWLY_ALLOWED = sorted(PRESETS["standard"] - PRESETS["strict"])


def test_the_default_policy_is_the_standard_preset() -> None:
    assert CodePolicy().allowed_modules == PRESETS["standard"]
    assert PRESETS["strict"] < PRESETS["standard"]


@pytest.mark.parametrize("module", NEWLY_ALLOWED)
def test_standard_allows_what_strict_refuses(module: str) -> None:
    code = f"import {module}\nfrom {module} import *\n" if module != "sys" else f"import {module}\n"
    assert check(code, STANDARD) == []
    assert found(f"import {module}", STRICT) == [(1, 8, "import-not-allowed")]


def test_standard_allows_what_first_time_users_type() -> None:
    code = """\
import sys
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
import heapq, bisect, string, textwrap, copy, pprint, numbers, array, time
from enum import Enum
from collections.abc import Iterable

data = sys.stdin.read().split()
print(sys.argv, sys.version, sys.version_info >= (3, 11), sys.maxsize)
sys.stdout.write("ok\\n")
sys.setrecursionlimit(10_000)
if not data:
    sys.exit(1)
"""
    assert check(code, STANDARD) == []


@pytest.mark.parametrize(
    "module",
    [
        "os",
        "os.path",
        "subprocess",
        "socket",
        "urllib",
        "urllib.request",
        "pickle",
        "marshal",
        "importlib",
        "threading",
        "multiprocessing",
        "ctypes",
        "io",
        "shutil",
        "asyncio",
        "gc",
        "inspect",
        "types",
        "builtins",
    ],
)
def test_standard_still_refuses_what_reaches_past_the_process(module: str) -> None:
    for policy in (STANDARD, STRICT):
        [violation] = check(f"x = 1\nimport {module}", policy)
        assert (violation.line, violation.col, violation.end_col) == (2, 8, 8 + len(module))
        assert violation.rule == "import-not-allowed"
        assert violation.message.startswith(f"import of '{module}' is not allowed; allowed modules: ")
        [violation] = check(f"from {module} import x", policy)
        assert (violation.line, violation.col, violation.rule) == (1, 1, "import-not-allowed")


def test_standard_still_refuses_open_and_the_other_banned_builtins() -> None:
    assert found("f = open('/etc/passwd')\nexec('1')", STANDARD) == [
        (1, 5, "banned-builtin"),
        (2, 1, "banned-builtin"),
    ]


@pytest.mark.parametrize(
    "attribute",
    [
        "modules",
        "path",
        "meta_path",
        "path_hooks",
        "path_importer_cache",
        "_getframe",
        "_current_frames",
        "_current_exceptions",
        "settrace",
        "setprofile",
        "addaudithook",
    ],
)
def test_the_process_level_parts_of_sys_are_refused_at_the_attribute(attribute: str) -> None:
    code = f"import sys\nx = sys.{attribute}\n"
    assert check(code, STANDARD) == [
        Violation(
            2,
            9,
            "dunder-access",
            f"'sys.{attribute}' is not allowed: it reaches interpreter internals",
            2,
            9 + len(attribute),
        )
    ]


def test_sys_is_followed_through_its_alias_and_from_imports() -> None:
    code = "import sys as system\nos = system.modules['os']\nfrom sys import argv, _getframe as frame\n"
    assert check(code, STANDARD) == [
        Violation(
            2, 13, "dunder-access", "'sys.modules' is not allowed: it reaches interpreter internals", 2, 20
        ),
        Violation(
            3, 23, "dunder-access", "'sys._getframe' is not allowed: it reaches interpreter internals", 3, 41
        ),
    ]


def test_a_star_import_from_sys_is_refused() -> None:
    [violation] = check("from sys import *", STANDARD)
    assert (violation.line, violation.col, violation.rule) == (1, 17, "dunder-access")
    assert (
        violation.message == "'from sys import *' is not allowed: it binds blocked names; import sys instead"
    )


def test_an_attribute_of_the_same_name_elsewhere_is_the_programs_own() -> None:
    code = "import numpy as np\nclass Config:\n    modules = []\nprint(Config.modules, np.path)\n"
    assert check(code, STANDARD) == []
