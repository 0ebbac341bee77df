"""In queue mode too, a program sees neutral paths and mount tables only: the workers' engines
build the same root (issue 19). The cluster runs without the code policy: the sandbox alone."""

from __future__ import annotations

import json

from execbox.sandbox.config import default_runtime
from tests.queue.conftest import EXECUTE, Cluster
from tests.support.host_paths import PROBE, host_names_in


def test_a_queued_run_names_no_host_path_or_file_system(cluster: Cluster) -> None:
    answer = cluster.api.client.post(EXECUTE, json={"code": PROBE, "limits": {"wall_time_s": 10}}).json()
    assert answer["status"] == "success", answer
    seen = json.loads(answer["stdout"])
    assert (seen["sys.prefix"], seen["sys.base_prefix"]) == ("/opt/runtime", "/opt/python")
    assert " - overlay overlay " in "".join(seen["mount tables"])
    leaked = host_names_in(json.dumps(seen), default_runtime())
    assert leaked == set(), f"host paths or file systems visible to a queued run: {leaked}"
