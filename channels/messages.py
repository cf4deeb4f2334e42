"""Channel-neutral messages: what the bot says, before any channel renders it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """One bot message: text, optional choices, and the field it asks for (see chat.md)."""

    text: str
    buttons: tuple[Button, ...] = ()
    ask: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [asdict(b) for b in self.buttons], "ask": self.ask}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BotMessage:
        return cls(str(data["text"]), tuple(Button(str(b["title"]), str(b["payload"])) for b in data.get("buttons") or []),
                   data.get("ask"))


@dataclass
class BotTurn:
    """The bot's answer to one inbound message: messages to show, and control signals from the actions
    (consent given, data to erase, estimate to keep...), which are never shown."""

    messages: list[BotMessage] = field(default_factory=list)
    controls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def buttons(self) -> list[Button]:
        """The choices still open after this turn: those of the last message that has some."""
        for message in reversed(self.messages):
            if message.buttons:
                return list(message.buttons)
        return []


def parse_rasa_output(items: list[dict[str, Any]]) -> BotTurn:
    """Turn Rasa's REST channel output into a BotTurn.

    Actions send `{"custom": {"text", "buttons", "ask"}}` for messages and `{"custom": {"control": {...}}}`
    for signals; plain `{"text", "buttons"}` items (Rasa's own responses) are accepted too.
    """
    turn = BotTurn()
    for item in items:
        custom = item.get("custom")
        if isinstance(custom, dict) and "control" in custom:
            if isinstance(custom["control"], dict):
                turn.controls.append(custom["control"])
            continue
        source = custom if isinstance(custom, dict) else item
        text = str(source.get("text") or "").strip()
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in source.get("buttons") or []
            if isinstance(b, dict) and b.get("payload")
        )
        if not text and not buttons:
            continue
        ask = source.get("ask") if isinstance(custom, dict) else None
        turn.messages.append(BotMessage(text=text, buttons=buttons, ask=ask or None))
    return turn
