"""The example programs the project ships: the web UI's menu (examples.ts) and examples/*.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
EXAMPLES_TS = REPO / "frontend" / "src" / "features" / "examples" / "examples.ts"

# The id of the menu's example that shows a rejection: the one bundled program meant to be refused.
REFUSED_EXAMPLE = "policy"

_TEMPLATE = r"`((?:[^`\\]|\\.)*)`"
_QUOTED = r"'((?:[^'\\]|\\.)*)'"
_ENTRY = re.compile(rf"id: {_QUOTED},.*?code: {_TEMPLATE},(?:\s*stdin: {_QUOTED},)?", re.DOTALL)
_DEFAULT = re.compile(rf"DEFAULT_CODE = {_TEMPLATE};")


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    code: str
    stdin: str = ""


def _unescape(literal: str) -> str:
    """A JavaScript string or template literal's text (the examples use no `${...}`)."""
    assert "${" not in literal, "an example interpolates; read it some other way"
    return re.sub(r"\\(.)", lambda match: {"n": "\n", "t": "\t"}.get(match[1], match[1]), literal)


def bundled_examples() -> list[Example]:
    text = EXAMPLES_TS.read_text()
    default = _DEFAULT.search(text)
    assert default is not None, f"DEFAULT_CODE not found in {EXAMPLES_TS}"
    examples = [Example("DEFAULT_CODE", _unescape(default[1]))]
    examples += (
        Example(name, _unescape(code), _unescape(stdin or "")) for name, code, stdin in _ENTRY.findall(text)
    )
    examples += (Example(file.name, file.read_text()) for file in sorted((REPO / "examples").glob("*.py")))
    return examples
