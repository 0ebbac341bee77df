"""POST /api/v1/code/execute through a real server and sandbox."""

from __future__ import annotations

import base64

from tests.support.api_server import ApiServer

EXECUTE = "/api/v1/code/execute"


def test_success_reports_output_and_measurements(api: ApiServer) -> None:
    response = api.client.post(EXECUTE, json={"code": "import numpy as np\nprint(np.arange(5).sum())"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert body["stdout"] == "10\n"
    assert body["stderr"] == ""
    assert body["exit_code"] == 0
    assert body["signal"] is None
    assert body["error"] is None
    assert body["truncated"] == {"stdout": False, "stderr": False}
    assert body["wall_ms"] > 0
    assert body["cpu_ms"] > 0
    assert body["memory_kb"] > 0


def test_a_plot_and_a_final_value_come_back_as_results(api: ApiServer) -> None:
    code = "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()\n{'answer': 42}\n"
    body = api.client.post(EXECUTE, json={"code": code}).json()
    assert body["status"] == "success", body["stderr"]
    assert body["stderr"] == ""
    png, value = body["results"]
    assert png["mime"] == "image/png"
    assert base64.b64decode(png["data"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert value == {"mime": "text/plain", "data": "{'answer': 42}"}


def test_results_over_the_requested_limit_become_a_note(api: ApiServer) -> None:
    code = "display('x' * 5000)\n"
    body = api.client.post(EXECUTE, json={"code": code, "limits": {"results_bytes": 1000}}).json()
    assert body["status"] == "success"
    [note] = body["results"]
    assert note["mime"] == "text/plain"
    assert "limit" in note["data"] and len(note["data"]) < 1000


def test_stdin_reaches_the_program(api: ApiServer) -> None:
    code = "print(input()[::-1])\nprint(int(input()) * 2)"
    body = api.client.post(EXECUTE, json={"code": code, "stdin": "olleh\n21\n"}).json()
    assert body["stdout"] == "hello\n42\n"


def test_runtime_error_names_the_users_line_and_hides_host_paths(api: ApiServer) -> None:
    code = "import pandas as pd\n\nframe = pd.DataFrame({'a': [1]})\nframe.loc['missing']\n"
    body = api.client.post(EXECUTE, json={"code": code}).json()
    assert body["status"] == "runtime_error"
    assert body["exit_code"] == 1
    assert body["error"] == {"type": "KeyError", "message": "'missing'", "line": 4}
    assert 'File "<main.py>", line 4' in body["stderr"]
    runtime = api.client.get("/api/v1/runtime").json()
    assert runtime["python"]
    assert "/site-packages/" not in body["stderr"]


def test_library_warnings_show_no_host_paths(api: ApiServer) -> None:
    code = "import numpy as np\nnp.array([1.0]) / 0\n"
    body = api.client.post(EXECUTE, json={"code": code}).json()
    assert body["status"] == "success"
    assert "RuntimeWarning: divide by zero" in body["stderr"]
    assert "<main.py>" in body["stderr"]
    assert ".runtime" not in body["stderr"]


def test_a_request_may_lower_limits(api: ApiServer) -> None:
    body = api.client.post(
        EXECUTE, json={"code": "while True:\n    pass", "limits": {"wall_time_s": 0.5, "cpu_time_s": 0.5}}
    ).json()
    assert body["status"] == "timeout"
    assert body["wall_ms"] < 5000


def test_a_request_may_not_raise_limits(api: ApiServer) -> None:
    response = api.client.post(EXECUTE, json={"code": "print(1)", "limits": {"memory_mb": 999_999}})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "memory_mb may be at most 2048, got 999999",
        "errors": [
            {"field": "body.limits.memory_mb", "message": "memory_mb may be at most 2048, got 999999"}
        ],
    }


def test_a_limit_below_zero_names_the_field_and_the_bound(api: ApiServer) -> None:
    response = api.client.post(EXECUTE, json={"code": "print(1)", "limits": {"wall_time_s": -1}})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.limits.wall_time_s", "message": "wall_time_s must be greater than 0, got -1."}
    ]


def test_output_beyond_the_limit_is_cut_and_flagged(api: ApiServer) -> None:
    body = api.client.post(
        EXECUTE, json={"code": "print('x' * 100_000)", "limits": {"output_bytes": 1000}}
    ).json()
    assert body["status"] == "output_limit"
    assert body["truncated"]["stdout"] is True
    assert len(body["stdout"]) <= 1000


def test_policy_violations_come_with_positions(api: ApiServer) -> None:
    response = api.client.post(EXECUTE, json={"code": "import numpy\nimport os\nx = eval('1')\n"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("The code was not run: it breaks the code policy (2 problems)")
    found = [(v["rule"], v["line"], v["col"]) for v in body["violations"]]
    assert found == [("import-not-allowed", 2, 8), ("banned-builtin", 3, 5)]
    assert all(v["message"] for v in body["violations"])


def test_syntax_errors_are_reported_at_the_parsers_position(api: ApiServer) -> None:
    body = api.client.post(EXECUTE, json={"code": "print(1)\nif True\n    pass\n"}).json()
    (violation,) = body["violations"]
    assert violation["rule"] == "syntax-error"
    assert violation["line"] == 2


def test_a_syntax_error_is_answered_as_python_would_without_a_word_of_policy(api: ApiServer) -> None:
    response = api.client.post(EXECUTE, json={"code": "  print(1)\n"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "IndentationError: unexpected indent (line 1). The code was not run.",
        "violations": [
            {
                "line": 1,
                "col": 2,
                "end_line": None,
                "end_col": None,
                "rule": "syntax-error",
                "message": "IndentationError: unexpected indent (line 1)",
            }
        ],
    }
    body = api.client.post(EXECUTE, json={"code": "x = 1\nprint(x +)\n"}).json()
    assert body["detail"] == "SyntaxError: invalid syntax (line 2). The code was not run."
    assert [(v["line"], v["col"]) for v in body["violations"]] == [(2, 10)]


def test_stdin_over_its_maximum_names_the_field(api: ApiServer) -> None:
    response = api.client.post(EXECUTE, json={"code": "print(1)", "stdin": "x" * 300_000})
    assert response.status_code == 422
    message = "stdin is 300000 characters long; at most 262144 are allowed"
    assert response.json() == {"detail": message, "errors": [{"field": "body.stdin", "message": message}]}
