"""What every messaging channel does with a person's message, once its adapter has checked and
normalised it (channels/base.py): deduplicate, apply the keywords and STOP, run the turn with a
deadline, and answer inline (TwiML) or through the outbox (api/outbox.py), in order per person.

- Deduplication: the provider's id (MessageSid, update_id) is inserted first; a replay hits the unique
  constraint and changes nothing.
- STOP (and Twilio's stop words): marked stopped at once, `/stop` forwarded to Rasa so that the
  conversation knows, one confirmation (the local text if Rasa is down). Then silence, except:
  START (back in), AIDE/HELP (the help text), and SUPPRIMER with the answer to its confirmation
  question (the stop confirmation says erasure stays possible).
- Order: one lane per person. Turns run one after the other; a turn that misses the deadline
  answers « Je calcule, un instant… » and delivers its result through the outbox; while something
  is queued for a person, later answers queue behind it instead of overtaking it in the webhook's
  response.
- Nothing personal is logged: no text, no number (only channel names and exception types).
"""
from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.conversations import ConversationService
from api.core.config import Settings
from api.core.db import Database
from api.core.limits import MESSAGES, RateLimits
from api.core.security import MissingSecret, Vault
from api.models import Conversation, InboundMessage, utcnow
from api.outbox import Outbox
from api.rasa_client import RasaUnavailable
from channels.base import ChannelAdapter, Inbound, Keyword, Outgoing, adapter_classes, choices_tag
from channels.keywords import confirms
from channels.messages import BotMessage, Button
from knowledge import load

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[tuple[list[BotMessage], bool]]]


def text_message(name: str, **values: str) -> BotMessage:
    """A message of knowledge/texts by name, channel-neutral, its {placeholders} filled with `values`."""
    entry = load("texts")[name]
    buttons = tuple(Button(str(b["title"]), str(b["payload"])) for b in entry.get("buttons") or [])
    text = str(entry["text"]).strip()
    if values:
        text = text.format_map(values)
    return BotMessage(text=text, buttons=buttons, ask=entry.get("ask"))


class AddressBook:
    """The number or chat id behind each pseudonym seen recently, in memory only (never stored, never
    logged): the API needs it when a conversation books a reminder or asks to be called back."""

    def __init__(self, keep: timedelta = timedelta(hours=6), size: int = 20000):
        self.keep = keep
        self.size = size
        self._seen: OrderedDict[tuple[str, str], tuple[str, datetime]] = OrderedDict()

    def remember(self, channel: str, person_id: str, address: str) -> None:
        key = (channel, person_id)
        self._seen.pop(key, None)
        self._seen[key] = (address, utcnow())
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)

    def forget(self, person_id: str) -> None:
        """Erasure: the person's addresses on every channel."""
        for key in [key for key in self._seen if key[1] == person_id]:
            del self._seen[key]

    def get(self, channel: str, person_id: str) -> str | None:
        found = self._seen.get((channel, person_id))
        if found is None or utcnow() - found[1] > self.keep:
            return None
        return found[0]


@dataclass
class Reply:
    """What the webhook answers inline (TwiML messages; empty when everything goes through the outbox)."""

    parts: list[Outgoing] = field(default_factory=list)
    replay: bool = False


