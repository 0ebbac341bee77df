"""docs/settings.md is generated from the settings class (`execbox settings-reference`): it must
say what the class says now, and nothing of the environment of the machine that generated it."""

from __future__ import annotations

from pathlib import Path

import pytest

from execbox.cli import main
from execbox.commands.settings_reference import REGENERATE, render
from execbox.settings import DEFAULT_SECRET_KEY, Settings
from tests.support.bundled_examples import REPO

SETTINGS_MD = REPO / "docs" / "settings.md"

# Real-looking secrets in the environment and in `.env`: none may reach the page.
SECRETS = {
    "SECRET_KEY": "key-0f-this-machine",
    "METRICS_TOKEN": "token-0f-this-machine",
    "POSTGRES_PASSWORD": "password-0f-this-machine",
    "DATABASE_URL": "postgresql+asyncpg://execbox:dbpassword-0f-this-machine@db:5432/execbox",
    "REDIS_URL": "redis://:redispassword-0f-this-machine@redis:6379/0",
}


def test_docs_settings_md_is_what_the_settings_class_says() -> None:
    assert SETTINGS_MD.read_text(encoding="utf-8") == render(), (
        f"docs/settings.md is stale: regenerate it, from the repository root, with `{REGENERATE}`"
    )


def test_every_setting_has_a_description() -> None:
    undescribed = [name for name, field in Settings.model_fields.items() if not field.description]
    assert undescribed == [], "give each a Field(description=...): docs/settings.md is made from them"


def test_the_command_writes_the_page(tmp_path: Path) -> None:
    page = tmp_path / "settings.md"
    assert main(["settings-reference", "--output", str(page)]) == 0
    assert page.read_text(encoding="utf-8") == render()


def test_no_secret_of_the_environment_or_env_file_reaches_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    (tmp_path / ".env").write_text(
        "".join(f"{name}={value.replace('machine', 'env-file')}\n" for name, value in SECRETS.items())
    )
    monkeypatch.chdir(tmp_path)
    assert main(["settings-reference"]) == 0
    page = capsys.readouterr().out
    assert "0f-this" not in page
    assert f"| `SECRET_KEY` | `{DEFAULT_SECRET_KEY}` |" in page
    assert "| `METRICS_TOKEN` | unset |" in page
    assert "| `POSTGRES_PASSWORD` | empty |" in page
