"""Settling a future that its waiter may already have given up on.

A reader or writer callback runs on the loop's next turn; by then the task awaiting the future
may have been cancelled (the engine closing, a timeout), which cancels the future too. Setting a
result on it would raise `InvalidStateError` from inside the event loop's callback, where nobody
can catch it and asyncio prints it to the user's terminal.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

T = TypeVar("T")


def resolve(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)


def reject(future: asyncio.Future[object] | asyncio.Future[None], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
