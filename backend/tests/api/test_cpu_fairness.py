"""Short runs stay about as fast as alone while another client's busy loops run (issue 29): the
loops use up their CPU allowance and go to the lowest CPU weight, and a fresh run is served ahead
of them. Measured as shares of the CPU, the short run's against the loops', once every loop has been
demoted (however long a loaded machine takes to give each its allowance): a slower or busier machine
gives all of them less alike.

Bounded: five loops of 12 s per core, about 12 CPU-seconds per core in all."""

from __future__ import annotations

import os
import statistics
import threading
import time

import httpx

from tests.api.conftest import StartApi
from tests.support.loopback_clients import new_client
from tests.support.metrics import metric_sum

EXECUTE = "/api/v1/code/execute"
CORES = os.cpu_count() or 1
HOGS = 5 * CORES
# Low, so that the loops, sharing two cores ten ways, are demoted within seconds; three times the
# CPU the pandas snippet takes here (0.09 s), so that it is not demoted itself on a slower machine.
DEMOTE_AFTER_CPU_S = 0.3
DEMOTED_WITHIN_S = 8.0
HOG = {"code": "while True:\n    pass", "limits": {"wall_time_s": 12}}
PANDAS = "import pandas as pd\nprint(pd.DataFrame({'a': range(2_000_000)}).describe().loc['mean', 'a'])"
DEMOTED = "execbox_runs_demoted_total"


def _cpu_share(run: dict[str, object]) -> float:
    """The run's CPU time over its wall time: the cores it got, on average."""
    return float(str(run["cpu_ms"])) / float(str(run["wall_ms"]))


def _short_runs(client: httpx.Client) -> tuple[float, float]:
    """Seconds until `print(1)` is answered, and the pandas snippet's share of the CPU."""
    started = time.perf_counter()
    printed = client.post(EXECUTE, json={"code": "print(1)"}).json()
    print_took = time.perf_counter() - started
    described = client.post(EXECUTE, json={"code": PANDAS}).json()
    assert (printed["stdout"], described["stdout"]) == ("1\n", "999999.5\n")
    return print_took, _cpu_share(described)


def test_short_runs_get_a_core_while_busy_loops_run(start_api: StartApi) -> None:
    server = start_api(SANDBOX_LIVE_RUNS=str(HOGS + 6), SANDBOX_DEMOTE_AFTER_CPU_S=str(DEMOTE_AFTER_CPU_S))
    with new_client(server) as client:
        quiet_print = statistics.median(_short_runs(client)[0] for _ in range(3))
    hogs_ended: list[dict[str, object]] = []

    def hog() -> None:
        with new_client(server) as client:
            hogs_ended.append(client.post(EXECUTE, json=HOG).json())

    demoted_before = metric_sum(server.metrics(), DEMOTED)
    hogs = [threading.Thread(target=hog) for _ in range(HOGS)]
    for thread in hogs:
        thread.start()
    deadline = time.monotonic() + DEMOTED_WITHIN_S
    while (demoted := metric_sum(server.metrics(), DEMOTED) - demoted_before) < HOGS:
        assert time.monotonic() < deadline, f"{demoted} of {HOGS} loops demoted after {DEMOTED_WITHIN_S} s"
        time.sleep(0.1)
    timings = []
    with new_client(server) as client:
        for _ in range(2):
            timings.append(_short_runs(client))
            time.sleep(1)
    for thread in hogs:
        thread.join(30)
    hog_share = statistics.mean(_cpu_share(hog) for hog in hogs_ended)
    summary = (
        f"print(1) answered in {quiet_print:.3f} s alone; beside {HOGS} loops (each {hog_share:.2f} of a "
        "core): "
        + "; ".join(f"{took:.3f} s, the pandas snippet {share:.2f} of a core" for took, share in timings)
    )
    print(summary)
    assert [hog["status"] for hog in hogs_ended] == ["timeout"] * HOGS
    # At the normal weight beside demoted loops, a run gets a core (five loops' worth); at the
    # loops' weight it would get what each loop gets.
    for print_took, share in timings:
        assert print_took < 3 * quiet_print + 0.2 and share > 2.5 * hog_share, summary
    # The loops, and nothing else: not the short runs beside them.
    assert metric_sum(server.metrics(), DEMOTED) - demoted_before == HOGS
