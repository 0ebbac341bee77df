"""Who may start a program: at most `capacity` alive, round-robin by client (first come first
served within one), places told to waiters, none once the engine stops admitting (no sandbox
needed: admission is bookkeeping)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from execbox.sandbox.admission import Admission
from execbox.sandbox.errors import SandboxBusy, SandboxClosed, SandboxFull

T = TypeVar("T")


def _run(scenario: Callable[[Admission], Coroutine[Any, Any, T]], capacity: int = 1) -> T:
    return asyncio.run(scenario(Admission(capacity)))


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


def test_runs_past_the_capacity_wait_their_turn_in_order() -> None:
    async def scenario(admission: Admission) -> list[str]:
        order: list[str] = []

        async def run(name: str) -> None:
            await admission.enter()
            order.append(name)

        admission.enter_now()
        waiting = [asyncio.ensure_future(run(name)) for name in "abc"]
        await _settle()
        assert order == [] and admission.alive == 1
        for _ in "abc":
            admission.leave()
            await _settle()
        await asyncio.gather(*waiting)
        assert admission.alive == 1  # each turn was handed over, never two alive at once
        admission.leave()
        assert admission.alive == 0
        return order

    assert _run(scenario) == ["a", "b", "c"]


def test_a_run_that_will_not_wait_never_overtakes_one_that_waits() -> None:
    async def scenario(admission: Admission) -> None:
        admission.enter_now()
        waiting = asyncio.ensure_future(admission.enter())
        await _settle()
        with pytest.raises(SandboxFull, match="all 1 sandboxes are in use"):
            admission.enter_now()
        admission.leave()  # the turn goes to the one waiting, before it has even woken up
        with pytest.raises(SandboxFull):
            admission.enter_now()
        await waiting
        admission.leave()
        admission.enter_now()  # nobody waits and one is free: at once

    _run(scenario)


def test_a_run_past_its_start_deadline_gives_up_its_place() -> None:
    async def scenario(admission: Admission) -> None:
        admission.enter_now()
        started = time.monotonic()
        with pytest.raises(SandboxBusy, match="start deadline"):
            await admission.enter(start_by=time.time() + 0.1)
        assert 0.08 < time.monotonic() - started < 1
        with pytest.raises(SandboxBusy):
            await admission.enter(start_by=time.time() - 1)  # already past: not even queued
        admission.leave()
        assert admission.alive == 0
        admission.enter_now()

    _run(scenario)


def test_a_turn_handed_to_a_run_that_gave_up_goes_to_the_next() -> None:
    async def scenario(admission: Admission) -> None:
        admission.enter_now()
        quitter = asyncio.ensure_future(admission.enter())
        patient = asyncio.ensure_future(admission.enter())
        await _settle()
        admission.leave()  # handed to the quitter, which is cancelled before it wakes up
        quitter.cancel()
        await asyncio.gather(quitter, return_exceptions=True)
        await asyncio.wait_for(patient, 1)
        assert admission.alive == 1

    _run(scenario)


def test_once_it_stops_admitting_waiting_and_new_runs_are_refused_and_alive_ones_finish() -> None:
    async def scenario(admission: Admission) -> None:
        admission.enter_now()
        admission.enter_now()
        waiting = [asyncio.ensure_future(admission.enter()) for _ in range(3)]
        await _settle()
        admission.refuse_new("the server is shutting down")
        for outcome in await asyncio.gather(*waiting, return_exceptions=True):
            assert isinstance(outcome, SandboxClosed) and str(outcome) == "the server is shutting down"
        with pytest.raises(SandboxClosed):
            admission.enter_now()
        with pytest.raises(SandboxClosed):
            await admission.enter()
        admission.leave()
        admission.leave()
        assert admission.alive == 0

    _run(scenario, capacity=2)


def test_waiting_runs_start_round_robin_by_client_so_a_burst_cannot_push_another_client_back() -> None:
    async def scenario(admission: Admission) -> list[str]:
        order: list[str] = []

        async def run(client: str, name: str) -> None:
            await admission.enter(client=client)
            order.append(name)
            await asyncio.sleep(0)
            admission.leave()

        admission.enter_now()
        burst = [asyncio.ensure_future(run("a", f"a{i}")) for i in range(1, 7)]
        await _settle()
        others = [asyncio.ensure_future(run("b", "b1")), asyncio.ensure_future(run("c", "c1"))]
        await _settle()
        admission.leave()
        await asyncio.gather(*burst, *others)
        assert admission.alive == 0
        return order

    assert _run(scenario) == ["a1", "b1", "c1", "a2", "a3", "a4", "a5", "a6"]


def test_a_waiter_hears_its_place_fall_to_zero_and_a_run_that_gives_up_leaves_the_line() -> None:
    async def scenario(admission: Admission) -> dict[str, list[int]]:
        heard: dict[str, list[int]] = {name: [] for name in ("x", "y", "z")}
        admission.enter_now()
        waits = {
            name: asyncio.ensure_future(admission.enter(client=name, on_position=heard[name].append))
            for name in ("x", "y", "z")
        }
        await _settle()
        waits["x"].cancel()  # its client went away
        await _settle()
        admission.leave()  # to y
        await _settle()
        assert waits["y"].done() and not waits["z"].done()
        admission.leave()  # to z
        await asyncio.gather(waits["y"], waits["z"])
        assert admission.alive == 1 and admission.waiting == 0
        return heard

    heard = _run(scenario)
    assert heard == {"x": [0], "y": [1, 0], "z": [2, 1, 0]}


def test_a_run_past_its_start_deadline_leaves_the_line_and_the_next_gets_the_turn() -> None:
    async def scenario(admission: Admission) -> None:
        admission.enter_now()
        late = asyncio.ensure_future(admission.enter(start_by=time.time() + 0.05, client="late"))
        next_ = asyncio.ensure_future(admission.enter(client="next"))
        await _settle()
        with pytest.raises(SandboxBusy):
            await late
        admission.leave()
        await asyncio.wait_for(next_, 1)
        assert admission.alive == 1 and admission.waiting == 0

    _run(scenario)
