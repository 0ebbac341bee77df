"""The static code policy: an AST pass that rejects a program before it runs.

It exists to give the user fast, precise feedback (each violation carries the position the
editor underlines) and to carry the operator's choices (which modules may be imported). It is
not the security boundary: the kernel sandbox is, so the checks aim to be exact on the forms
they list rather than to chase every way around them.
"""

from __future__ import annotations

from execbox.policy.checker import check
from execbox.policy.rules import PRESETS, CodePolicy, Preset
from execbox.policy.violations import Rule, Violation

__all__ = ["PRESETS", "CodePolicy", "Preset", "Rule", "Violation", "check"]