@dataclass
class _Lane:
    """One person's turns, one after the other, and their delivery decisions."""

    compute: asyncio.Lock = field(default_factory=asyncio.Lock)
    delivery: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ChannelRuntime:
    def __init__(self, settings: Settings, db: Database, conversations: ConversationService, *,
                 adapters: dict[str, ChannelAdapter] | None = None, limits: RateLimits | None = None):
        self.settings = settings
        self.limits = limits
        self.db = db
        self.conversations = conversations
        self.adapters = adapters if adapters is not None else {
            name: cls.from_settings(settings) for name, cls in adapter_classes().items()}
        try:
            self.vault: Vault | None = Vault(settings.data_encryption_key)
        except MissingSecret:
            self.vault = None
            log.warning("SMS and Telegram are off: DATA_ENCRYPTION_KEY is not set")
        self.outbox = Outbox(
            db, self.vault, self.adapters, poll_seconds=settings.outbox_poll_seconds,  # type: ignore[arg-type]
            max_attempts=settings.outbox_max_attempts, backoff_seconds=settings.outbox_backoff_seconds,
            backoff_max_seconds=settings.outbox_backoff_max_seconds, retention_days=settings.retention_days,
            sms_daily_cap=settings.sms_daily_cap_per_number)
        self._lanes: dict[tuple[str, str], _Lane] = {}
        self._tasks: set[asyncio.Task] = set()
        self.addresses = AddressBook()
        conversations.erased.append(self.addresses.forget)

    @property
    def ready(self) -> bool:
        """Messaging channels need the vault: replies may have to be queued with the number."""
        return self.vault is not None

    def adapter(self, name: str) -> Any:
        return self.adapters[name]

    async def start(self) -> None:
        if self.ready and self.settings.outbox_worker_enabled:
            self.outbox.start()

    async def aclose(self) -> None:
        """Let running turns finish (their results go to the outbox), then stop the worker."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=self.settings.channel_drain_seconds)
            for task in pending:
                task.cancel()
        await self.outbox.aclose()
        for adapter in self.adapters.values():
            await adapter.aclose()

    def spawn(self, coroutine: Awaitable[Any]) -> asyncio.Task:
        """A background task kept until it ends (and awaited at shutdown)."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- one inbound message ------------------------------------------------------------------------
    async def receive(self, adapter: ChannelAdapter, inbound: Inbound, *, interim_after: float) -> Reply:
        """Handle one normalised message; the answer to give inline (may be empty)."""
        channel = adapter.name
        person_id = self.conversations.pseudonymiser.pseudonym(channel, inbound.address)
        self.addresses.remember(channel, person_id, inbound.address)
        keyword = inbound.keyword.value if inbound.keyword else None
        claimed, previous = await self.db.run(_claim_event, channel, inbound.event_id, person_id, keyword)
        if not claimed:
            log.info("%s: replayed event ignored", channel)
            return Reply(replay=True)
        try:
            return await self._receive(adapter, inbound, person_id, previous, interim_after)
        except Exception:
            # Nothing was answered: let the provider's retry be handled as a new message.
            await self.db.run(_release_event, channel, inbound.event_id)
            raise

    async def _receive(self, adapter: ChannelAdapter, inbound: Inbound, person_id: str,
                       previous_keyword: str | None, interim_after: float) -> Reply:
        conversation = await self.conversations.for_address(adapter.name, inbound.address, inbound.source)
        stopped = conversation.stopped_at is not None
        keyword = inbound.keyword
        limited = await self._over_limit(adapter, inbound, person_id, interim_after, stopped)
        if limited is not None:
            return limited
        answers_erasure = previous_keyword == Keyword.DELETE.value     # « OUI » to « effacer vraiment ? »
        if (adapter.name == "sms" and not answers_erasure and confirms(inbound.text)
                and await self.outbox.release_held(adapter.name, person_id)):   # « OUI » to the reminders SMS
            return await self._turn(adapter, inbound.address, person_id, _say("reminders_confirmed"), interim_after)

        def turn(work: Work, typing: bool = False) -> Awaitable[Reply]:
            return self._turn(adapter, inbound.address, person_id, work, interim_after, typing)

        if keyword is Keyword.STOP:
            if stopped:
                return Reply()                       # the one confirmation was already sent
            await self.db.run(_set_stopped, conversation.id, True)
            log.info("%s: stopped", adapter.name)
            return await turn(self._rasa_work(adapter, inbound, payload="/stop", fallback="stop_confirmed",
                                              confirmation=True, required=True))
        if keyword is Keyword.START:
            if stopped:
                await self.db.run(_set_stopped, conversation.id, False)
                log.info("%s: started again", adapter.name)
            if inbound.payload:                      # Telegram's /start: the bot greets
                return await turn(self._rasa_work(adapter, inbound, payload=inbound.payload), typing=True)
            return await turn(_say("start_confirmed"))
        if keyword is Keyword.HELP:
            return await turn(_say("help", confirmation=stopped))
        if keyword is Keyword.DELETE:
            return await turn(self._rasa_work(adapter, inbound, payload="/delete_data", confirmation=stopped))
        if stopped:
            if previous_keyword == Keyword.DELETE.value:   # the answer to « effacer vraiment ? »
                return await turn(self._rasa_work(adapter, inbound, confirmation=True))
            return Reply()                           # STOP means silence
        if inbound.unsupported:
            return await turn(_say("text_only"))
        return await turn(self._rasa_work(adapter, inbound), typing=True)

    async def _over_limit(self, adapter: ChannelAdapter, inbound: Inbound, person_id: str,
                          interim_after: float, stopped: bool) -> Reply | None:
        """Too many messages from this sender (STOP and SUPPRIMER always pass): one polite text (none
        after STOP), then silence until the window passes. None when the message may go on."""
        if self.limits is None or inbound.keyword in (Keyword.STOP, Keyword.DELETE):
            return None
        sender = f"{adapter.name}-{person_id}"
        if (await self.limits.hit(MESSAGES, sender)).allowed:
            return None
        log.info("%s: sender over its message limit", adapter.name)
        if not stopped and await self.limits.first_refusal(MESSAGES, sender):
            return await self._turn(adapter, inbound.address, person_id, _say("too_many_messages"), interim_after)
        return Reply()

    def _rasa_work(self, adapter: ChannelAdapter, inbound: Inbound, *, payload: str | None = None,
                   fallback: str = "assistant_unavailable", confirmation: bool = False,
                   required: bool = False) -> Work:
        """The turn itself, run in the person's lane: the conversation is read again there, so a
        number or a button refers to the choices of the turn just before. `fallback` is said when
        Rasa is down (and when it says nothing, if an answer is `required`)."""

        async def work() -> tuple[list[BotMessage], bool]:
            conversation = await self.conversations.for_address(adapter.name, inbound.address)
            if inbound.choice_tag is not None and inbound.choice_tag != choices_tag(conversation.last_buttons):
                return [text_message("choice_expired")], confirmation
            try:
                turn = await self.conversations.handle(
                    conversation, adapter.capabilities,
                    text=None if payload or inbound.payload or inbound.choice is not None else inbound.text,
                    payload=payload or inbound.payload,
                    choice=None if payload else inbound.choice)
            except RasaUnavailable:
                log.warning("%s: Rasa unavailable, local answer", adapter.name)
                return [text_message(fallback)], confirmation
            except ValueError:                       # a choice or payload that does not exist
                return [text_message("choice_expired")], confirmation
            if required and not turn.messages:
                return [text_message(fallback)], confirmation
            kinds = {control.get("type") for control in turn.controls}
            confirm = confirmation or bool(kinds & {"stop", "erase"})
            if "erase" in kinds:
                await self.outbox.forget(adapter.name, conversation.person_id)
            return turn.messages, confirm

        return work

    async def _turn(self, adapter: ChannelAdapter, address: str, person_id: str, work: Work,
                    interim_after: float, typing: bool = False) -> Reply:
        """Run `work` in the person's lane. Inline answer if it ends within `interim_after` and nothing
        is queued for the person; otherwise « Je calcule, un instant… » now and the result through
        the outbox."""
        key = (adapter.name, person_id)
        lane = self._lanes.setdefault(key, _Lane())
        lane.users += 1
        busy = lane.compute.locked()
        waiter: asyncio.Future[list[Outgoing]] = asyncio.get_running_loop().create_future()

        async def job() -> None:
            try:
                async with lane.compute:
                    if typing:
                        self.spawn(adapter.typing(address))
                    try:
                        messages, confirmation = await work()
                    except Exception as error:  # noqa: BLE001
                        log.error("%s: turn failed (%s)", adapter.name, type(error).__name__)
                        log.debug("turn failure", exc_info=True)
                        messages, confirmation = [text_message("assistant_unavailable")], False
                    parts = adapter.outgoing(messages)
                    async with lane.delivery:
                        if (adapter.inline_replies and not waiter.done()
                                and not await self.outbox.has_unsent(adapter.name, person_id)):
                            waiter.set_result(parts)
                            return
                        if parts:
                            await self.outbox.enqueue(adapter.name, person_id, address, parts,
                                                      confirmation=confirmation)
                        if not waiter.done():
                            waiter.set_result([])
            finally:
                lane.users -= 1
                if lane.users == 0 and self._lanes.get(key) is lane:
                    del self._lanes[key]

        self.spawn(job())
        if not busy:
            try:
                return Reply(await asyncio.wait_for(asyncio.shield(waiter), timeout=interim_after))
            except TimeoutError:
                pass
        async with lane.delivery:
            if waiter.done():
                return Reply(waiter.result())
            waiter.cancel()                          # the result will go through the outbox
            if busy:
                return Reply()                       # an earlier turn is running: it has said so
            interim = adapter.outgoing([text_message("computing")])
            if adapter.inline_replies:
                if await self.outbox.has_unsent(adapter.name, person_id):
                    return Reply()
                return Reply(interim)
            await self.outbox.enqueue(adapter.name, person_id, address, interim)
            return Reply()


def _say(name: str, confirmation: bool = False) -> Work:
    async def work() -> tuple[list[BotMessage], bool]:
        return [text_message(name)], confirmation
    return work


# -- database work (runs in a worker thread) ------------------------------------------------------------
def _claim_event(session: Session, channel: str, event_id: str, person_id: str,
                 keyword: str | None) -> tuple[bool, str | None]:
    """Record a provider event once. Returns (first time?, keyword of this person's previous message)."""
    previous = session.exec(
        select(InboundMessage.keyword)
        .where(InboundMessage.channel == channel, InboundMessage.person_id == person_id)
        .order_by(InboundMessage.id.desc()).limit(1)).first()
    session.add(InboundMessage(channel=channel, provider_id=event_id[:64], person_id=person_id, keyword=keyword))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False, None
    return True, previous


def _release_event(session: Session, channel: str, event_id: str) -> None:
    row = session.exec(select(InboundMessage).where(InboundMessage.channel == channel,
                                                    InboundMessage.provider_id == event_id[:64])).first()
    if row is not None:
        session.delete(row)
        session.commit()


def _set_stopped(session: Session, conversation_id: str, stopped: bool) -> None:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return
    conversation.stopped_at = utcnow() if stopped else None
    session.add(conversation)
    session.commit()
