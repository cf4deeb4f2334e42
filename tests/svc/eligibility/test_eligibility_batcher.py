"""The micro-batcher, with a fake computation: what arrives together is computed together, each
caller gets its own results, months never mix, the size limit holds, errors reach every caller."""
from __future__ import annotations

import asyncio
import threading

import pytest

from api.eligibility.batcher import MicroBatcher


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list] = []
        self.fail = fail
        self.threads: set[str] = set()

    def __call__(self, items: list) -> list:
        self.calls.append(list(items))
        self.threads.add(threading.current_thread().name)
        if self.fail:
            raise ValueError("boom")
        return [item * 10 for item in items]


async def test_concurrent_requests_share_one_computation_off_the_event_loop() -> None:
    compute = Recorder()
    batcher = MicroBatcher(compute, window_ms=20, max_batch=100)
    results = await asyncio.gather(*(batcher.submit([i, i + 100]) for i in range(10)))
    assert results == [[i * 10, (i + 100) * 10] for i in range(10)]
    assert len(compute.calls) == 1 and len(compute.calls[0]) == 20
    assert threading.main_thread().name not in compute.threads
    await batcher.aclose()


async def test_a_lone_request_waits_only_the_window() -> None:
    batcher = MicroBatcher(Recorder(), window_ms=5, max_batch=100)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await batcher.submit([7]) == [70]
    assert loop.time() - started < 0.5
    await batcher.aclose()


async def test_months_never_share_a_simulation_and_the_size_limit_holds() -> None:
    compute = Recorder()
    batcher = MicroBatcher(compute, window_ms=20, max_batch=4)
    jobs = [batcher.submit([i], key="2026-11" if i % 2 else "2026-10") for i in range(10)]
    assert await asyncio.gather(*jobs) == [[i * 10] for i in range(10)]
    assert all(len(call) <= 4 for call in compute.calls)
    assert all(len({item % 2 for item in call}) == 1 for call in compute.calls)
    await batcher.aclose()


async def test_an_error_reaches_every_caller_of_the_batch() -> None:
    batcher = MicroBatcher(Recorder(fail=True), window_ms=20, max_batch=100)
    outcomes = await asyncio.gather(*(batcher.submit([i]) for i in range(3)), return_exceptions=True)
    assert all(isinstance(outcome, ValueError) for outcome in outcomes)
    with pytest.raises(ValueError):  # and the batcher still serves afterwards
        await batcher.submit([1])
    await batcher.aclose()
