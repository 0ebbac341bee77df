"""GET /api/v1/runtime, /health and the API's documentation."""

from __future__ import annotations

from execbox.policy import PRESETS
from tests.api.conftest import StartApi
from tests.support.api_server import LIVE_RUNS, ApiServer


def test_runtime_reports_versions_policy_and_limits(api: ApiServer) -> None:
    body = api.client.get("/api/v1/runtime").json()
    assert body["python"].startswith("3.")
    assert set(body["packages"]) == {"numpy", "pandas", "scipy", "matplotlib"}
    assert body["policy"]["enabled"] is True
    assert body["policy"]["preset"] == "standard"
    assert "pandas" in body["policy"]["allowed_modules"]
    assert "os" not in body["policy"]["allowed_modules"]
    assert "eval" in body["policy"]["banned_builtins"]
    assert body["policy"]["max_code_length"] == 10_000
    assert body["default_limits"] == {
        "wall_time_s": 30.0,
        "cpu_time_s": 30.0,
        "memory_mb": 512,
        "output_bytes": 1 << 20,
        "results_bytes": 2 << 20,
    }
    assert body["max_limits"]["memory_mb"] == 2048
    assert body["rate_limit"] is None  # the shared test server runs without one
    assert body["accounts"] == {"enabled": False, "anonymous_runs": True}


def test_runtime_follows_the_operators_settings(start_api: StartApi) -> None:
    server = start_api(
        ALLOWED_MODULES="math, json",
        MEMORY_LIMIT="256",
        MEMORY_LIMIT_MAX="1024",
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT="5/minute",
        ACCOUNTS_ENABLED="true",
    )
    body = server.client.get("/api/v1/runtime").json()
    assert body["accounts"] == {"enabled": True, "anonymous_runs": True}
    assert body["policy"]["preset"] == "custom"
    assert body["policy"]["allowed_modules"] == ["json", "math"]
    assert body["default_limits"]["memory_mb"] == 256
    assert body["max_limits"]["memory_mb"] == 1024
    assert body["rate_limit"] == "5/minute"
    rejected = server.client.post("/api/v1/code/execute", json={"code": "import numpy"})
    assert rejected.json()["violations"][0]["rule"] == "import-not-allowed"


def test_the_policy_can_be_switched_off_while_the_sandbox_still_holds(start_api: StartApi) -> None:
    server = start_api(CODE_POLICY="off")
    assert server.client.get("/api/v1/runtime").json()["policy"]["enabled"] is False
    code = "import os\nprint(os.getuid() != 0, os.path.exists('/etc/shadow'))\nopen('/usr/x', 'w')"
    body = server.client.post("/api/v1/code/execute", json={"code": code}).json()
    assert body["stdout"] == "True False\n"
    assert body["status"] == "runtime_error"
    assert body["error"]["type"] in ("OSError", "PermissionError")


def test_health_reports_each_dependency(api: ApiServer) -> None:
    response = api.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "sandbox": "ready", "database": "ready", "rate_limit": "off"}


def test_openapi_documents_every_endpoint(api: ApiServer) -> None:
    schema = api.client.get("/openapi.json").json()
    assert set(schema["paths"]) >= {
        "/api/v1/code/execute",
        "/api/v1/code/submit",
        "/api/v1/code/submissions",
        "/api/v1/code/submissions/{submission_id}",
        "/api/v1/runtime",
        "/health",
    }
    execute = schema["paths"]["/api/v1/code/execute"]["post"]
    assert {"200", "413", "422", "429", "503"} <= set(execute["responses"])
    for page in ("/docs", "/redoc"):
        response = api.client.get(page)
        assert response.status_code == 200
        assert "/api-docs/" in response.text  # its vendored viewer (tests/api/test_api_docs.py)


def test_the_start_up_log_says_where_the_data_is_and_what_runs(api: ApiServer, backend: str) -> None:
    log = api.log_text()
    database = api.settings["DATABASE_URL"]
    if backend == "sqlite":
        assert (
            f"INFO:     database: SQLite file {database.removeprefix('sqlite+aiosqlite:///')}, at the newest"
            in log
        )
    else:
        assert "INFO:     database: postgresql+asyncpg://" in log
    first = int(api.settings["SANDBOX_FIRST_UID"])
    # live runs + 2 templates x 2 warm children x 2 (those being torn down)
    slots = f"{first}..{first + LIVE_RUNS + 7}"
    mode = f"root (each run its own uid, {slots})"
    assert f"INFO:     sandbox: {mode}, up to {LIVE_RUNS} runs alive at once" in log
    assert f"INFO:     execbox running on {api.url} (Ctrl+C to quit)" in log
    assert "Warning" not in log  # uvicorn's deprecation of its `websockets` protocol, once
    assert f"INFO:     code policy: preset standard, {len(PRESETS['standard'])} importable modules" in log
