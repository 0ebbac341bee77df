"""Error output as users should see it: no host paths of the runtime or its interpreter."""

from __future__ import annotations

import re
from dataclasses import dataclass

from execbox.sandbox.template_process import RuntimeInfo


@dataclass(frozen=True, slots=True)
class Sanitizer:
    """Replaces the runtime's host paths with short names (`<site-packages>/pandas/...`)."""

    pattern: re.Pattern[str]
    replacements: dict[str, str]

    @classmethod
    def for_runtime(cls, runtime: RuntimeInfo) -> Sanitizer:
        version = ".".join(runtime.python.split(".")[:2])
        replacements: dict[str, str] = {}
        for prefix in dict.fromkeys((runtime.prefix, runtime.base_prefix)):
            replacements[f"{prefix}/lib/python{version}/site-packages"] = "<site-packages>"
            replacements[f"{prefix}/lib/python{version}"] = "<stdlib>"
            replacements[prefix] = "<python>"
        # Longest first, so a prefix never shadows a longer path that starts with it.
        ordered = sorted(replacements, key=len, reverse=True)
        return cls(re.compile("|".join(map(re.escape, ordered))), replacements)

    def __call__(self, text: str) -> str:
        return self.pattern.sub(lambda match: self.replacements[match.group()], text)
