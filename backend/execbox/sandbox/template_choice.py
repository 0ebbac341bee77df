"""Which template a program's child is forked from.

Forking a child of the scientific template and tearing it down again costs ~9 ms of CPU more
than a child of the plain one, whatever the program does: the kernel copies its ~1,200 memory
mappings and the page tables of its 170 MiB at fork, and the child faults in and frees more of
them. A program that names none
of the packages only the scientific template has imported cannot need them, except through an
import spelled at run time (`__import__("pan" + "das")`), which still works in a plain child:
it imports the package from the runtime then, as a fresh interpreter would.

The test is textual and errs one way: a package's name anywhere in the code, in a comment or a
string too, sends the program to the scientific template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class TemplateKind(StrEnum):
    PLAIN = "plain"  # the standard library's common modules
    SCIENTIFIC = "scientific"  # numpy, pandas, scipy, matplotlib and what they import


class TemplateChooser:
    def __init__(self, scientific_only: Iterable[str]) -> None:
        """`scientific_only`: top-level names of the packages the scientific template has
        imported and the plain one has not."""
        self._names = [(name, re.compile(rf"\b{re.escape(name)}\b")) for name in sorted(set(scientific_only))]

    def kind_for(self, code: str) -> TemplateKind:
        # A plain substring search first: ~100x faster than the regular expression over the
        # whole program, and most programs contain none of the names at all.
        if any(name in code and whole_word.search(code) for name, whole_word in self._names):
            return TemplateKind.SCIENTIFIC
        return TemplateKind.PLAIN
