"""One adapter interface for every channel: web, SMS, Telegram (and WhatsApp later).

An adapter says four things about its channel:

- its `name` and `capabilities` (what the channel can show: buttons, numbered choices, GSM-7...);
- inbound normalisation: the provider's request becomes an `Inbound` (text, button payload or choice
  number, outreach source, keyword), whatever the provider;
- outbound rendering: `outgoing()` renders the bot's channel-neutral messages through
  channels/render.py (the one place where channels differ), then `fit()` cuts or joins them to the
  channel's limits (2 SMS segments, 4096 Telegram characters);
- delivery: `deliver()` sends one `Outgoing` to one address through the provider's API. When the
  reply travels in the webhook's own HTTP response (web JSON, Twilio TwiML), `inline_replies` is True.

Adding a channel takes one new module under channels/ (e.g. channels/whatsapp.py): a subclass with
a `name` (it registers itself, see `adapter_classes()`), its settings read in `from_settings()`, and,
when the channel has a webhook, a FastAPI router returned by `webhook_router()` whose handler builds
an `Inbound` and calls `request.app.state.channels.receive(...)`. Everything else is shared
(api/gateway/, the API's side: channels/ never imports api/): deduplication, keywords and STOP, the turn with its deadline, the outbox.
"""
from __future__ import annotations

import hashlib
import hmac
import importlib
import pkgutil
import re
from abc import ABC
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from channels.messages import BotMessage, Button
from channels.render import Capabilities, render

if TYPE_CHECKING:
    from fastapi import APIRouter
    from fastapi.responses import JSONResponse


class Keyword(str, Enum):
    """Words that work on every messaging channel, whatever the conversation is about."""

    STOP = "stop"
    START = "start"
    HELP = "help"
    DELETE = "delete"


@dataclass(frozen=True)
class Inbound:
    """A person's message, normalised. `address` (phone number, chat id) is used to compute the
    pseudonym and, encrypted, to reply; it is never stored in clear nor logged (hence repr=False)."""

    channel: str
    address: str = field(repr=False)
    event_id: str                       # provider id for deduplication: MessageSid, update_id
    text: str | None = field(default=None, repr=False)
    payload: str | None = None          # one of the bot's own button payloads (`/greet`...)
    choice: int | None = None           # number of a choice of the last turn (Telegram callback)
    choice_tag: str | None = None       # which turn's choices that number refers to
    source: str | None = None           # outreach action code (deep link, QR code)
    keyword: Keyword | None = None
    unsupported: bool = False           # a photo, a voice note...: nothing the assistant can read


@dataclass(frozen=True)
class Outgoing:
    """One message as the provider sends it: one SMS, one Telegram message, one web JSON item."""

    text: str
    buttons: tuple[Button, ...] = ()
    ask: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
                "ask": self.ask}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outgoing:
        buttons = tuple(Button(str(b["title"]), str(b["payload"])) for b in data.get("buttons") or [])
        return cls(text=str(data.get("text") or ""), buttons=buttons, ask=data.get("ask"))


@dataclass(frozen=True)
class Delivered:
    """The provider accepted the message. `final` when its answer already means delivered (Telegram);
    otherwise a status callback will say (Twilio)."""

    provider_id: str | None
    final: bool = False


class DeliveryError(Exception):
    """The provider did not take the message. `code` is short and never holds personal data."""

    def __init__(self, code: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(code)
        self.code = code[:64]
        self.permanent = permanent
        self.retry_after = retry_after


class ChannelAdapter(ABC):
    """Base class of every channel adapter (see the module docstring)."""

    name: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities]
    inline_replies: ClassVar[bool] = False
    _registry: ClassVar[dict[str, type[ChannelAdapter]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            ChannelAdapter._registry[cls.name] = cls

    @classmethod
    def from_settings(cls, settings: Any) -> ChannelAdapter:
        """Built from the API's settings (api/core/config.py Settings, read by attribute)."""
        return cls()

    @classmethod
    def webhook_router(cls) -> APIRouter | None:
        """The FastAPI router of the channel's webhook, if it has one (included by api/main.py)."""
        return None

    # -- outbound rendering ---------------------------------------------------------------------
    def outgoing(self, messages: Sequence[BotMessage]) -> list[Outgoing]:
        """The bot's messages as this channel sends them. Rendering is idempotent, so messages already
        rendered by ConversationService.handle pass through unchanged."""
        return self.fit(render(list(messages), self.capabilities))

    def fit(self, messages: list[BotMessage]) -> list[Outgoing]:
        """Cut or join rendered messages to the channel's limits. By default, one per message."""
        return [Outgoing(m.text, m.buttons, m.ask) for m in messages if m.text or m.buttons]

    # -- delivery ---------------------------------------------------------------------------------
    async def deliver(self, address: str, message: Outgoing) -> Delivered:
        """Send one message. Raise DeliveryError (permanent, or with retry_after) when it did not go."""
        raise DeliveryError(f"{self.name}_cannot_push", permanent=True)

    async def typing(self, address: str) -> None:
        """Optionally show that the assistant is writing (best effort, never raises)."""

    async def aclose(self) -> None:
        """Release the adapter's HTTP clients."""


def adapter_classes() -> dict[str, type[ChannelAdapter]]:
    """Every adapter, found by importing the modules and packages of `channels`: a new channel is
    one new file, with nothing to register by hand."""
    import channels

    for module in pkgutil.iter_modules(channels.__path__):
        importlib.import_module(f"channels.{module.name}")
    return dict(ChannelAdapter._registry)


def channel_routers() -> list[APIRouter]:
    """The webhook routers of every channel that has one."""
    routers = []
    for cls in adapter_classes().values():
        router = cls.webhook_router()
        if router is not None and router not in routers:
            routers.append(router)
    return routers


# -- webhook helpers ----------------------------------------------------------------------------------
def http_error(status: int, fr: str, en: str) -> JSONResponse:
    """A webhook's refusal, shaped like every API error (api/core/errors.py): French, English gloss."""
    from fastapi.responses import JSONResponse

    return JSONResponse(status_code=status, content={"detail": fr, "en": en})


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; an unset expected secret never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


# -- shared helpers ------------------------------------------------------------------------------------
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def choices_tag(choices: Sequence[Any]) -> str:
    """A short fingerprint of a turn's choices (their payloads): a button of an older turn whose
    choices differ is recognised as stale. Opaque, and never personal data."""
    payloads = [c.payload if isinstance(c, Button) else str(c.get("payload", "")) for c in choices]
    return hashlib.sha256("\x1f".join(payloads).encode()).hexdigest()[:8]


def split_text(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Cut a text that does not fit into pieces that do: at line breaks first, then at sentence ends,
    then between words (a single word longer than the limit is cut where it must be)."""
    if fits(text):
        return [text]
    for pieces, joiner in ((text.split("\n"), "\n"), (_SENTENCE_END.split(text), " "), (text.split(" "), " ")):
        if len(pieces) > 1:
            return _pack(pieces, joiner, fits)
    # one unbreakable word: cut it by characters
    out, current = [], ""
    for char in text:
        if current and not fits(current + char):
            out.append(current)
            current = ""
        current += char
    return out + ([current] if current else [])


def _pack(pieces: list[str], joiner: str, fits: Callable[[str], bool]) -> list[str]:
    out: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{joiner}{piece}" if current else piece
        if fits(candidate):
            current = candidate
            continue
        if current:
            out.append(current)
        if fits(piece):
            current = piece
        else:
            parts = split_text(piece, fits)
            out.extend(parts[:-1])
            current = parts[-1]
    if current:
        out.append(current)
    return [p for p in (s.strip() for s in out) if p]
