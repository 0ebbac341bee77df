"""Rich results: the final expression's value, display() and matplotlib figures (docs/streaming.md)."""

from __future__ import annotations

import base64
import re
import time

from execbox.sandbox.live import LiveIO, OutputStream
from execbox.sandbox.result import RichResult, RunResult, RunStatus
from tests.sandbox.conftest import SandboxHarness

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _ok(result: RunResult) -> RunResult:
    assert result.status is RunStatus.SUCCESS, (result.status, result.stderr.text)
    assert result.stderr.text == ""
    return result


def _png(result: RichResult) -> bytes:
    assert result.mime == "image/png"
    image = base64.b64decode(result.data, validate=True)
    assert image.startswith(PNG_SIGNATURE)
    assert 2_000 < len(image) < 500_000
    return image


def test_the_final_expression_is_a_result_and_is_not_printed(sandbox: SandboxHarness) -> None:
    result = _ok(sandbox.run("x = 20\nprint('hello')\nx * 2 + 2\n"))
    assert result.stdout.text == "hello\n"
    assert result.results == (RichResult("text/plain", "42"),)


def test_a_final_value_of_none_or_a_final_statement_is_no_result(sandbox: SandboxHarness) -> None:
    for code in ("print('a')", "x = 1", "None", "def f():\n    return 1\n", "import math\nmath.pi\ny = 2\n"):
        assert _ok(sandbox.run(code)).results == (), code


def test_a_final_expression_ending_with_a_semicolon_is_not_displayed(sandbox: SandboxHarness) -> None:
    assert _ok(sandbox.run("x = 'é'\nx * 2;  # silenced")).results == ()
    assert _ok(sandbox.run("x = 'é'\nx * 2  # ; not silenced")).results == (RichResult("text/plain", "'éé'"),)
    assert _ok(sandbox.run("x = 1; x")).results == (RichResult("text/plain", "1"),)


def test_what_the_final_expression_prints_still_appears(sandbox: SandboxHarness) -> None:
    result = _ok(sandbox.run("def f():\n    print('inside')\n    return [1, 'a']\n\nf()\n"))
    assert result.stdout.text == "inside\n"
    assert result.results == (RichResult("text/plain", "[1, 'a']"),)


def test_the_final_expression_runs_in_the_programs_namespace(sandbox: SandboxHarness) -> None:
    code = "from __future__ import annotations\nimport math\ntotal = 3\n(twice := total * 2), math.floor(2.5)"
    result = _ok(sandbox.run(code))
    assert result.results == (RichResult("text/plain", "(6, 2)"),)


def test_a_dataframe_is_an_html_table_with_bounded_rows(sandbox: SandboxHarness) -> None:
    code = "import pandas as pd\npd.DataFrame({'n': range(1000), 'tag': ['<b>x</b>'] * 1000})\n"
    (table,) = _ok(sandbox.run(code)).results
    assert table.mime == "text/html"
    assert table.data.startswith("<table") and "</table>" in table.data
    assert "&lt;b&gt;x&lt;/b&gt;" in table.data and "<b>" not in table.data
    body_rows = re.findall(r"<tr>", table.data.split("<tbody>")[1])
    assert len(body_rows) == 61  # 60 rows and the "..." between their halves
    assert "1000 rows × 2 columns" in table.data


def test_a_wide_dataframe_shows_at_most_20_columns(sandbox: SandboxHarness) -> None:
    code = "import pandas as pd\npd.DataFrame([list(range(50))])\n"
    (table,) = _ok(sandbox.run(code)).results
    header = table.data.split("</thead>")[0]
    assert header.count("<th>") == 1 + 20 + 1  # the index, 20 columns, the "..." column


def test_a_series_is_a_table_too(sandbox: SandboxHarness) -> None:
    (table,) = _ok(sandbox.run("import pandas as pd\npd.Series([1.5, 2.5], name='price')")).results
    assert table.mime == "text/html"
    assert "<th>price</th>" in table.data and "<td>2.5</td>" in table.data


def test_display_sends_results_in_order(sandbox: SandboxHarness) -> None:
    code = (
        "import pandas as pd\n"
        "def report():\n"
        "    display('first')\n"  # a builtin: functions see it too
        "print(display(1))\n"
        "report()\n"
        "display(pd.DataFrame({'a': [1]}), {'k': None})\n"
        "'last'\n"
    )
    result = _ok(sandbox.run(code))
    assert result.stdout.text == "None\n"
    assert [r.mime for r in result.results] == [
        "text/plain",
        "text/plain",
        "text/html",
        "text/plain",
        "text/plain",
    ]
    assert [r.data for r in result.results if r.mime == "text/plain"] == [
        "1",
        "'first'",
        "{'k': None}",
        "'last'",
    ]


