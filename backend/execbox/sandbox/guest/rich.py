"""Turn a value the program displays into one rich result: a MIME type and its data.

The producers are an explicit list (pandas tables, matplotlib figures, then `repr`): a user
object's own `_repr_html_` is not honoured, so what reaches the page as HTML comes from pandas'
escaping formatter. Every result is untrusted anyway, since the program may forge any of them.
"""

from __future__ import annotations

import base64
import io
import sys
from typing import Any, NamedTuple

MAX_TABLE_ROWS = 60
MAX_TABLE_COLUMNS = 20
MAX_TEXT_CHARS = 100_000
MAX_ERROR_CHARS = 500
FIGURE_DPI = 100


class Rich(NamedTuple):
    mime: str
    data: str


def represent(value: object) -> Rich:
    """Never raises an ordinary exception: a value that cannot be shown becomes a note."""
    failure = ""
    try:
        rich = _rich(value)
        if rich is not None:
            return rich
    except Exception as error:  # noqa: BLE001 - a table or figure that fails gets its repr
        failure = f"\n[it could not be drawn: {_type_name(error)}: {_message(error)}]"
    try:
        return Rich("text/plain", _capped(repr(value)) + failure)
    except Exception as error:  # noqa: BLE001 - a hostile __repr__ must not break the run
        return Rich("text/plain", f"<unrepresentable value: its repr() raised {_type_name(error)}>")


def is_figure(value: object) -> bool:
    figure = _module_attribute("matplotlib.figure", "Figure")
    return figure is not None and isinstance(value, figure)


def note(text: str) -> Rich:
    return Rich("text/plain", text)


def _rich(value: object) -> Rich | None:
    # Looked up in sys.modules: a value cannot be a DataFrame or a Figure unless the program
    # has imported pandas or matplotlib, and importing them here would cost every run.
    frame = _module_attribute("pandas", "DataFrame")
    series = _module_attribute("pandas", "Series")
    if series is not None and isinstance(value, series):
        value = value.to_frame()
    if frame is not None and isinstance(value, frame):
        html = value.to_html(max_rows=MAX_TABLE_ROWS, max_cols=MAX_TABLE_COLUMNS, show_dimensions="truncate")
        return Rich("text/html", _plain(html))
    if is_figure(value):
        return Rich("image/png", _png(value))
    return None


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plain(text: str) -> str:
    # A str subclass (which __repr__ may return) could override what the caller does with it.
    return str.__str__(text)


def _capped(text: str) -> str:
    text = _plain(text)
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return f"{text[:MAX_TEXT_CHARS]}\n[... {len(text) - MAX_TEXT_CHARS} more characters left out]"


def _module_attribute(module_name: str, attribute: str) -> Any:
    module = sys.modules.get(module_name)
    return getattr(module, attribute, None) if module is not None else None


def _message(error: BaseException) -> str:
    try:
        return _plain(str(error))[:MAX_ERROR_CHARS]
    except Exception:  # noqa: BLE001 - a hostile __str__ must not break the run
        return "<unprintable message>"


def _type_name(value: object) -> str:
    try:
        return str(type(value).__name__)
    except Exception:  # noqa: BLE001 - a metaclass may make even the name raise
        return "an exception"
