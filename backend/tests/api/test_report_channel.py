"""Programs that forge their report, through a real server (local mode, code policy off): every
answer is a clean verdict, every submission ends, and the server stays responsive."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.report_forgeries import (
    DEEP_NESTING,
    FORGED_SUCCESS_THEN_SEGFAULT,
    HUGE_NUMBERS,
    flood,
    in_template,
    largest_result,
)
from tests.support.submissions import final_submission

EXECUTE = "/api/v1/code/execute"
SUBMIT = "/api/v1/code/submit"
SUBMISSIONS = "/api/v1/code/submissions"
TEMPLATES = pytest.mark.parametrize("scientific", [False, True], ids=["plain", "scientific"])


@pytest.fixture(scope="module")
def server(backend: str, make_database: MakeDatabase) -> Iterator[ApiServer]:
    api = ApiServer({"DATABASE_URL": make_database(backend), "CODE_POLICY": "off"}).start()
    yield api
    api.close()


@TEMPLATES
@pytest.mark.parametrize("code", [HUGE_NUMBERS, DEEP_NESTING], ids=["huge-numbers", "deep-nesting"])
def test_a_forged_report_is_an_internal_error_everywhere(
    server: ApiServer, code: str, scientific: bool
) -> None:
    program = {"code": in_template(code, scientific)}
    for path in (EXECUTE, SUBMIT):
        answer = server.client.post(path, json=program)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["status"], body["exit_code"]) == ("internal_error", None), body
        assert "report pipe" in body["stderr"]
    accepted = server.client.post(SUBMISSIONS, json=program)
    assert accepted.status_code == 202, accepted.text
    final = final_submission(server.client, accepted.json()["id"])
    assert final["status"] == "internal_error", final
    assert "report pipe" in final["stderr"]
    assert "Traceback" not in server.log_text()


@TEMPLATES
def test_a_forged_success_then_a_crash_is_the_crash(server: ApiServer, scientific: bool) -> None:
    program = {"code": in_template(FORGED_SUCCESS_THEN_SEGFAULT, scientific)}
    body = server.client.post(EXECUTE, json=program).json()
    assert (body["status"], body["signal"], body["exit_code"]) == ("runtime_error", "SIGSEGV", None)
    saved = server.client.post(SUBMIT, json=program).json()
    assert (saved["status"], saved["saved"]) == ("runtime_error", False)
    accepted = server.client.post(SUBMISSIONS, json=program).json()
    final = final_submission(server.client, accepted["id"])
    assert (final["status"], final["signal"]) == ("runtime_error", "SIGSEGV")


# Four runs as busy as the floods, writing nothing to their report pipes: the baseline.
BUSY_SECOND = "import time\ndeadline = time.monotonic() + 1\nwhile time.monotonic() < deadline:\n    pass\n"


def _health_while_running(
    server: ApiServer, programs: list[str], seconds: float
) -> tuple[list[float], list[str]]:
    """The milliseconds of each /health asked every 50 ms for `seconds`, while one client per
    program runs it over and over; and the runs' statuses."""
    stop = threading.Event()
    verdicts: list[str] = []

    def runner(code: str) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while not stop.is_set():
                answer = client.post(EXECUTE, json={"code": code})
                assert answer.status_code == 200, answer.text
                verdicts.append(answer.json()["status"])

    threads = [threading.Thread(target=runner, args=(code,)) for code in programs]
    for thread in threads:
        thread.start()
    latencies = []
    with httpx.Client(base_url=server.url, timeout=10) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            assert client.get("/health").status_code == 200
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(30)
    return latencies, verdicts


def _spread(latencies: list[float]) -> tuple[float, float, float]:
    deciles = statistics.quantiles(latencies, n=10)
    return deciles[4], deciles[8], max(latencies)


def test_health_stays_fast_while_four_runs_flood_their_report_pipes(server: ApiServer) -> None:
    """Four clients keep flooding for ~6 s (garbage, deep JSON, maximum-size frames, results as
    large as the budget) while /health is asked every 50 ms; measured against four clients
    whose runs are as busy for as long but write no frames, timed just before on this machine."""
    quiet, quiet_verdicts = _health_while_running(
        server, [in_template(BUSY_SECOND, scientific) for scientific in (False, True, False, True)], 6
    )
    floods = [in_template(flood(1.0), scientific) for scientific in (False, True)]
    latencies, verdicts = _health_while_running(server, [*floods, largest_result(), largest_result()], 6)
    # A loop held up by the floods (parsing frames on it, say) shows in most answers, hundreds of
    # milliseconds each; a slower or busier machine shows in the baseline too. The absolute floors
    # keep a fast machine's tiny baseline from making the bound stricter than it means to be.
    base_median, base_p90, base_slowest = _spread(quiet)
    median, p90, slowest = _spread(latencies)
    summary = (
        f"/health median {median:.1f} ms, p90 {p90:.1f}, max {slowest:.1f} over {len(latencies)}; "
        f"without frames {base_median:.1f}, {base_p90:.1f}, {base_slowest:.1f} over {len(quiet)}"
    )
    print(summary)
    assert set(quiet_verdicts) == {"success"}
    assert median <= max(50, 3 * base_median), summary
    assert p90 <= max(150, 3 * base_p90), summary
    assert slowest <= max(1000, 3 * base_slowest), summary
    assert {"internal_error", "success"} <= set(verdicts) <= {"internal_error", "output_limit", "success"}