def test_plt_show_sends_one_png_per_open_figure_and_closes_them(sandbox: SandboxHarness) -> None:
    code = (
        "import matplotlib.pyplot as plt\n"
        "plt.plot([1, 2, 3])\n"
        "plt.figure()\n"
        "plt.bar(['a', 'b'], [3, 1])\n"
        "plt.show()\n"
        "print(plt.get_fignums())\n"
    )
    result = _ok(sandbox.run(code))
    assert result.stdout.text == "[]\n"
    assert len(result.results) == 2
    for figure in result.results:
        _png(figure)


def test_figures_left_open_are_shown_at_the_end_once(sandbox: SandboxHarness) -> None:
    code = (
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\n"
        "ax.plot([3, 1, 2])\n"
        "display(fig)\n"  # displayed already: not again at the end
        "other = plt.figure()\n"
        "points = other.gca().scatter([1, 2], [2, 1])\n"
    )
    result = _ok(sandbox.run(code))
    assert len(result.results) == 2
    first, second = (_png(r) for r in result.results)
    assert first != second


def test_open_figures_are_shown_when_the_program_fails(sandbox: SandboxHarness) -> None:
    result = sandbox.run("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nraise ValueError('late')\n")
    assert result.status is RunStatus.RUNTIME_ERROR
    (figure,) = result.results
    _png(figure)


def test_show_still_works_after_switching_backends(sandbox: SandboxHarness) -> None:
    code = (
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt\n"
        "plt.switch_backend('svg')\n"
        "plt.plot([1, 2])\n"
        "plt.show()\n"
    )
    (figure,) = _ok(sandbox.run(code)).results
    _png(figure)


def test_a_figure_that_cannot_be_drawn_is_described(sandbox: SandboxHarness) -> None:
    code = (
        "import matplotlib.pyplot as plt\n"
        "from matplotlib.artist import Artist\n"
        "class Broken(Artist):\n"
        "    def draw(self, renderer):\n"
        "        raise RuntimeError('cannot draw')\n"
        "plt.figure().add_artist(Broken())\n"
        "plt.show()\n"
    )
    (text,) = _ok(sandbox.run(code)).results
    assert text == RichResult(
        "text/plain", "<Figure size 640x480 with 0 Axes>\n[it could not be drawn: RuntimeError: cannot draw]"
    )


def test_plotting_warns_nothing(sandbox: SandboxHarness) -> None:
    code = (
        "import warnings\n"
        "warnings.simplefilter('always')\n"
        "import matplotlib\n"
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\n"
        "ax.plot([1, 2]); ax.set_title('t')\n"
        "fig.show()\n"
        "plt.show()\n"
        "print(matplotlib.get_backend())\n"
    )
    result = _ok(sandbox.run(code))
    assert result.stdout.text.strip().lower() == "agg"
    assert len(result.results) == 1  # fig.show() leaves it to plt.show(): shown once
    _png(result.results[0])


def test_a_repr_that_raises_gives_a_placeholder_and_the_run_goes_on(sandbox: SandboxHarness) -> None:
    code = (
        "class Hostile:\n"
        "    def __repr__(self):\n"
        "        raise RuntimeError('no')\n"
        "display(Hostile())\n"
        "print('still here')\n"
        "Hostile()\n"
    )
    result = _ok(sandbox.run(code))
    assert result.stdout.text == "still here\n"
    assert len(result.results) == 2
    for placeholder in result.results:
        assert placeholder.mime == "text/plain"
        assert "RuntimeError" in placeholder.data


def test_a_value_whose_repr_is_empty_shows_nothing(sandbox: SandboxHarness) -> None:
    code = "class Blank:\n    def __repr__(self):\n        return ''\ndisplay(Blank(), 'after')\nBlank()\n"
    result = _ok(sandbox.run(code))
    assert [(item.mime, item.data) for item in result.results] == [("text/plain", "'after'")]


def test_a_long_repr_is_capped(sandbox: SandboxHarness) -> None:
    (text,) = _ok(sandbox.run("'x' * 300_000")).results
    assert 100_000 < len(text.data) < 100_200
    assert text.data.endswith("more characters left out]")


def test_a_result_over_the_budget_becomes_a_note(sandbox: SandboxHarness) -> None:
    code = "display('a' * 100)\ndisplay('b' * 5000)\ndisplay('c' * 100)\n"
    result = _ok(sandbox.run(code, results_bytes=2048))
    assert [r.mime for r in result.results] == ["text/plain"] * 3
    first, note, third = (r.data for r in result.results)
    assert first == repr("a" * 100) and third == repr("c" * 100)
    expected = r"\[text/plain result of 4\.\d+ KiB left out: over the run's results limit of 2 KiB\]"
    assert re.fullmatch(expected, note), note


