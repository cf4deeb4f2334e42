"""A background worker's loop, shared by the outbox, the kept inbound messages and the tracker
erasures: run a round; go again at once while rounds do something; otherwise wait until woken or
until the poll interval passes. A failed round (the database briefly down...) is logged by its error
type only and tried again at the next poll."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable


async def run_rounds(run_once: Callable[[], Awaitable[int]], wake: asyncio.Event, poll_seconds: float,
                     log: logging.Logger, failure: str, level: int = logging.ERROR) -> None:
    """For the lifetime of the task; `failure` names the loop in the log line."""
    while True:
        try:
            done = await run_once()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001
            log.log(level, "%s (%s)", failure, type(error).__name__)
            done = 0
        if done:
            continue
        wake.clear()
        try:
            await asyncio.wait_for(wake.wait(), timeout=poll_seconds)
        except TimeoutError:
            pass
