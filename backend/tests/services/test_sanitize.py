from __future__ import annotations

from execbox.sandbox.template_process import RuntimeInfo
from execbox.services.sanitize import Sanitizer

RUNTIME = RuntimeInfo(
    python="3.11.7",
    prefix="/srv/execbox/.runtime",
    base_prefix="/root/.pyenv/versions/3.11.7",
    packages={},
    loaded_packages=(),
)


def test_runtime_paths_become_short_names() -> None:
    sanitize = Sanitizer.for_runtime(RUNTIME)
    text = (
        "/srv/execbox/.runtime/lib/python3.11/site-packages/pandas/core/frame.py:12: FutureWarning\n"
        '  File "/root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py", line 3\n'
        "/root/.pyenv/versions/3.11.7/bin/python3.11\n"
        '  File "<main.py>", line 4\n'
    )
    assert sanitize(text) == (
        "<site-packages>/pandas/core/frame.py:12: FutureWarning\n"
        '  File "<stdlib>/json/decoder.py", line 3\n'
        "<python>/bin/python3.11\n"
        '  File "<main.py>", line 4\n'
    )


def test_text_without_paths_is_unchanged() -> None:
    assert Sanitizer.for_runtime(RUNTIME)("ZeroDivisionError: division by zero\n") == (
        "ZeroDivisionError: division by zero\n"
    )