def test_too_many_results_are_capped_with_one_note(sandbox: SandboxHarness) -> None:
    limit = sandbox.engine.config.max_results
    result = _ok(sandbox.run(f"for i in range({limit} + 10):\n    display(i)\nprint('done')\n"))
    assert result.stdout.text == "done\n"
    assert len(result.results) == limit
    assert [r.data for r in result.results[:-1]] == [str(i) for i in range(limit - 1)]
    assert "more than" in result.results[-1].data


def test_exactly_the_maximum_number_of_results_are_all_kept(sandbox: SandboxHarness) -> None:
    limit = sandbox.engine.config.max_results
    result = _ok(sandbox.run(f"for i in range({limit} - 1):\n    display(i)\n'the last'\n"))
    assert [r.data for r in result.results] == [str(i) for i in range(limit - 1)] + ["'the last'"]


def test_a_syntax_error_is_reported_on_its_line(sandbox: SandboxHarness) -> None:
    result = sandbox.run("print('never')\nx = (1,\ny = 2\nx\n")
    assert result.status is RunStatus.RUNTIME_ERROR
    assert result.error is not None and result.error.type == "SyntaxError"
    assert result.error.line == 2
    assert result.stdout.text == "" and result.results == ()


def test_a_compile_error_in_the_final_expression_stops_the_program_before_it_starts(
    sandbox: SandboxHarness,
) -> None:
    result = sandbox.run("print('never')\nawait something()\n")
    assert result.status is RunStatus.RUNTIME_ERROR
    assert result.error is not None and (result.error.type, result.error.line) == ("SyntaxError", 2)
    assert result.stdout.text == ""


def test_an_exception_in_the_final_expression_has_its_line(sandbox: SandboxHarness) -> None:
    result = sandbox.run("def f(x):\n    return 1 / x\n\nprint('before')\nf(0)\n")
    assert result.status is RunStatus.RUNTIME_ERROR
    assert result.error is not None
    assert (result.error.type, result.error.line) == ("ZeroDivisionError", 2)
    assert 'File "<main.py>", line 5, in <module>' in result.stderr.text
    assert 'File "<main.py>", line 2, in f' in result.stderr.text
    assert "runner.py" not in result.stderr.text and "display.py" not in result.stderr.text
    assert result.stdout.text == "before\n" and result.results == ()


def test_sys_exit_in_the_final_expression_and_atexit_still_work(sandbox: SandboxHarness) -> None:
    result = sandbox.run("import sys\nprint('x')\nsys.exit(4)\n")
    assert (result.exit_code, result.results) == (4, ())
    code = "import atexit\natexit.register(lambda: display('at exit'))\n'value'\n"
    result = _ok(sandbox.run(code))
    assert [r.data for r in result.results] == ["'value'", "'at exit'"]


def test_annotations_are_evaluated_as_in_python(sandbox: SandboxHarness) -> None:
    result = sandbox.run("def f(x: NotDefined) -> None:\n    pass\n")
    assert result.error is not None and result.error.type == "NameError"
    result = _ok(
        sandbox.run("from __future__ import annotations\ndef f(x: NotDefined): pass\nf.__annotations__")
    )
    assert result.results == (RichResult("text/plain", "{'x': 'NotDefined'}"),)


def _run_live(sandbox: SandboxHarness, code: str, chunks: list[tuple[float, bytes]]) -> RunResult:
    def on_output(_stream: OutputStream, data: bytes) -> None:
        chunks.append((time.monotonic(), data))

    async def run() -> RunResult:
        live = LiveIO(on_output)
        live.close_stdin()
        return await sandbox.engine.run(code, live=live)

    return sandbox.call(run())


def test_stdout_is_line_buffered_only_in_a_live_run(sandbox: SandboxHarness) -> None:
    code = "import sys\nprint(sys.stdout.line_buffering, sys.stderr.line_buffering)\n"
    assert _ok(sandbox.run(code)).stdout.text == "False True\n"
    assert _ok(_run_live(sandbox, code, [])).stdout.text == "True True\n"
    chunks: list[tuple[float, bytes]] = []
    _ok(_run_live(sandbox, "import time\nprint('first')\ntime.sleep(0.5)\nprint('second')\n", chunks))
    assert [data for _, data in chunks] == [b"first\n", b"second\n"]
    assert chunks[1][0] - chunks[0][0] >= 0.3
