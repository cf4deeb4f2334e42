"""Say things: every text comes from knowledge/texts (by name), goes out as one channel-neutral
message {"text", "buttons", "ask"}; the API renders it for SMS, Telegram or the web."""
from __future__ import annotations

import string
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from knowledge import load


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def texts() -> dict[str, Any]:
    return load("texts")


def benefit_texts(benefit_id: str) -> dict[str, Any]:
    """The entry of knowledge/benefits.yml for a benefit id ({} when unknown)."""
    return load("benefits").get(benefit_id) or {}


def piece(key: str, **values: Any) -> str:
    """The text named `key`, with its {placeholders} filled, as written (a piece of a sentence)."""
    template = texts()[key]["text"]
    return string.Formatter().vformat(template.strip(), (), _Blank(values))


def render_text(key: str, **values: Any) -> str:
    """The text named `key`, with its {placeholders} filled; it starts with a capital letter."""
    text = piece(key, **values)
    return text[:1].upper() + text[1:]


def message(key: str, ask: str | None = None, buttons: list[dict[str, str]] | None = None,
            **values: Any) -> dict[str, Any]:
    entry = texts()[key]
    return {
        "text": render_text(key, **values),
        "buttons": list(entry.get("buttons") or []) if buttons is None else buttons,
        "ask": ask if ask is not None else entry.get("ask"),
    }


def say(dispatcher: CollectingDispatcher, key: str, ask: str | None = None,
        buttons: list[dict[str, str]] | None = None, **values: Any) -> None:
    dispatcher.utter_message(json_message=message(key, ask=ask, buttons=buttons, **values))


def say_text(dispatcher: CollectingDispatcher, text: str, buttons: list[dict[str, str]] | None = None,
             ask: str | None = None) -> None:
    dispatcher.utter_message(json_message={"text": text, "buttons": buttons or [], "ask": ask})


def signal(dispatcher: CollectingDispatcher, signal_type: str, **data: Any) -> None:
    """A control signal for the API (consent, estimate, stop, erase); never shown to the person."""
    dispatcher.utter_message(json_message={"control": {"type": signal_type, **data}})


def euros(amount: float) -> str:
    """573.49 -> "573"; 1234.5 -> "1 235" (rounded to the euro: an estimate, not a payslip)."""
    return f"{round(amount):,}".replace(",", " ")
