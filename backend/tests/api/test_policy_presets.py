"""The policy presets through a real server: the default runs ordinary Python, strict does not."""

from __future__ import annotations

import pytest

from execbox.policy import PRESETS
from tests.api.conftest import StartApi
from tests.support.api_server import ApiServer

EXECUTE = "/api/v1/code/execute"


@pytest.mark.parametrize("module", sorted(PRESETS["standard"] - PRESETS["strict"]))
def test_each_module_the_standard_preset_adds_runs(api: ApiServer, module: str) -> None:
    body = api.client.post(EXECUTE, json={"code": f"import {module}\nprint({module}.__name__)"}).json()
    assert (body["status"], body["stdout"], body["stderr"]) == ("success", f"{module}\n", "")


def test_sys_reads_stdin_and_reports_its_exit_code(api: ApiServer) -> None:
    code = (
        "import sys\n"
        "words = sys.stdin.read().split()\n"
        "print(len(words), sys.argv, sys.version_info >= (3, 11))\n"
        "sys.exit(3)\n"
    )
    body = api.client.post(EXECUTE, json={"code": code, "stdin": "a b c\n"}).json()
    assert body["stdout"] == "3 ['main.py'] True\n"
    assert (body["status"], body["exit_code"]) == ("runtime_error", 3)


@pytest.mark.parametrize(
    ("code", "rule", "col"),
    [
        ("import os", "import-not-allowed", 8),
        ("import subprocess", "import-not-allowed", 8),
        ("import socket", "import-not-allowed", 8),
        ("from urllib import request", "import-not-allowed", 1),
        ("import pickle", "import-not-allowed", 8),
        ("import marshal", "import-not-allowed", 8),
        ("import importlib", "import-not-allowed", 8),
        ("import threading", "import-not-allowed", 8),
        ("import multiprocessing", "import-not-allowed", 8),
        ("import ctypes", "import-not-allowed", 8),
        ("import io", "import-not-allowed", 8),
        ("eval('1')", "banned-builtin", 1),
        ("import sys\nsys.modules['os']", "dunder-access", 5),
        ("import sys\nsys._getframe()", "dunder-access", 5),
        ("import sys\nsys.settrace(print)", "dunder-access", 5),
        ("import sys\nsys.addaudithook(print)", "dunder-access", 5),
    ],
)
def test_the_standard_preset_still_refuses_each_blocked_group(
    api: ApiServer, code: str, rule: str, col: int
) -> None:
    response = api.client.post(EXECUTE, json={"code": code})
    assert response.status_code == 422
    [violation] = response.json()["violations"]
    assert (violation["rule"], violation["line"], violation["col"]) == (rule, code.count("\n") + 1, col)


def test_the_strict_preset_refuses_ordinary_python(start_api: StartApi) -> None:
    server = start_api(CODE_POLICY_PRESET="strict")
    policy = server.client.get("/api/v1/runtime").json()["policy"]
    assert policy["preset"] == "strict"
    assert policy["allowed_modules"] == sorted(PRESETS["strict"])
    response = server.client.post(EXECUTE, json={"code": "import numpy\nimport sys, typing\n"})
    assert response.status_code == 422
    found = [(v["rule"], v["line"], v["col"]) for v in response.json()["violations"]]
    assert found == [("import-not-allowed", 2, 8), ("import-not-allowed", 2, 13)]
