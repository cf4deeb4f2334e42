"""What the consent-gated tracker store (bot/tracker_store.py) costs per turn: saving a conversation that
grows by one turn (a message, its entities and slots, the bot's answer) with Rasa's own SQLTrackerStore on
SQLite, and with the consent-gated store over it (phone numbers masked in every event before saving),
without a phone number in the conversation (most turns) and with one in every message (the worst case).

    .venv-bot/bin/python bench/tracker_store.py [turns]
"""
from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.tracker_store import ConsentGatedTrackerStore

ROOT = Path(__file__).resolve().parents[1]


async def turns(store, sender: str, count: int, said: str) -> list[float]:
    tracker = store.init_tracker(sender)
    tracker.update(SlotSet("consent", True))
    times = []
    for turn in range(count):
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(f"j'ai {turn} ans, {said}",
                                   {"name": "inform", "confidence": 1.0},
                                   [{"entity": "age", "value": turn, "start": 5, "end": 7}]))
        tracker.update(SlotSet("age", turn))
        tracker.update(BotUttered("Quelle est votre commune ?"))
        start = time.perf_counter()
        await store.save(tracker)
        times.append(time.perf_counter() - start)
        tracker = await store.retrieve(sender)
    return times


async def main(count: int) -> None:
    domain = Domain.load(str(ROOT / "bot" / "domain"))
    with tempfile.TemporaryDirectory() as folder:
        plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=f"{folder}/plain.db")
        os.environ["TRACKER_STORE_URL"] = f"sqlite:///{folder}/gated.db"
        gated = ConsentGatedTrackerStore(domain=domain)
        gated.domain = domain
        runs = [("SQLTrackerStore", plain, "j'habite a Nancy"),
                ("ConsentGatedTrackerStore", gated, "j'habite a Nancy"),
                ("ConsentGatedTrackerStore", gated, "mon numero est le 06 12 34 56 78")]
        first: dict[int, list[float]] = {i: [] for i in range(len(runs))}
        last: dict[int, list[float]] = {i: [] for i in range(len(runs))}
        for round_ in range(3):                  # interleaved, so that a busy moment hits every variant
            for number, (name, store, said) in enumerate(runs):
                times = await turns(store, f"{name}-{number}-{round_}", count, said)
                first[number] += times[:10]
                last[number] += times[-10:]
        for number, (name, _, said) in enumerate(runs):
            print(f"{name:25} « {said} »: save, turns 1-10 median {statistics.median(first[number]) * 1000:.1f} ms; "
                  f"turns {count - 9}-{count} ({4 * count} events) median {statistics.median(last[number]) * 1000:.1f} ms")

if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40))
