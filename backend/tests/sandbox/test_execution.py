"""What a run reports for ordinary programs: output, exit codes, exceptions, timings, state."""

import time

import pytest

from execbox.sandbox import outcomes
from execbox.sandbox.limits import LimitRequest
from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import Job, SandboxHarness


def test_stdout_stderr_and_timings(sandbox: SandboxHarness) -> None:
    result = sandbox.run("import sys\nprint('out')\nprint('err', file=sys.stderr)")
    assert result.status is RunStatus.SUCCESS
    assert (result.stdout.text, result.stderr.text) == ("out\n", "err\n")
    assert not result.truncated
    assert result.exit_code == 0 and result.signal is None and result.error is None
    assert 0 < result.wall_ms < 5000
    assert 0 < result.cpu_ms < 5000
    assert 0 < result.memory_kb < 512 * 1024


def test_an_exception_is_reported_with_its_line_and_a_user_only_traceback(sandbox: SandboxHarness) -> None:
    result = sandbox.run("def f(x):\n    return 1 / x\n\nf(0)\n")
    assert result.status is RunStatus.RUNTIME_ERROR
    assert result.exit_code == 1
    assert result.error is not None
    assert (result.error.type, result.error.message, result.error.line) == (
        "ZeroDivisionError",
        "division by zero",
        2,
    )
    assert 'File "<main.py>", line 4, in <module>' in result.stderr.text
    assert 'File "<main.py>", line 2, in f' in result.stderr.text
    assert "runner.py" not in result.stderr.text and "/work" not in result.stderr.text
    with pytest.raises(outcomes.RuntimeErrorOutcome):
        outcomes.raise_for_status(result)


def test_a_syntax_error_points_at_its_line(sandbox: SandboxHarness) -> None:
    result = sandbox.run("x = 1\nif x\n    print(x)\n")
    assert result.status is RunStatus.RUNTIME_ERROR
    assert result.error is not None
    assert result.error.type == "SyntaxError"
    assert result.error.line == 2


@pytest.mark.parametrize(
    ("code", "exit_code", "status"),
    [
        ("import sys; sys.exit()", 0, RunStatus.SUCCESS),
        ("import sys; sys.exit(3)", 3, RunStatus.RUNTIME_ERROR),
        ("raise SystemExit('bye')", 1, RunStatus.RUNTIME_ERROR),
        ("import os; os._exit(5)", 5, RunStatus.RUNTIME_ERROR),
    ],
)
def test_exit_codes(sandbox: SandboxHarness, code: str, exit_code: int, status: RunStatus) -> None:
    result = sandbox.run(code)
    assert (result.exit_code, result.status) == (exit_code, status)


def test_stdin_and_input(sandbox: SandboxHarness) -> None:
    result = sandbox.run(
        "import sys\nname = input()\nrest = sys.stdin.read()\nprint(name.upper(), len(rest))",
        "ada\n" + "x" * 200_000,
    )
    assert result.status is RunStatus.SUCCESS
    assert result.stdout.text == "ADA 200000\n"


def test_atexit_handlers_run_and_threads_are_waited_for(sandbox: SandboxHarness) -> None:
    code = (
        "import atexit, threading, time\n"
        "atexit.register(lambda: print('atexit'))\n"
        "threading.Thread(target=lambda: (time.sleep(0.2), print('thread'))).start()\n"
        "print('main')\n"
    )
    result = sandbox.run(code)
    assert result.stdout.text == "main\nthread\natexit\n"


def test_the_scientific_stack_and_lazily_imported_modules_work(sandbox: SandboxHarness) -> None:
    code = (
        "import decimal, fractions, numpy as np, pandas as pd\n"
        "from scipy import optimize, stats\n"
        "print(decimal.Decimal('0.1') + decimal.Decimal('0.2'), fractions.Fraction(1, 3))\n"
        "print(round(optimize.brentq(lambda x: x * x - 2, 0, 2), 6))\n"
        "print(round(stats.norm.cdf(0), 3), np.arange(4).sum(), pd.Series([1, 2]).mean())\n"
    )
    result = sandbox.run(code)
    assert result.status is RunStatus.SUCCESS, result.stderr.text
    assert result.stdout.text == "0.3 1/3\n1.414214\n0.5 6 1.5\n"


def test_nothing_a_run_changes_is_seen_by_the_next(sandbox: SandboxHarness) -> None:
    first = sandbox.run(
        "import pandas as pd, json, builtins\n"
        "pd.set_option('display.max_rows', 3)\n"
        "json.dumps = lambda *a, **k: 'patched'\n"
        "builtins.LEFTOVER = 1\n"
        "GLOBAL_FROM_FIRST = 1\n"
    )
    assert first.status is RunStatus.SUCCESS
    second = sandbox.run(
        "import pandas as pd, json, builtins\n"
        "print(pd.get_option('display.max_rows'), json.dumps(1), hasattr(builtins, 'LEFTOVER'),\n"
        "      'GLOBAL_FROM_FIRST' in globals())\n"
    )
    assert second.stdout.text == "60 1 False False\n"


def test_concurrency_is_bounded_and_results_are_not_mixed_up(sandbox: SandboxHarness) -> None:
    code = "import time\nstart = time.time()\ntime.sleep(0.4)\nprint({n}, start, time.time())"
    jobs = [Job(code.format(n=n), limits=LimitRequest(wall_time_s=10)) for n in range(6)]
    began = time.monotonic()
    results = sandbox.run_concurrently(jobs)
    assert time.monotonic() - began >= 1.2  # 6 runs of 0.4 s, two at a time
    spans = []
    for n, result in enumerate(results):
        number, begin, end = result.stdout.text.split()
        assert int(number) == n
        spans.append((float(begin), float(end)))
    for moment, _ in spans:
        running = sum(1 for begin, end in spans if begin <= moment < end)
        assert running <= 2
