"""Many requests at once through one server: each answer carries its own run's output, never
another's, and parallel submissions are each saved once, whole, under their own id."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from tests.support.api_server import ApiServer
from tests.support.owners import new_owner

EXECUTE = "/api/v1/code/execute"
SUBMIT = "/api/v1/code/submit"
SUBMISSIONS = "/api/v1/code/submissions"

T = TypeVar("T")


def in_parallel(
    server: ApiServer, call: Callable[[httpx.AsyncClient, int], Awaitable[T]], count: int
) -> list[T]:
    """`call(client, index)` for every index at once, each on a connection of its own."""

    async def run_all() -> list[T]:
        limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
        async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as client:
            return list(await asyncio.gather(*(call(client, index) for index in range(count))))

    return asyncio.run(run_all())


def _program(index: int) -> tuple[str, str, str]:
    """Code, stdin and the exact stdout of run `index`: a number only this index gives, and its
    stdin (random, so it cannot come from anywhere else) echoed back reversed."""
    token = f"run-{index}-{secrets.token_hex(8)}"
    code = (
        "import numpy as np\n"
        f"values = np.arange({index + 1})\n"
        f"print(int(values.sum()) * 1000 + {index})\n"
        "line = input()\n"
        "print(line[::-1])\n"
    )
    expected = f"{(index * (index + 1) // 2) * 1000 + index}\n{token[::-1]}\n"
    return code, token + "\n", expected


def test_fifty_parallel_runs_each_get_their_own_output(api: ApiServer) -> None:
    log_start = len(api.log_text())
    programs = [_program(index) for index in range(50)]

    async def run(client: httpx.AsyncClient, index: int) -> httpx.Response:
        code, stdin, _ = programs[index]
        return await client.post(EXECUTE, json={"code": code, "stdin": stdin})

    responses = in_parallel(api, run, 50)
    for index, response in enumerate(responses):
        assert response.status_code == 200, (index, response.text)
        body = response.json()
        assert body["status"] == "success", (index, body)
        assert body["stdout"] == programs[index][2], (index, body["stdout"])
        assert body["stderr"] == "", (index, body["stderr"])
        assert body["exit_code"] == 0
    log = api.log_text()[log_start:]
    assert "Traceback" not in log, log[-4000:]


def test_parallel_runs_with_different_endings_keep_their_own_verdicts(api: ApiServer) -> None:
    """Successes, exceptions, stderr output and exit codes interleaved: no verdict, message or
    stream crosses over to another run."""

    def program(index: int) -> tuple[str, dict[str, Any]]:
        kind = index % 4
        if kind == 0:
            return f"print('out-{index}')", {"status": "success", "stdout": f"out-{index}\n", "stderr": ""}
        if kind == 1:
            return f"raise ValueError('bad-{index}')", {"status": "runtime_error", "stdout": ""}
        if kind == 2:
            code = f"import numpy as np\nnp.array([{index}.0]) / 0\nprint('warned-{index}')"
            return code, {"status": "success", "stdout": f"warned-{index}\n"}
        return f"print('before-{index}')\nraise SystemExit({index % 100 + 1})", {
            "status": "runtime_error",
            "stdout": f"before-{index}\n",
            "exit_code": index % 100 + 1,
        }

    programs = [program(index) for index in range(32)]

    async def run(client: httpx.AsyncClient, index: int) -> httpx.Response:
        return await client.post(EXECUTE, json={"code": programs[index][0]})

    responses = in_parallel(api, run, len(programs))
    for index, response in enumerate(responses):
        assert response.status_code == 200, (index, response.text)
        body = response.json()
        for key, value in programs[index][1].items():
            assert body[key] == value, (index, key, body)
        if index % 4 == 1:
            assert body["error"]["type"] == "ValueError", (index, body)
            assert body["error"]["message"] == f"bad-{index}", (index, body)
            assert f"ValueError: bad-{index}" in body["stderr"], (index, body)
        if index % 4 == 2:
            assert "divide by zero" in body["stderr"], (index, body)
        for other in range(len(programs)):
            if other != index:
                assert f"-{other}\n" not in body["stdout"] + body["stderr"], (index, other, body)


def test_twenty_parallel_submissions_are_each_saved_whole(api: ApiServer) -> None:
    programs = [_program(index) for index in range(20)]
    owner = new_owner()

    async def submit(client: httpx.AsyncClient, index: int) -> httpx.Response:
        code, stdin, _ = programs[index]
        return await client.post(SUBMIT, json={"code": code, "stdin": stdin}, headers=owner)

    responses = in_parallel(api, submit, 20)
    ids = []
    for index, response in enumerate(responses):
        assert response.status_code == 200, (index, response.text)
        body = response.json()
        assert body["status"] == "success", (index, body)
        assert body["saved"] is True
        assert body["stdout"] == programs[index][2], (index, body["stdout"])
        ids.append(body["id"])
    assert all(isinstance(saved_id, str) and saved_id for saved_id in ids), ids
    assert len(set(ids)) == 20, ids

    async def fetch(client: httpx.AsyncClient, index: int) -> httpx.Response:
        return await client.get(f"{SUBMISSIONS}/{ids[index]}")

    for index, response in enumerate(in_parallel(api, fetch, 20)):
        assert response.status_code == 200, (index, response.text)
        saved = response.json()
        code, stdin, stdout = programs[index]
        assert saved["id"] == ids[index]
        assert (saved["code"], saved["stdin"], saved["stdout"]) == (code, stdin, stdout), index
        assert saved["status"] == "success"
        assert saved["stderr"] == ""

    listed: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    for _ in range(50):  # pages of 7: the list must be complete across page boundaries too
        params: dict[str, str | int] = {"limit": 7} if cursor is None else {"limit": 7, "cursor": cursor}
        page = api.client.get(SUBMISSIONS, params=params, headers=owner)
        assert page.status_code == 200, page.text
        for item in page.json()["items"]:
            assert item["id"] not in listed, f"{item['id']} listed twice"
            listed[item["id"]] = item
        cursor = page.json()["next_cursor"]
        if cursor is None or set(ids) <= set(listed):
            break
    assert set(ids) == set(listed), set(ids) ^ set(listed)
    for saved_id in ids:
        assert listed[saved_id]["code_preview"] == "import numpy as np"
        assert listed[saved_id]["status"] == "success"
