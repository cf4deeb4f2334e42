"""Channel-neutral messages of knowledge/texts, said by the gateway itself (notices, confirmations)
and by the reminders."""
from __future__ import annotations

from channels.messages import BotMessage, Button
from knowledge import load


def text_message(name: str, **values: str) -> BotMessage:
    """A message of knowledge/texts by name, channel-neutral, its {placeholders} filled with `values`."""
    entry = load("texts")[name]
    buttons = tuple(Button(str(b["title"]), str(b["payload"])) for b in entry.get("buttons") or [])
    text = str(entry["text"]).strip()
    if values:
        text = text.format_map(values)
    return BotMessage(text=text, buttons=buttons, ask=entry.get("ask"))
