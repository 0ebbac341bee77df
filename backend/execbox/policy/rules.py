"""The operator's settings for the static policy, with the defaults a fresh install starts from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from execbox.sandbox.config import DEFAULT_PRELOAD

# The `strict` preset: what the scientific template keeps warm (its stack and a handful of pure
# stdlib modules, one list in sandbox/config.py), and `time`: live runs pace their output with
# time.sleep, and the wall-time limit bounds it anyway.
STRICT_MODULES = frozenset({name.partition(".")[0] for name in DEFAULT_PRELOAD} | {"time"})

# The `standard` preset, the default: the strict list plus the standard library's
# pure-computation modules, which first-time users type and none of which reaches past the
# process. Still refused: the operating system (os, io, subprocess, ctypes), the network
# (socket, urllib), serialised code (pickle, marshal), the import machinery (importlib) and
# threads and processes (threading, multiprocessing).
STANDARD_MODULES = STRICT_MODULES | frozenset(
    {
        "abc",
        "array",
        "base64",
        "bisect",
        "calendar",
        "cmath",
        "contextlib",
        "copy",
        "dataclasses",
        "decimal",
        "difflib",
        "enum",
        "fractions",
        "graphlib",
        "hashlib",
        "heapq",
        "html",
        "numbers",
        "pprint",
        "string",
        "struct",
        # For sys.stdin, sys.argv, sys.version, sys.exit; its process-level parts are refused
        # below.
        "sys",
        "textwrap",
        "typing",
        "unicodedata",
        "zlib",
        "zoneinfo",
    }
)

Preset = Literal["standard", "strict"]
PRESETS: dict[Preset, frozenset[str]] = {"standard": STANDARD_MODULES, "strict": STRICT_MODULES}

# Attributes of allowed modules that reach what the attribute list below blocks elsewhere:
# every loaded module (and so os), the import machinery, the caller's frames, and hooks that
# watch every call. `sys.exit` stays allowed: it only raises SystemExit, which a program may
# raise anyway, and the run reports its exit code.
BANNED_MODULE_ATTRIBUTES = frozenset(
    {
        "sys.modules",
        "sys.path",
        "sys.meta_path",
        "sys.path_hooks",
        "sys.path_importer_cache",
        "sys._getframe",
        "sys._current_frames",
        "sys._current_exceptions",
        "sys.settrace",
        "sys.setprofile",
        "sys.addaudithook",
    }
)

# getattr, setattr, delattr and vars take attribute names as strings, which would walk around
# the attribute check below; globals and locals hand out namespaces the same way.
BANNED_BUILTINS = frozenset(
    {
        "eval",
        "exec",
        "compile",
        "open",
        "input",
        "__import__",
        "breakpoint",
        "globals",
        "locals",
        "vars",
        "getattr",
        "setattr",
        "delattr",
        "memoryview",
        "help",
        "exit",
        "quit",
    }
)

# The attributes every known escape from a Python-level sandbox walks through: from any object
# to its class hierarchy (and so to every loaded class), from functions to their globals and
# builtins, and from frames, generators, coroutines and tracebacks to the frames of the caller.
# Ordinary dunders (__name__, __init__, __len__, __doc__) stay allowed. Only attribute syntax
# is checked, not strings: the builtins that take attribute names as strings are banned above.
BANNED_ATTRIBUTES = frozenset(
    {
        # class hierarchy
        "__class__",
        "__bases__",
        "__base__",
        "__mro__",
        "__subclasses__",
        # namespaces and the import machinery
        "__dict__",
        "__globals__",
        "__builtins__",
        "__import__",
        "__loader__",
        "__spec__",
        # function and method internals
        "__code__",
        "__closure__",
        "__self__",
        "__func__",
        "__getattribute__",
        "__reduce__",
        "__reduce_ex__",
        # frames and code objects
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_back",
        "f_code",
        "gi_frame",
        "gi_code",
        "cr_frame",
        "cr_code",
        "ag_frame",
        "ag_code",
        "co_code",
        "tb_frame",
    }
)


@dataclass(frozen=True, slots=True)
class CodePolicy:
    """What a program may contain before it is run.

    `allowed_modules` names top-level packages or modules; a module is importable when it or
    one of its parent packages is listed (`numpy` allows `numpy.linalg`).
    `banned_module_attributes` names attributes of a module (`sys.modules`), refused when read
    through a name the program imported the module as, or imported by name. A banned builtin is
    flagged wherever its name is read, unless the program binds that name itself somewhere
    (then it is the user's own `compile` or `input`). `max_complexity` is the deepest nesting
    of statements and expressions allowed: ordinary programs stay far below 100 (over 10,000
    modules of the standard library and common packages: median 9, 99% within 20, only
    generated sympy and unicode tables past 60), while a generated `-(-(-...))` or
    `a+a+...+a` reaches it long before it could make Python's compiler run out of stack
    (around depth 1000). The number of nodes is not limited separately: `max_chars` already
    bounds it.
    """

    allowed_modules: frozenset[str] = STANDARD_MODULES
    banned_builtins: frozenset[str] = BANNED_BUILTINS
    banned_attributes: frozenset[str] = BANNED_ATTRIBUTES
    banned_module_attributes: frozenset[str] = BANNED_MODULE_ATTRIBUTES
    max_chars: int = 10_000
    max_lines: int = 100
    max_complexity: int = 100

    def __post_init__(self) -> None:
        for name in ("max_chars", "max_lines", "max_complexity"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive")
