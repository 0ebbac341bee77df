"""`execbox settings-reference`: docs/settings.md, every setting with its default, its bounds and
what it does, rendered from the settings class so that the page cannot go stale.

Only the class is read (its fields' defaults, constraints and descriptions), never an instance:
this machine's environment and `.env` hold real secrets, and none of them may reach the page.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import types
import typing
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

import execbox.settings
from execbox.settings import Settings

REGENERATE = ".venv/bin/execbox settings-reference --output docs/settings.md"

# WEB_UI_DIR's default is a path in the checkout the code runs from: shown relative to it, so
# that the page is the same in every checkout.
_CHECKOUT = Path(execbox.settings.__file__).resolve().parents[2]
# annotated_types' constraints, as pydantic keeps them in a field's metadata (Gt has `gt`, ...).
_BOUNDS = (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤"))


def settings_reference(args: argparse.Namespace) -> int:
    page = render()
    if args.output is None:
        sys.stdout.write(page)
    else:
        Path(args.output).write_text(page, encoding="utf-8")
    return 0


def render() -> str:
    config = Settings.model_config
    env_file = config.get("env_file")
    where = "the environment"
    if isinstance(env_file, str):
        where += f" or `{env_file}` in the directory the service starts in (the environment wins)"
    notes = []
    if not config.get("case_sensitive", False):
        notes.append("names are case-insensitive")
    if config.get("env_ignore_empty", False):
        notes.append("an empty value counts as unset")
    read = f"Every setting is read from {where}{'; ' if notes else ''}{', and '.join(notes)}."
    lines = [
        "# Settings",
        "",
        "*Generated from the field descriptions in `backend/execbox/settings.py`: edit them there,",
        f"then run `{REGENERATE}`.*",
        "",
        *textwrap.wrap(read, width=96, break_long_words=False, break_on_hyphens=False),
        "Lists are comma-separated. Limits come in pairs: `X` is what a run gets, `X_MAX` the most a",
        "request may ask for. Defaults are the code's own: a secret shows its placeholder or nothing,",
        "never a value. [deployment.md](deployment.md) says which to set for a deployment, and why.",
        "",
        "| setting | default | accepts | what it does |",
        "|---|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        cells = (f"`{name}`", _default(name, field), _accepts(field), field.description or "")
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _default(name: str, field: FieldInfo) -> str:
    if field.default_factory is not None:
        return "computed"
    value: object = field.default
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, int):
        about_bytes = name.endswith("_BYTES") or "bytes" in (field.description or "")
        return f"`{value}` ({_size(value)})" if about_bytes and value >= 1024 else f"`{value}`"
    if isinstance(value, Path):
        if value.is_absolute() and value.is_relative_to(_CHECKOUT):
            return f"`{value.relative_to(_CHECKOUT)}` in the checkout"
        return f"`{value}`"
    if isinstance(value, frozenset):
        return ", ".join(f"`{item}`" for item in sorted(value)) if value else "none"
    if value == "":
        return "empty"
    return f"`{value}`"


def _size(value: int) -> str:
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value % size == 0:
            return f"{value // size} {unit}"
    return f"{value} bytes"


def _accepts(field: FieldInfo) -> str:
    kind = _kind(field.annotation)
    bounds = [
        f"{symbol} {getattr(item, attribute)}"
        for item in field.metadata
        for attribute, symbol in _BOUNDS
        if getattr(item, attribute, None) is not None
    ]
    return ", ".join([kind, *bounds])


def _kind(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        present = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(present) == 1:
            return _kind(present[0])
        return " or ".join(_kind(arg) for arg in present)
    if origin is typing.Literal:
        return ", ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin in (frozenset, set, list, tuple):
        return "list"
    names: dict[object, str] = {
        bool: "`true` or `false`",
        int: "integer",
        float: "number",
        str: "text",
        Path: "path",
    }
    return names.get(annotation, str(annotation))
