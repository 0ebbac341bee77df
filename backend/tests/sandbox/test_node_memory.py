"""All sandboxes share one parent cgroup with a memory limit: when many runs grow at once, the
kernel kills runs (reported memory_limit), never the service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import Job, SandboxHarness
from tests.support.processes import uid_range

_GROW = "import time\ndata = b'x' * (400 << 20)\ntime.sleep(1.5)\nprint(len(data) >> 20)\n"


@pytest.fixture(scope="module")
def small_node() -> Iterator[SandboxHarness]:
    with uid_range() as first_uid:
        yield from _small_node(first_uid)


def _small_node(first_uid: int) -> Iterator[SandboxHarness]:
    config = SandboxConfig(live_runs=4, warm_children=1, sandboxes_memory_mb=1000, first_uid=first_uid)
    harness = SandboxHarness(config)
    yield harness
    harness.close()


def test_runs_that_grow_together_past_the_node_limit_are_killed_not_the_service(
    small_node: SandboxHarness,
) -> None:
    results = small_node.run_concurrently([Job(_GROW, limits=LimitRequest(memory_mb=512))] * 4)
    statuses = sorted(result.status.value for result in results)
    assert RunStatus.MEMORY_LIMIT.value in statuses, results
    assert RunStatus.SUCCESS.value in statuses, results
    assert set(statuses) <= {RunStatus.MEMORY_LIMIT.value, RunStatus.SUCCESS.value}, results
    for result in results:
        if result.status is RunStatus.SUCCESS:
            assert result.stdout.text == "400\n"
    small_node.assert_healthy()
