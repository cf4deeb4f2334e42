"""Micro-batching: requests that arrive within a few milliseconds share ONE vectorised simulation.

A simulation of 64 households costs about the same as a simulation of one, so under load we
gather what arrives during `window` (or until `max_batch` households) and compute it together,
in a worker thread so the event loop keeps accepting requests. While a batch computes, the next
one fills up.

Under steady load, the clients answered by one batch send their next requests together, but the
event loop receives them over a few milliseconds. After a batch of several requests we therefore
wait, for at most a third of the last computation (and `max_wait`), until as many requests as
in the last three batches have arrived: batches stay full, and a lone request still waits only
`window`.

`in_flight` batches may compute at once (default 1: the next batch is gathered once the previous
one is done). With a simulation process (worker.py), 2 lets the next batch be gathered and sent
while the previous one computes: the process starts it as soon as it is free.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

log = logging.getLogger("api.eligibility")


@dataclass
class _Job:
    items: Sequence
    future: asyncio.Future
    key: str  # items with different keys never share a simulation (the estimated month)


@dataclass
class BatchStats:
    batches: int = 0
    items: int = 0
    sizes: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # when each batch started (time.time(), for benchmarks)


class MicroBatcher:
    def __init__(self, compute: Callable[[list], list], window_ms: float, max_batch: int,
                 max_wait_ms: float = 80.0, in_flight: int = 1,
                 submit: Callable[[list], concurrent.futures.Future] | None = None) -> None:
        self.compute = compute  # blocking: list of items -> list of results, same order
        self.submit_batch = submit  # if given, used instead: starts the computation, returns its future
        self.window = max(window_ms, 0.0) / 1000
        self.max_wait = max(max_wait_ms / 1000, self.window)
        self.max_batch = max(max_batch, 1)
        self.in_flight = max(in_flight, 1)
        self.stats = BatchStats()
        self._recent_jobs: list[int] = []  # requests in each of the last batches
        self._last_seconds = 0.0
        self._queue: asyncio.Queue[_Job] | None = None
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._computing: set[asyncio.Task] = set()

    async def submit(self, items: Sequence, key: str = "") -> list:
        loop = asyncio.get_running_loop()
        if self._task is None or self._loop is not loop or self._task.done():
            self._loop = loop
            self._queue = asyncio.Queue()
            self._task = loop.create_task(self._run(), name="eligibility-batcher")
        future: asyncio.Future = loop.create_future()
        await self._queue.put(_Job(list(items), future, key))
        return await future

    async def aclose(self) -> None:
        for task in [self._task, *self._computing]:
            if task is not None:
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):  # noqa: BLE001
                    pass
        self._task = None
        self._computing.clear()

    async def _run(self) -> None:
        assert self._queue is not None
        pending: list[_Job] = []
        loop = asyncio.get_running_loop()
        slots = asyncio.Semaphore(self.in_flight)
        while True:
            await slots.acquire()
            if not pending:
                pending.append(await self._queue.get())
            started = loop.time()
            expected = max(self._recent_jobs, default=1)
            expected = expected if expected >= 4 else 1
            patience = self.window if expected == 1 else max(self.window, min(self.max_wait, self._last_seconds / 2))
            while _count(pending) < self.max_batch:
                # Everything already queued, at once: each await would let a busy loop run first.
                while not self._queue.empty() and _count(pending) < self.max_batch:
                    pending.append(self._queue.get_nowait())
                waited = loop.time() - started
                enough = len(pending) >= expected
                if enough and waited >= self.window:
                    break
                timeout = (self.window if enough else patience) - waited
                if timeout <= 0:
                    break
                try:
                    pending.append(await asyncio.wait_for(self._queue.get(), timeout))
                except asyncio.TimeoutError:
                    break
            batch, pending = _take(pending, self.max_batch)
            task = loop.create_task(self._compute(batch))
            self._computing.add(task)
            task.add_done_callback(lambda done: (self._computing.discard(done), slots.release()))

    async def _compute(self, jobs: list[_Job]) -> None:
        items = [item for job in jobs for item in job.items]
        self.stats.batches += 1
        self.stats.items += len(items)
        self.stats.sizes.append(len(items))
        self.stats.times.append(time.time())
        started = time.perf_counter()
        try:
            if self.submit_batch is not None:  # no thread of ours: the result comes back by itself
                results = await asyncio.wrap_future(self.submit_batch(items))
            else:
                results = await asyncio.to_thread(self.compute, items)
        except Exception as error:  # noqa: BLE001 - each waiting request gets the error
            if getattr(error, "fr", None):  # expected and explained (the engine restarts): no trace
                log.warning("Eligibility batch of %d households failed: %s", len(items), error)
            else:
                log.exception("Eligibility batch of %d households failed", len(items))
            for job in jobs:
                if not job.future.done():
                    job.future.set_exception(error)
            return
        self._recent_jobs = (self._recent_jobs + [len(jobs)])[-3:]
        self._last_seconds = time.perf_counter() - started
        position = 0
        for job in jobs:
            count = len(job.items)
            if not job.future.done():
                job.future.set_result(results[position:position + count])
            position += count


def _count(jobs: list[_Job]) -> int:
    return sum(len(job.items) for job in jobs)


def _take(jobs: list[_Job], limit: int) -> tuple[list[_Job], list[_Job]]:
    """Jobs of the first key, in arrival order, up to `limit` items (at least one job); the rest waits."""
    key = jobs[0].key
    batch, rest, size = [], [], 0
    for job in jobs:
        if job.key == key and (not batch or size + len(job.items) <= limit):
            batch.append(job)
            size += len(job.items)
        else:
            rest.append(job)
    return batch, rest
