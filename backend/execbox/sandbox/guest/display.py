"""The run's rich results on their way to the host: `display()`, `plt.show()` and their limits.

Results go to the host on the report pipe as display frames, in the order the program
produced them, before the report. The host enforces the run's limits on its own (the program
could write to the pipe itself); the channel keeps within them so that an honest program
gets a note where its results were left out instead of being stopped.
"""

from __future__ import annotations

import builtins
import collections
import contextlib
import sys
import threading
import weakref
from typing import Any

from execbox.sandbox.guest import rich
from execbox.sandbox.guest.frames import encode_display, encode_text, write_blocking

# Room in the budget that only notes may use, so that the note saying results were left out
# still fits after the results themselves have used the rest.
_NOTE_RESERVE = 256


class ResultChannel:
    def __init__(self, report_fd: int, budget: int, max_results: int) -> None:
        self._report_fd = report_fd
        self._budget = budget
        self._left = budget
        self._max_results = max_results
        self._sent = 0
        # The result that would take the last slot waits here until it is known whether more
        # follow: if they do, one note takes the slot instead of it.
        self._held: rich.Rich | None = None
        self._finished = False
        # Reentrant: a signal handler may display while its thread is sending.
        self._lock = threading.RLock()
        self._outbox: collections.deque[bytes] = collections.deque()
        self._sending = False
        self._shown_figures: weakref.WeakSet[Any] = weakref.WeakSet()

    def install(self) -> None:
        """`display` for the whole program, and plt.show() (see `patch_matplotlib`) sending here."""
        global _channel  # one run per process
        _channel = self
        builtins.display = self.display  # type: ignore[attr-defined]

    def display(self, *values: object) -> None:
        for value in values:
            if self._finished or self._sent >= self._max_results:
                return  # nothing more is sent: spare the drawing (a figure takes ~0.1 s)
            if rich.is_figure(value):
                self._shown_figures.add(value)
            # Rendered before taking the lock: rendering runs user code, which may display.
            self._submit(rich.represent(value))

    def show_figures(self) -> None:
        """plt.show(): every open figure, then closed, as a notebook shows a cell's figures."""
        for figure in _open_figures():
            self.display(figure)
        sys.modules["matplotlib.pyplot"].close("all")

    def show_remaining_figures(self) -> None:
        """At the end of the run: the figures left open that were never displayed."""
        # The program may have broken matplotlib: that must not hide how the program ended.
        with contextlib.suppress(Exception):
            for figure in _open_figures():
                if figure not in self._shown_figures:
                    self.display(figure)

    def finish(self) -> None:
        """Sends what is held back; later results (from daemon threads) are dropped, so that
        nothing is sent after, or in the middle of, the report that follows."""
        with self._lock:
            self._finished = True
            held, self._held = self._held, None
            if held is not None:
                self._send(held)

    def _submit(self, result: rich.Rich) -> None:
        if not result.data:
            return  # a value whose repr is empty shows nothing, and the host refuses empty frames
        with self._lock:
            if self._finished or self._sent >= self._max_results:
                return
            result = self._within_budget(result)
            if self._sent < self._max_results - 1:
                self._send(result)
            elif self._held is None:
                self._held = result
            else:
                self._held = None
                self._send(rich.note(f"[more than {self._max_results} results: the rest are left out]"))

    def _within_budget(self, result: rich.Rich) -> rich.Rich:
        size = _size(result.data)
        if size <= self._left - _NOTE_RESERVE:
            return result
        return rich.note(
            f"[{result.mime} result of {_human(size)} left out: over the run's results limit "
            f"of {_human(self._budget)}]"
        )

    def _send(self, result: rich.Rich) -> None:
        data = encode_text(result.data)
        if len(data) > self._left:
            return  # not even a note fits any more
        self._sent += 1
        self._left -= len(data)
        self._outbox.append(encode_display(result.mime, data))
        if self._sending:
            return  # a signal handler interrupted the send below, which will pick this up
        self._sending = True
        try:
            while self._outbox:
                data = self._outbox.popleft()
                try:
                    write_blocking(self._report_fd, data)
                except OSError:
                    return  # the program closed the pipe: its results are lost, not its run
        finally:
            self._sending = False


_channel: ResultChannel | None = None


def patch_matplotlib() -> None:
    """Once, in the template: a patch made there costs a run nothing, while patching a class
    in each run would copy the pages of every type whose method cache that invalidates."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    pyplot.show = _show  # type: ignore[attr-defined]
    # Agg would warn that it cannot open a window. The figure stays open, so plt.show() or the
    # end of the run shows it, once.
    sys.modules["matplotlib.figure"].Figure.show = _leave_to_plt_show


# Functions, not bound methods: switching backends sets pyplot.show's __signature__.
def _show(*_args: object, **_kwargs: object) -> None:
    if _channel is not None:
        _channel.show_figures()


def _leave_to_plt_show(*_args: object, **_kwargs: object) -> None:
    pass


def _open_figures() -> list[Any]:
    helpers = sys.modules.get("matplotlib._pylab_helpers")
    if helpers is None:
        return []
    return [manager.canvas.figure for manager in helpers.Gcf.get_all_fig_managers()]


def _size(data: str) -> int:
    return len(encode_text(data))  # as the host counts it


def _human(size: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"
