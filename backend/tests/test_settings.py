"""Settings from the environment: the seed's names, limits as pairs, safe production defaults."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from execbox.policy import PRESETS
from execbox.settings import DEFAULT_SECRET_KEY, Settings


def settings(**values: object) -> Settings:
    """Settings from `values` and the environment; never from a developer's `.env`."""
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_local_defaults_need_nothing_set() -> None:
    current = settings()
    assert current.database_url.startswith("sqlite+aiosqlite:///")
    assert current.database_url.endswith("/data/execbox.db")
    assert current.limit_policy.default.wall_time_s == 30.0
    assert current.code_policy.max_chars == 10_000
    assert "input" not in current.code_policy.banned_builtins
    assert "open" not in current.code_policy.banned_builtins  # input files are read with it
    assert "eval" in current.code_policy.banned_builtins


def test_input_files_limit_stays_under_its_ceiling_and_grows_the_body_limit() -> None:
    current = settings()
    assert (current.MAX_INPUT_FILES_BYTES, current.MAX_INPUT_FILES_BYTES_MAX) == (10 << 20, 50 << 20)
    assert current.run_body_bytes >= current.MAX_REQUEST_BYTES + (10 << 20) * 4 // 3
    assert settings(MAX_INPUT_FILES_BYTES=0).run_body_bytes < current.run_body_bytes
    assert settings(MAX_INPUT_FILES=0, MAX_INPUT_FILES_BYTES=0).run_body_bytes == current.MAX_REQUEST_BYTES
    with pytest.raises(
        ValidationError, match="MAX_INPUT_FILES_BYTES=60000000 is above MAX_INPUT_FILES_BYTES_MAX"
    ):
        settings(MAX_INPUT_FILES_BYTES=60_000_000)


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY is still the default"):
        settings(ENVIRONMENT="production")
    assert settings(ENVIRONMENT="production", SECRET_KEY="x" * 40).SECRET_KEY != DEFAULT_SECRET_KEY


def test_runs_for_accounts_only_need_accounts() -> None:
    with pytest.raises(ValidationError, match="ANONYMOUS_RUNS=false needs ACCOUNTS_ENABLED=true"):
        settings(ANONYMOUS_RUNS=False)
    assert settings(ANONYMOUS_RUNS=False, ACCOUNTS_ENABLED=True).ANONYMOUS_RUNS is False


def test_a_default_above_its_maximum_is_refused() -> None:
    with pytest.raises(ValidationError, match="default memory_mb is above its maximum"):
        settings(MEMORY_LIMIT=4096, MEMORY_LIMIT_MAX=1024)


def test_postgres_variables_build_the_url() -> None:
    current = settings(POSTGRES_SERVER="db.internal", POSTGRES_PASSWORD="p@ss word", POSTGRES_DB="runs")
    assert current.database_url == "postgresql+asyncpg://postgres:p%40ss%20word@db.internal:5432/runs"
    assert settings(DATABASE_URL="sqlite+aiosqlite:///x.db", POSTGRES_SERVER="db").database_url.endswith(
        "x.db"
    )


def test_lists_come_comma_separated_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_MODULES", "math, json ,numpy")
    monkeypatch.setenv("BANNED_BUILTINS", "eval,exec")
    monkeypatch.setenv("EXECUTION_TIMEOUT", "5")
    current = settings()
    assert current.code_policy.allowed_modules == {"math", "json", "numpy"}
    assert current.code_policy.banned_builtins == {"eval", "exec"}
    assert current.limit_policy.default.wall_time_s == 5.0


def test_the_policy_preset_chooses_the_modules_and_allowed_modules_replaces_it() -> None:
    assert settings().policy_preset == "standard"
    assert settings().code_policy.allowed_modules == PRESETS["standard"]
    strict = settings(CODE_POLICY_PRESET="strict")
    assert (strict.policy_preset, strict.code_policy.allowed_modules) == ("strict", PRESETS["strict"])
    custom = settings(CODE_POLICY_PRESET="strict", ALLOWED_MODULES="math")
    assert (custom.policy_preset, custom.code_policy.allowed_modules) == ("custom", frozenset({"math"}))
    with pytest.raises(ValidationError, match="CODE_POLICY_PRESET"):
        settings(CODE_POLICY_PRESET="lenient")


