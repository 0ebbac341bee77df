"""The host's handle on the template process: start it, ask it to fork, hear about children."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from execbox.sandbox.errors import SandboxInternalError, SandboxUnavailable
from execbox.sandbox.guest.protocol import MAX_TEMPLATE_MESSAGE, SandboxPlan, SpawnSpec, encode
from execbox.sandbox.template_events import MalformedEvent, TemplateEvent, decode_event

log = logging.getLogger(__name__)

# The launcher imports only the standard library and execbox.sandbox.guest from the host's
# package directory, then enters the sandbox root and runs the interpreter again from inside.
_LAUNCHER = (
    "import sys; sys.path.append(sys.argv[3]); "
    "from execbox.sandbox.guest.launch import main; main(int(sys.argv[1]), sys.argv[2])"
)
_PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_LOWEST_PRIORITY = 19  # the highest nice value


@dataclass
class RuntimeInfo:
    python: str
    prefix: str
    base_prefix: str
    packages: dict[str, str]
    # Top-level names of the packages outside the standard library the template has imported.
    loaded_packages: tuple[str, ...]


@dataclass
class ChildFate:
    """What the template tells of one child: its pid, and the kernel's word on how it ended."""

    spawned: asyncio.Future[int]  # pid
    stopped: asyncio.Future[int]  # the signal that stopped it (how a finished run ends)
    exited: asyncio.Future[int]  # wait status


@dataclass
class TemplateProcess:
    python: Path
    preload: tuple[str, ...]
    plan: SandboxPlan
    niceness: int
    info: RuntimeInfo | None = None
    _process: subprocess.Popen[bytes] | None = None
    _socket: socket.socket | None = None
    _hello: asyncio.Future[RuntimeInfo] | None = None
    _prepared: asyncio.Future[str] | None = None
    _children: dict[int, ChildFate] = field(default_factory=dict)
    _died: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self, timeout_s: float = 120.0) -> RuntimeInfo:
        if not os.access(self.python, os.X_OK):
            raise SandboxUnavailable(
                [f"runtime interpreter {self.python} not found: run `make setup` or set EXECBOX_RUNTIME"]
            )
        self._died.clear()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        host_path = str(Path(__file__).resolve().parents[2])
        plan = dict(self.plan)
        environment = dict(self.plan["environment"])
        environment.update({k: os.environ[k] for k in _PASSED_THROUGH if k in os.environ})
        plan["environment"] = environment  # the template's own; children get the plan's
        self._process = subprocess.Popen(
            [
                str(self.python),
                "-I",
                "-c",
                _LAUNCHER,
                str(theirs.fileno()),
                json.dumps(list(self.preload)),
                host_path,
            ],
            pass_fds=(theirs.fileno(),),
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sys.stderr,
            start_new_session=True,
            cwd="/",
        )
        # Before it forks its first child (after the plan, below), so every sandbox inherits it.
        below_us = os.getpriority(os.PRIO_PROCESS, 0) + self.niceness
        os.setpriority(os.PRIO_PROCESS, self._process.pid, min(below_us, _LOWEST_PRIORITY))
        theirs.close()
        ours.setblocking(False)
        self._socket = ours
        loop = asyncio.get_running_loop()
        self._hello = loop.create_future()
        self._prepared = loop.create_future()
        loop.add_reader(ours.fileno(), self._on_readable)
        try:
            ours.send(encode(plan))  # to the launcher, which enters the root
            failure = await asyncio.wait_for(asyncio.shield(self._prepared), timeout_s)
            if not failure:
                ours.send(encode(self.plan))  # to the template, run again inside it
                self.info = await asyncio.wait_for(asyncio.shield(self._hello), timeout_s)
        except (TimeoutError, SandboxInternalError) as error:
            await self.stop()
            raise SandboxUnavailable(
                [
                    f"the runtime {self.python} did not start ({error}); "
                    f"check that it imports {', '.join(self.preload[:3])}"
                ]
            ) from error
        if failure or self.info is None:
            await self.stop()
            raise SandboxUnavailable([failure])
        return self.info

    def spawn(self, spec: SpawnSpec, descriptors: list[int]) -> ChildFate:
        """Ask for a child."""
        if self._socket is None or self._died.is_set():
            raise SandboxInternalError("the template process is not running")
        loop = asyncio.get_running_loop()
        pending = ChildFate(loop.create_future(), loop.create_future(), loop.create_future())
        self._children[spec["child_id"]] = pending
        try:
            socket.send_fds(self._socket, [encode(spec)], descriptors)
        except OSError as error:
            del self._children[spec["child_id"]]
            raise SandboxInternalError(f"cannot reach the template: {error}") from error
        return pending

    @property
    def pid(self) -> int:
        if self._process is None:
            raise SandboxInternalError("the template process is not running")
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process is not None and not self._died.is_set()

    def _on_readable(self) -> None:
        assert self._socket is not None
        while True:
            try:
                data = self._socket.recv(MAX_TEMPLATE_MESSAGE)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._on_death()
                return
            try:
                event = decode_event(data)
            except MalformedEvent as error:  # a bug of ours: the template never sees user code
                log.error("the template sent a message outside the protocol: %s", error)
                continue
            self._dispatch(event)

    def _dispatch(self, event: TemplateEvent) -> None:
        if event["type"] == "hello":
            if self._hello is not None and not self._hello.done():
                self._hello.set_result(
                    RuntimeInfo(
                        python=event["python"],
                        prefix=event["prefix"],
                        base_prefix=event["base_prefix"],
                        packages=event["packages"],
                        loaded_packages=tuple(event["loaded_packages"]),
                    )
                )
            return
        if event["type"] == "prepared":
            if self._prepared is not None and not self._prepared.done():
                self._prepared.set_result(event["error"])
            return
        pending = self._children.get(event["child_id"])
        if pending is None:
            log.warning("template sent an event for an unknown child: %s", event)
        elif event["type"] == "spawned":
            if not pending.spawned.done():
                pending.spawned.set_result(event["pid"])
        elif event["type"] == "stopped":
            if not pending.stopped.done():
                pending.stopped.set_result(event["signal"])
        else:
            del self._children[event["child_id"]]
            if not pending.exited.done():
                pending.exited.set_result(event["wait_status"])

    def _on_death(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._socket.fileno())
        self._died.set()
        error = SandboxInternalError("the template process exited")
        for startup in (self._hello, self._prepared):
            if startup is not None and not startup.done():
                startup.set_exception(error)
                startup.exception()
        for pending in self._children.values():
            for future in (pending.spawned, pending.stopped, pending.exited):
                if not future.done():
                    future.set_exception(error)
                    future.exception()  # mark retrieved: nobody may be waiting on it
        self._children.clear()

    async def stop(self) -> None:
        if self._socket is not None:
            if not self._died.is_set():
                with contextlib.suppress(Exception):
                    asyncio.get_running_loop().remove_reader(self._socket.fileno())
            self._socket.close()
            self._socket = None
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
            await asyncio.to_thread(self._process.wait)
            self._process = None
        self._died.set()
