"""A service the suite needs but the machine lacks: a failure in CI, a skip on a laptop."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def missing(what: str, how: str) -> NoReturn:
    message = f"{what} is not installed ({how})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def program(name: str, *candidates: str, how: str) -> str:
    for candidate in (*candidates, name):
        found = shutil.which(candidate)
        if found:
            return found
    missing(name, how)
