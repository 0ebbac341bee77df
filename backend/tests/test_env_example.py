"""`.env.example`, copied to `.env` as the README says, must leave every bundled example runnable."""

from __future__ import annotations

import re

import pytest

from execbox.policy import check
from execbox.settings import Settings
from tests.support.bundled_examples import REFUSED_EXAMPLE, REPO, Example, bundled_examples

ENV_EXAMPLE = REPO / ".env.example"
EXAMPLES = bundled_examples()


@pytest.fixture
def example_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings `.env.example` alone produces (the environment, which would win, cleared)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    return Settings(_env_file=ENV_EXAMPLE)


def test_every_example_is_found() -> None:
    names = {example.name for example in EXAMPLES}
    assert {"DEFAULT_CODE", "numpy", "plot", "live", "stdin", REFUSED_EXAMPLE, "pandas_demo.py"} <= names
    assert all(example.code.strip() for example in EXAMPLES)
    assert "import time" in next(example.code for example in EXAMPLES if example.name == "live")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_each_bundled_example_passes_the_policy_of_env_example(
    example_settings: Settings, example: Example
) -> None:
    violations = check(example.code, example_settings.code_policy)
    if example.name == REFUSED_EXAMPLE:
        assert [(v.line, v.rule) for v in violations] == [(1, "import-not-allowed")]
    else:
        assert violations == []


def test_every_setting_env_example_names_exists() -> None:
    names = re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE)
    assert names
    assert sorted(set(names) - set(Settings.model_fields)) == []
