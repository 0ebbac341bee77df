"""Many runs growing at once past the sandboxes' memory: the kernel ends some of them
(`memory_limit`), the rest succeed, and the server and a small run beside them are untouched
(issue 27). Bounded: 40 runs of 400 MiB under a 1.2 GB parent limit."""

from __future__ import annotations

import asyncio

import httpx

from tests.api.conftest import StartApi

EXECUTE = "/api/v1/code/execute"
GROWERS = 40
GROW = "import time\ndata = b'x' * (400 << 20)\ntime.sleep(1.5)\nprint(len(data) >> 20)\n"
BYSTANDER = "import time\ntime.sleep(1)\nprint('fine')\n"


def test_runs_that_grow_together_end_at_the_node_limit_and_nothing_else_does(start_api: StartApi) -> None:
    server = start_api(SANDBOX_MEMORY_TOTAL_MB="1200")

    async def storm() -> tuple[list[httpx.Response], httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            growers = [
                client.post(EXECUTE, json={"code": GROW, "limits": {"memory_mb": 512}})
                for _ in range(GROWERS)
            ]
            *grown, bystander = await asyncio.gather(*growers, client.post(EXECUTE, json={"code": BYSTANDER}))
            return grown, bystander

    grown, bystander = asyncio.run(storm())
    assert {response.status_code for response in grown} == {200}
    results = [response.json() for response in grown]
    statuses = {result["status"] for result in results}
    assert statuses == {"memory_limit", "success"}, [r["status"] for r in results]
    assert all(r["stdout"] == "400\n" for r in results if r["status"] == "success")
    assert (bystander.status_code, bystander.json()["stdout"]) == (200, "fine\n")

    assert server.client.get("/health").status_code == 200
    after = server.client.post(EXECUTE, json={"code": "print('after')"})
    assert after.json()["stdout"] == "after\n"
