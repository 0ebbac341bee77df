"""SIGTERM to the API in local mode: runs in progress finish and are answered, nothing that was
waiting starts (it ends saying why), new connections are refused, and the process exits."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.api.conftest import StartApi
from tests.support.stream_client import StreamClient
from tests.support.submissions import final_submission

EXECUTE = "/api/v1/code/execute"
SUBMISSIONS = "/api/v1/code/submissions"
SLEEP_S = 3


def test_sigterm_finishes_runs_in_progress_and_starts_none_that_waited(start_api: StartApi) -> None:
    server = start_api(SANDBOX_LIVE_RUNS="1")
    assert server.process is not None
    sleeper = {"code": f"import time\ntime.sleep({SLEEP_S})\nprint('finished')"}
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(server.client.post, EXECUTE, json=sleeper)
        while server.metrics()["execbox_runs_in_progress"] < 1:
            time.sleep(0.05)
        time.sleep(0.5)  # started in the only live run
        waiting = server.client.post(SUBMISSIONS, json={"code": "print('never')"})
        assert waiting.status_code == 202, waiting.text

        server.process.send_signal(signal.SIGTERM)
        terminated = time.monotonic()
        time.sleep(0.5)
        try:
            late = httpx.post(f"{server.url}{EXECUTE}", json={"code": "print('late')"}, timeout=5)
        except httpx.ConnectError:
            pass  # no longer listening: a balancer sends it to another node
        else:
            raise AssertionError(f"a run asked for after SIGTERM got {late.status_code}: {late.text}")

        answered = running.result(timeout=SLEEP_S + 10)
    assert (answered.status_code, answered.json()["stdout"]) == (200, "finished\n")
    code = server.process.wait(20)
    took = time.monotonic() - terminated
    # After its graceful shutdown uvicorn raises the signal again: the process ends by SIGTERM.
    assert code == -signal.SIGTERM, server.log_text()[-3000:]
    assert "Application shutdown complete." in server.log_text()
    assert took < SLEEP_S + 5, f"the server took {took:.1f} s to exit"

    server.start()  # the same database: what became of the waiting submission
    never = final_submission(server.client, waiting.json()["id"])
    assert never["status"] == "internal_error", never
    assert never["stdout"] == "" and "the server is shutting down" in never["stderr"], never


def test_sigterm_lets_a_live_run_in_progress_finish_and_refuses_a_new_one(start_api: StartApi) -> None:
    server = start_api()
    assert server.process is not None
    with StreamClient(server.url) as streams:
        live = streams.start(code="print('ready', flush=True)\nprint('got', input())")
        assert live.until("output")["data"] == "ready\n"
        idle = streams.connect()  # open, its run not yet asked for

        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        idle.send({"type": "run", "code": "print('too late')"})
        refused = idle.finish(timeout=5)
        assert (refused["type"], refused["status"]) == ("error", 503), refused
        assert "shutting down" in refused["detail"]

        live.send({"type": "stdin", "data": "the last line\n"})
        assert live.finish(timeout=10)["stdout"] == "ready\ngot the last line\n"
        assert live.close_code() == 1000
    assert server.process.wait(20) == -signal.SIGTERM
