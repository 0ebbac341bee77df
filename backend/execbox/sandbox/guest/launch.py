"""The template's first moments: enter the sandbox root, then run the interpreter again from
inside it, where it and its packages have neutral paths (/opt/python, /opt/runtime).

Started by `TemplateProcess` as `python -I -c <launcher> CONTROL_FD PRELOAD_JSON HOST_PACKAGE_DIR`
with the runtime's interpreter at its host path, HOST_PACKAGE_DIR (where the host has the
`execbox` package) on `sys.path`, and only the standard library and this package imported; it
receives the `SandboxPlan` first, answers `Prepared`, then becomes the template proper
(`template.main`), which imports its preload (the scientific stack, or the plain template's
modules) from the neutral paths.
"""

from __future__ import annotations

import contextlib
import os
import socket
from typing import cast

from execbox.sandbox.guest import linux
from execbox.sandbox.guest.isolate import enter_sandbox_root
from execbox.sandbox.guest.protocol import MAX_TEMPLATE_MESSAGE, Prepared, SandboxPlan, decode, encode

# Runs in the root: `-S` so that only the runtime's site-packages are added (the interpreter's
# own would be without it), with sys.prefix set to the runtime's first.
_TEMPLATE_BOOTSTRAP = (
    "import sys, json; sys.prefix = sys.exec_prefix = sys.argv[4]; import site; site.main(); "
    "sys.path.append(sys.argv[3]); from execbox.sandbox.guest.template import main; "
    "main(int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3])"
)
# Writable scratch for the template's imports (matplotlib copies its font cache there); the
# template unmounts it before it forks, and every child mounts a /tmp of its own.
_SCRATCH_OPTIONS = "size=64m,mode=0700"
_MPLCONFIG_OPTIONS = "size=16m,mode=0755"
_SEALABLE = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC


def main(control_fd: int, preload_json: str) -> None:
    control = socket.socket(fileno=control_fd)
    # A host killed while it starts us has no use for the root and no one to hear of a failure:
    # end quietly rather than print a traceback into the terminal of the person who stopped it.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        _prepare_and_become_template(control, preload_json)


def _prepare_and_become_template(control: socket.socket, preload_json: str) -> None:
    first = control.recv(MAX_TEMPLATE_MESSAGE)
    if not first:
        return  # the host went before it sent the plan
    plan = cast(SandboxPlan, decode(first))
    prepared: Prepared = {"type": "prepared", "error": ""}
    try:
        enter_sandbox_root(plan)
        linux.mount("execbox-scratch", "/tmp", "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, _SCRATCH_OPTIONS)
        _writable_copy(plan["environment"].get("MPLCONFIGDIR", ""))
    except OSError as error:
        prepared["error"] = f"building the sandbox root failed: {error}"
    control.send(encode(prepared))
    if prepared["error"]:
        return
    control.set_inheritable(True)
    arguments = [str(control.fileno()), preload_json, plan["package_dir"], plan["prefix"]]
    os.execve(  # noqa: S606 -- the runtime's interpreter, at the absolute path the plan gives
        plan["interpreter"],
        [plan["interpreter"], "-I", "-S", "-c", _TEMPLATE_BOOTSTRAP, *arguments],
        plan["environment"],
    )


def _writable_copy(directory: str) -> None:
    """Matplotlib takes its config directory only if it may write to it, and the runtime is
    read-only here: a tmpfs over it, holding a copy of its font cache, which the template makes
    read-only once matplotlib is imported (`template.seal_matplotlib_config`)."""
    if not directory or not os.path.isdir(directory):
        return  # the template makes a directory of its own (template._writable_matplotlib_config)
    caches = {}
    for name in os.listdir(directory):
        if name.startswith("fontlist-") and name.endswith(".json"):
            with open(os.path.join(directory, name), "rb") as cache:
                caches[name] = cache.read()
    linux.mount("execbox-mplconfig", directory, "tmpfs", _SEALABLE, _MPLCONFIG_OPTIONS)
    for name, content in caches.items():
        with open(os.path.join(directory, name), "wb") as cache:
            cache.write(content)