def test_nonsense_is_refused_with_the_settings_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMORY_LIMIT", "lots")
    with pytest.raises(ValidationError, match="MEMORY_LIMIT"):
        settings()


@pytest.mark.parametrize("name", ["RATE_LIMIT", "USER_RATE_LIMIT", "KEY_RATE_LIMIT", "LOGIN_RATE_LIMIT"])
def test_a_rate_limit_that_does_not_parse_is_refused(name: str) -> None:
    with pytest.raises(
        ValidationError, match=rf"{name}\n.*'lots' is not a rate limit: write e\.g\. '10/minute'"
    ):
        settings(**{name: "lots"})
    assert getattr(settings(**{name: "100/hour;10/minute"}), name) == "100/hour;10/minute"


def test_each_kind_of_client_has_its_own_defaults() -> None:
    """An address, an account, an API key: programs calling the API need more than a person."""
    current = settings()
    assert (current.RATE_LIMIT, current.USER_RATE_LIMIT, current.KEY_RATE_LIMIT) == (
        "10/minute",
        "30/minute",
        "60/minute",
    )
    assert (current.CLIENT_RUNS_ALIVE, current.USER_RUNS_ALIVE, current.KEY_RUNS_ALIVE) == (2, 4, 4)
    assert settings(USER_RUNS_ALIVE=0, KEY_RUNS_ALIVE=0).KEY_RUNS_ALIVE == 0  # no share
    for name in ("USER_RUNS_ALIVE", "KEY_RUNS_ALIVE"):
        with pytest.raises(ValidationError, match=name):
            settings(**{name: -1})


def test_the_sandboxes_memory_is_three_quarters_of_the_host_unless_set() -> None:
    with open("/proc/meminfo") as meminfo:
        total_kb = int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1])
    assert settings().sandbox_config.sandboxes_memory_mb == total_kb * 3 // 4 // 1024
    assert settings(SANDBOX_MEMORY_TOTAL_MB=1234).sandbox_config.sandboxes_memory_mb == 1234
    with pytest.raises(ValidationError):
        settings(SANDBOX_MEMORY_TOTAL_MB=0)


def test_live_runs_come_from_memory_unless_set_and_never_above_their_maximum() -> None:
    from_memory = settings(SANDBOX_MEMORY_TOTAL_MB=2048, MEMORY_LIMIT=256).sandbox_config
    assert from_memory.capacity == 2048 * 16 // 256
    assert settings(SANDBOX_MEMORY_TOTAL_MB=1 << 20).sandbox_config.capacity == 1024  # the ceiling
    capped = settings(SANDBOX_MEMORY_TOTAL_MB=1 << 20, SANDBOX_LIVE_RUNS_MAX=200).sandbox_config
    assert capped.capacity == 200
    chosen = settings(SANDBOX_LIVE_RUNS=3, SANDBOX_WARM_CHILDREN=1).sandbox_config
    assert (chosen.capacity, chosen.warm_children, chosen.slots) == (3, 1, 3 + 2 * 1 * 2)
    with pytest.raises(ValidationError, match="SANDBOX_LIVE_RUNS=300 is above SANDBOX_LIVE_RUNS_MAX=200"):
        settings(SANDBOX_LIVE_RUNS=300, SANDBOX_LIVE_RUNS_MAX=200)
    for wrong in ({"SANDBOX_LIVE_RUNS": 0}, {"SANDBOX_LIVE_RUNS_MAX": 2000}, {"SANDBOX_WARM_CHILDREN": 0}):
        with pytest.raises(ValidationError):
            settings(**wrong)
