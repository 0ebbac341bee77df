"""Every bundled example through a real server whose `.env` is a copy of `.env.example`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.support.api_server import ApiServer
from tests.support.bundled_examples import REFUSED_EXAMPLE, REPO, Example, bundled_examples
from tests.support.databases import MakeDatabase

# What a person would type into the live example's prompt.
TYPED = {"live": "Ada\n"}
FAILING = {"error": "runtime_error"}


@pytest.fixture(scope="module")
def env_example_server(make_database: MakeDatabase) -> Iterator[ApiServer]:
    server = ApiServer({"DATABASE_URL": make_database("sqlite")})
    shutil.copy(REPO / ".env.example", server.workdir / ".env")  # read from the directory it starts in
    try:
        yield server.start()
    finally:
        server.close()


def test_the_server_runs_the_preset_env_example_names(env_example_server: ApiServer) -> None:
    policy = env_example_server.client.get("/api/v1/runtime").json()["policy"]
    assert (policy["enabled"], policy["preset"]) == (True, "standard")


@pytest.mark.parametrize("example", bundled_examples(), ids=lambda example: example.name)
def test_each_bundled_example_runs(env_example_server: ApiServer, example: Example) -> None:
    stdin = example.stdin or TYPED.get(example.name, "")
    response = env_example_server.client.post(
        "/api/v1/code/execute", json={"code": example.code, "stdin": stdin}
    )
    if example.name == REFUSED_EXAMPLE:
        assert response.status_code == 422
        return
    body = response.json()
    assert body["status"] == FAILING.get(example.name, "success"), body
    assert body["stdout"] or body["results"]  # the table and plot examples print nothing
