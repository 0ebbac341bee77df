"""Programs that write to their own report pipe (fd 4), as a hostile user would, for the API and
queue tests. The programs need the code policy off (they import os and ctypes)."""

from __future__ import annotations

import json
import struct

from execbox.sandbox.guest.frames import HEADER, Kind


def _json_frame(message: object) -> bytes:
    body = json.dumps(message).encode()
    return struct.pack(">I", len(body)) + body


_FORGED_REPORT = _json_frame(
    {"type": "report", "exit_code": 2**80, "error": {"type": "X", "message": "m", "line": 2**80}}
)
# The program's report claims success, then it crashes.
FORGED_SUCCESS_THEN_SEGFAULT = (
    "import os, sys\nos.write(4, sys.modules['execbox.sandbox.guest.frames'].encode_report(0, None))\n"
    "import ctypes\nctypes.string_at(0)\n"
)
# The report as it once was (JSON) with numbers no database column holds.
HUGE_NUMBERS = f"import os\nos.write(4, {_FORGED_REPORT!r})\n"
DEEP_NESTING = (
    "import os, struct\nnested = b'[' * 200_000\nos.write(4, struct.pack('>I', len(nested)) + nested)\n"
)


def flood(seconds: float) -> str:
    """Garbage, deep JSON and maximum-size frames, written for `seconds` by four threads."""
    display = HEADER.pack(1 + (2 << 20), Kind.DISPLAY) + b"\x01"
    return (
        "import os, threading, time\n"
        f"deadline = time.monotonic() + {seconds}\n"
        "def write(data):\n"
        "    while time.monotonic() < deadline:\n"
        "        try:\n            os.write(4, data)\n"
        "        except OSError:\n            return\n"
        f"pieces = [b'garbage' * 9000, b'[' * 65536, {display!r} + b'[' * 65536, os.urandom(65536)]\n"
        "threads = [threading.Thread(target=write, args=(p,)) for p in pieces]\n"
        "[t.start() for t in threads]\n[t.join() for t in threads]\n"
    )


def largest_result(budget: int = 2 << 20) -> str:
    """One display frame that takes the whole results budget: a page of deep JSON as HTML."""
    header = HEADER.pack(1 + budget, Kind.DISPLAY) + b"\x01"
    return f"import os\nwritten = os.write(4, {header!r} + b'[' * {budget})\n"


def in_template(code: str, scientific: bool) -> str:
    """The program as the given template runs it (one naming numpy runs in the scientific one)."""
    return code + "\n# numpy\n" if scientific else code
