"""A program that searches its own memory for strings, for the cross-run and secret tests.

The strings searched for must not appear in the program's own memory by the mere act of
searching, or every scan would find them. So the program never builds a needle whole: each
needle is handed over as its two halves, each reversed (the reversed literals are not the
needle), and the scan looks for the first half immediately followed by the second one.

As a positive control, the program also makes a fresh marker of its own at runtime, keeps it
whole in a variable, and must find it with the same scan: a scan that finds nothing cannot pass
for a scan that looked everywhere.
"""

from __future__ import annotations

import json

SCANNER = r"""
import json, os, sys

request = json.loads(sys.stdin.read())
halves = {
    label: (first[::-1].encode(), second[::-1].encode())
    for label, (first, second) in request["needles"].items()
}
control = os.urandom(16).hex()  # whole, in this process's memory: the scan must find it
halves["__control__"] = (control[:16].encode(), control[16:].encode())

found = set()
scanned = 0
step = 1 << 20
with open("/proc/self/maps") as maps:
    regions = maps.read().splitlines()
with open("/proc/self/mem", "rb", buffering=0) as mem:
    for line in regions:
        fields = line.split()
        if not fields[1].startswith("r"):
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        offset = start
        while offset < end:
            try:
                mem.seek(offset)
                # Overlapping reads: a needle across a step boundary is still seen whole.
                chunk = mem.read(min(step + 256, end - offset))
            except (OSError, OverflowError, ValueError):
                break
            scanned += len(chunk)
            for label, (first, second) in halves.items():
                at = chunk.find(first)
                while at != -1:
                    tail = at + len(first)
                    if chunk[tail : tail + len(second)] == second:
                        found.add(label)
                        break
                    at = chunk.find(first, at + 1)
            offset += step
print(json.dumps({
    "found": sorted(found - {"__control__"}),
    "control_found": "__control__" in found,
    "scanned_bytes": scanned,
}))
"""


def scan_request(needles: dict[str, str]) -> str:
    """The scanner's stdin: each needle as its two halves, each reversed."""
    split: dict[str, tuple[str, str]] = {}
    for label, needle in needles.items():
        middle = len(needle) // 2
        split[label] = (needle[:middle][::-1], needle[middle:][::-1])
    request = json.dumps({"needles": split})
    for needle in needles.values():
        assert needle not in request, "the scanner's input would contain the needle itself"
        assert needle not in SCANNER
    return request
