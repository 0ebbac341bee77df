"""Programs run in children of the plain template unless they name a scientific package."""

from __future__ import annotations

import time
from pathlib import Path

from execbox.sandbox.result import RunResult, RunStatus
from execbox.sandbox.template_choice import TemplateKind
from tests.sandbox.conftest import SandboxHarness

# Counts the modules already imported when the program starts, without naming any package.
LOADED = (
    "import sys\n"
    "print(len(sys.modules), 'nu' + 'mpy' in sys.modules, 'matplot' + 'lib.pyplot' in sys.modules)"
)


def _loaded(result: RunResult) -> list[str]:
    assert result.status is RunStatus.SUCCESS, result
    return result.stdout.text.split()


def test_the_scientific_template_serves_programs_that_name_its_packages(sandbox: SandboxHarness) -> None:
    assert sandbox.engine.template_for("import pandas as pd") is TemplateKind.SCIENTIFIC
    count, numpy_loaded, pyplot_loaded = _loaded(sandbox.run(LOADED + "  # pandas"))
    assert (numpy_loaded, pyplot_loaded) == ("True", "True")
    assert int(count) > 1000


def test_the_plain_template_serves_other_programs(sandbox: SandboxHarness) -> None:
    assert sandbox.engine.template_for(LOADED) is TemplateKind.PLAIN
    count, numpy_loaded, pyplot_loaded = _loaded(sandbox.run(LOADED))
    assert (numpy_loaded, pyplot_loaded) == ("False", "False")
    assert int(count) < 300


def test_the_templates_split_on_the_packages_only_the_scientific_one_has(sandbox: SandboxHarness) -> None:
    for package in ("numpy", "pandas", "scipy", "matplotlib", "PIL", "dateutil"):
        assert sandbox.engine.template_for(f"import {package}") is TemplateKind.SCIENTIFIC, package
    # The standard library and the engine's own guest code are in both.
    for module in ("json", "statistics", "collections", "execbox", "decimal"):
        assert sandbox.engine.template_for(f"import {module}") is TemplateKind.PLAIN, module


def test_a_plain_child_imports_a_package_spelled_at_run_time(sandbox: SandboxHarness) -> None:
    code = "pd = __import__('pan' + 'das')\nprint(pd.Series([1, 2, 3]).sum())"
    assert sandbox.engine.template_for(code) is TemplateKind.PLAIN
    result = sandbox.run(code, wall_time_s=20)
    assert result.status is RunStatus.SUCCESS, result
    assert result.stdout.text == "6\n"


def _owner(pid: int) -> int | None:
    try:
        return Path(f"/proc/{pid}").stat().st_uid
    except FileNotFoundError:  # a used child may still be leaving
        return None


def test_idle_children_of_both_templates_wait_in_their_own_slots(sandbox: SandboxHarness) -> None:
    config = sandbox.engine.config
    assert config.templates == (TemplateKind.PLAIN, TemplateKind.SCIENTIFIC)
    slot_uids = set(range(config.first_uid, config.first_uid + config.slots))
    warm = config.warm_children * len(config.templates)
    deadline = time.monotonic() + 10
    while True:  # children replacing earlier tests' may still be setting up (as root)
        owners = [_owner(pid) for pid in sandbox.engine.sandbox_pids()]
        uids = [uid for uid in owners if uid is not None]
        if (len(owners), len(set(uids))) == (warm, warm) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    # One process per idle child, each under a slot uid of its own.
    assert len(owners) == warm
    assert len(set(uids)) == warm
    assert set(uids) <= slot_uids
