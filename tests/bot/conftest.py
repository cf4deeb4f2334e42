"""Tracker fixtures for action unit tests (rasa-sdk), as in RasaHQ/financial-demo."""
from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.screening_plan import ANSWERS
from nlu.parsing import extract_entities


def make_tracker(slots: dict[str, Any] | None = None, text: str = "", intent: str = "inform",
                 entities: list[dict[str, Any]] | None = None, active_loop: str | None = None,
                 events: list[dict[str, Any]] | None = None, confidence: float = 0.95) -> Tracker:
    """A tracker whose latest message is `text`, read by the NLU's own extraction (as the
    EntityNormaliser does) unless `entities` are given (a button's payload)."""
    if entities is None:
        entities = extract_entities(text)
    all_slots = {q: None for q in ANSWERS}
    all_slots.update({"consent": None, "offer": None, "refusals": None, "life_event": None, "attempts": None,
                      "estimate": None, "requested_slot": None, "questions_left": None})
    all_slots.update(slots or {})
    return Tracker(
        sender_id="test-person",
        slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": confidence},
                        "entities": entities},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def sent(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """The channel-neutral messages an action sent (controls excluded)."""
    return [m["custom"] for m in dispatcher.messages if "control" not in (m.get("custom") or {})]


def controls(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    return [m["custom"]["control"] for m in dispatcher.messages if "control" in (m.get("custom") or {})]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
