"""Render the bot's channel-neutral messages for a channel's capabilities: the one place where SMS,
Telegram and the web differ. Content itself lives once, in knowledge/."""
from __future__ import annotations

from dataclasses import dataclass, replace

from channels.gsm7 import to_gsm7
from channels.messages import BotMessage

# Questions answered with a number or free text: on SMS their choices are not numbered, so that
# « 2 » stays an answer (two children) and not choice number 2.
FREE_ANSWER_ASKS = frozenset({
    "age", "partner_age", "children", "children_ages", "commune", "rent", "salary", "unemployment",
    "pension", "other_income", "partner_income", "alimony", "phone", "self_employed",
})


@dataclass(frozen=True)
class Capabilities:
    name: str
    buttons: bool            # real buttons (web, Telegram inline keyboards)
    numbered_choices: bool   # choices typed as digits (SMS)
    gsm7: bool               # text limited to the GSM-7 alphabet
    max_chars: int | None = None


WEB = Capabilities("web", buttons=True, numbered_choices=False, gsm7=False)
TELEGRAM = Capabilities("telegram", buttons=True, numbered_choices=False, gsm7=False, max_chars=4096)
SMS = Capabilities("sms", buttons=False, numbered_choices=True, gsm7=True)


def choices_shown(message: BotMessage, capabilities: Capabilities) -> bool:
    if not message.buttons:
        return False
    if capabilities.numbered_choices:
        return message.ask not in FREE_ANSWER_ASKS
    return capabilities.buttons


def numbered_choices(message: BotMessage) -> str:
    lines = [f"{index} - {button.title}" for index, button in enumerate(message.buttons, start=1)]
    numbers = [str(i) for i in range(1, len(message.buttons) + 1)]
    prompt = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " ou " + numbers[-1]
    return "\n".join(lines) + f"\nRépondez {prompt}."


def render_one(message: BotMessage, capabilities: Capabilities) -> BotMessage:
    text = message.text
    buttons = message.buttons if choices_shown(message, capabilities) else ()
    if capabilities.numbered_choices:
        if buttons:
            text = f"{text}\n{numbered_choices(message)}"
        buttons = ()
    if capabilities.gsm7:
        text = to_gsm7(text)
    return replace(message, text=text, buttons=buttons)


def render(messages: list[BotMessage], capabilities: Capabilities) -> list[BotMessage]:
    return [render_one(message, capabilities) for message in messages]


def open_choices(messages: list[BotMessage], capabilities: Capabilities) -> list[dict[str, str]]:
    """The choices a person can still pick by number or callback after this turn."""
    for message in reversed(messages):
        if message.buttons:
            if not choices_shown(message, capabilities):
                return []
            return [{"title": b.title, "payload": b.payload} for b in message.buttons]
    return []
