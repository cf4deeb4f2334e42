"""What a tracker says, read the same way by every action (the lowest layer of actions/ with
messages.py and screening_plan.py: it imports no other action module)."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.screening_plan import ANSWERS


def channel_of(tracker: Tracker) -> str:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            channel = (event.get("metadata") or {}).get("channel")
            if channel:
                return channel
    return "web"


def commune_code(tracker: Tracker) -> str | None:
    commune = tracker.get_slot("commune")
    return commune.get("code") if isinstance(commune, dict) else None


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def in_screening(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == "screening_form"


def life_event_of(tracker: Tracker) -> str | None:
    message = tracker.latest_message or {}
    return next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == "life_event"), None)


def first_turn(tracker: Tracker) -> bool:
    """True while the bot has said nothing yet in this conversation."""
    return not any(event.get("event") == "bot" for event in tracker.events)


def current_answers(tracker: Tracker) -> dict[str, Any]:
    return {name: tracker.get_slot(name) for name in ANSWERS}
