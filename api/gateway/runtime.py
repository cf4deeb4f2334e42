"""What every messaging channel does with a person's message, once its adapter has checked and
normalised it (channels/base.py): deduplicate, apply the keywords and STOP, run the turn with a
deadline, and answer inline (TwiML) or through the outbox (api/outbox.py), in order per person.

- Deduplication: the provider's id (MessageSid, update_id) is inserted first; a replay hits the unique
  constraint and changes nothing.
- No message lost: that same first insert stores the message, encrypted (number, text, button), as
  `pending`. It is wiped (`done`) once answered. When a part is down (Rasa, the action server, the
  database), the person gets one « service en panne » message (api/faults.py) and the message stays
  pending: a background loop tries it again with backoff, in order per person (a person's later
  messages wait behind it), until it is answered or INBOUND_RETRY_HOURS have passed. If the database
  itself is down at receipt, the message is kept in memory (at most INBOUND_MEMORY_MAX, lost if the
  process stops meanwhile) and stored when the database is back. Either way the webhook answers 200:
  Twilio and Telegram never get a 5xx for our own trouble.
- Outreach: a message that is exactly an outreach action's SMS keyword or code (« DROITS7K2 », read
  on a poster) tags the conversation with that action's code and is answered as a greeting.
- STOP (and Twilio's stop words): marked stopped at once, `/stop` forwarded to Rasa so that the
  conversation knows, one confirmation (the local text if Rasa is down). Then silence, except:
  START (back in), AIDE/HELP (the help text), and SUPPRIMER with the answer to its confirmation
  question (the stop confirmation says erasure stays possible).
- Order: one lane per person, and across API processes a lock per pseudonym (api/core/shared.py,
  Redis when REDIS_URL is set) held while one message is handled. Turns run one after the other; a turn that misses the deadline
  answers « Je calcule, un instant… » and delivers its result through the outbox; while something
  is queued for a person, later answers queue behind it instead of overtaking it in the webhook's
  response.
- Nothing personal is logged: no text, no number (only channel names and exception types).
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from api.conversations import ConversationService
from api.core.config import Settings
from api.core.db import Database
from api.core.rounds import run_rounds
from api.core.limits import MESSAGES, RateLimits
from api.core.security import MissingSecret, Vault
from api.core.shared import Busy
from api.faults import FaultNotice
from api.gateway import inbound as inbound_store
from api.gateway.inbound import LEASE, RETRY_BATCH
from api.gateway.texts import text_message
from api.models import utcnow
from api.outbox import Outbox
from api.rasa_client import RasaUnavailable
from api.staff.actions import code_for_message
from channels.base import ChannelAdapter, Inbound, Keyword, Outgoing, adapter_classes, choices_tag
from channels.keywords import confirms
from channels.messages import BotMessage

log = logging.getLogger(__name__)
LEASE_SECONDS = LEASE.total_seconds()    # the longest one person's turn holds the shared lock
CLAIM_SECONDS = 10.0                     # the longest one message's storing holds it

Work = Callable[[], Awaitable[tuple[list[BotMessage], bool]]]
Settle = Callable[[bool], Awaitable[None]]



class Postponed(Exception):
    """A part is down: the message stays pending and will be answered later."""


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
                 adapters: dict[str, ChannelAdapter] | None = None, limits: RateLimits | None = None,
                 fault_notice: FaultNotice | None = None):
        self.settings = settings
        self.limits = limits
        self.fault_notice = fault_notice or FaultNotice()
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
        self.shared = conversations.shared       # address book and per-person lock (api/core/shared.py)
        self._held: deque[tuple[str, Inbound, datetime]] = deque()   # received while the database was down
        self._retrier: asyncio.Task | None = None
        self._wake_retrier = asyncio.Event()

    @property
    def ready(self) -> bool:
        """Messaging channels need the vault: replies may have to be queued with the number."""
        return self.vault is not None

    async def address(self, channel: str, person_id: str) -> str | None:
        """The number or chat id of a person seen recently on `channel` (any API process), else None."""
        return await self.shared.address(channel, person_id)

    def adapter(self, name: str) -> Any:
        return self.adapters[name]

    async def start(self) -> None:
        if self.ready and self.settings.outbox_worker_enabled:
            self.outbox.start()
        if self.ready and self._retrier is None:
            self._retrier = asyncio.create_task(self._retry_loop(), name="inbound-retry")

    async def aclose(self) -> None:
        """Let running turns finish (their results go to the outbox), then stop the workers."""
        if self._retrier is not None:
            self._retrier.cancel()
            with suppress(asyncio.CancelledError):
                await self._retrier
            self._retrier = None
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
        """Handle one normalised message; the answer to give inline (may be empty). Never raises: the
        message is stored first, and whatever fails after that, it stays to be answered later."""
        channel = adapter.name
        person_id = self.conversations.pseudonymiser.pseudonym(channel, inbound.address)
        await self.shared.remember_address(channel, person_id, inbound.address)
        keyword = inbound.keyword.value if inbound.keyword else None
        now = utcnow()
        try:
            claimed, previous, waiting = await self._claim(channel, inbound, person_id, keyword, now)
        except SQLAlchemyError as error:
            return await self._hold(adapter, inbound, person_id, now, error)
        if not claimed:
            log.info("%s: replayed event ignored", channel)
            return Reply(replay=True)
        if waiting and inbound.keyword is not Keyword.STOP:   # an earlier message waits: this one goes behind it
            log.info("%s: message queued behind an earlier one", channel)
            self._wake_retrier.set()
            return Reply()
        settle = self._settler(channel, inbound.event_id, now)
        try:
            return await self._receive(adapter, inbound, person_id, previous, interim_after, settle)
        except Exception as error:  # noqa: BLE001  (the database failed before the turn ran)
            log.warning("%s: message kept for later (%s)", channel, type(error).__name__)
            with suppress(Exception):
                await settle(True)
            return await self._notice_now(adapter, inbound, person_id)

    async def _claim(self, channel: str, inbound: Inbound, person_id: str, keyword: str | None,
                     now: datetime) -> tuple[bool, str | None, bool]:
        """Store the message. One person's messages are stored one at a time, whichever process gets
        them, so that each sees the earlier ones still waiting and queues behind them."""
        sealed = self._sealed(inbound)
        try:
            async with self.shared.person_lock(channel, person_id, hold=CLAIM_SECONDS, wait=CLAIM_SECONDS,
                                               step="claim"):
                return await self.db.run(inbound_store.claim_event, channel, inbound.event_id, person_id, keyword,
                                         sealed, now, now + LEASE)
        except Busy:
            log.warning("%s: message stored without the person's lock", channel)
            return await self.db.run(inbound_store.claim_event, channel, inbound.event_id, person_id, keyword,
                                     sealed, now, now + LEASE)

    def _sealed(self, inbound: Inbound) -> str:
        fields = {"address": inbound.address, "event_id": inbound.event_id, "text": inbound.text,
                  "payload": inbound.payload, "choice": inbound.choice, "choice_tag": inbound.choice_tag,
                  "source": inbound.source, "keyword": inbound.keyword.value if inbound.keyword else None,
                  "unsupported": inbound.unsupported}
        # ASCII JSON: a lone surrogate (refused by UTF-8) is kept as its escape
        return self.vault.encrypt(json.dumps(fields))  # type: ignore[union-attr]

    def _unsealed(self, channel: str, content: str) -> Inbound:
        fields = json.loads(self.vault.decrypt(content))  # type: ignore[union-attr]
        keyword = fields.pop("keyword", None)
        keyword = Keyword(keyword) if keyword else None
        return Inbound(channel=channel, keyword=keyword, **fields)

    def _settler(self, channel: str, event_id: str, received_at: datetime) -> Settle:
        async def settle(postponed: bool) -> None:
            await self.db.run(inbound_store.settle, channel, event_id, postponed, utcnow(), received_at,
                              self.settings.inbound_retry_seconds,
                              timedelta(hours=self.settings.inbound_retry_hours))
            self._wake_retrier.set()        # a message waiting behind this one may go now
        return settle

    def notice(self, source: str | None) -> list[BotMessage]:
        """The « service en panne » message: the person's message is kept and will be answered."""
        return [BotMessage(text=self.fault_notice.text(source, kept=True))]

    async def _hold(self, adapter: ChannelAdapter, inbound: Inbound, person_id: str, now: datetime,
                    error: Exception) -> Reply:
        """The database is down at receipt: keep the message in memory until it can be stored."""
        already = any(channel == adapter.name and held.address == inbound.address
                      for channel, held, _ in self._held)
        if len(self._held) >= self.settings.inbound_memory_max:
            log.error("%s: database down and memory full, message dropped", adapter.name)
            return Reply()
        log.warning("%s: database down (%s), message kept in memory", adapter.name, type(error).__name__)
        self._held.append((adapter.name, inbound, now))
        self._wake_retrier.set()
        if already:
            return Reply()
        return await self._notice_now(adapter, inbound, person_id, database=False)

    async def _notice_now(self, adapter: ChannelAdapter, inbound: Inbound, person_id: str, *,
                          database: bool = True) -> Reply:
        """Say at once that the message is kept: inline (TwiML), else through the outbox, else (the
        database is down) straight to the provider, best effort."""
        parts = adapter.outgoing(self.notice(inbound.source))
        if adapter.inline_replies:
            return Reply(parts)
        if database:
            try:
                await self.outbox.enqueue(adapter.name, person_id, inbound.address, parts)
                return Reply()
            except Exception as error:  # noqa: BLE001
                log.warning("%s: notice not queued (%s)", adapter.name, type(error).__name__)

        async def push() -> None:
            for part in parts:
                with suppress(Exception):
                    await adapter.deliver(inbound.address, part)
        self.spawn(push())
        return Reply()

    # -- messages kept for later ----------------------------------------------------------------------
    async def _retry_loop(self) -> None:
        await run_rounds(self.retry_waiting, self._wake_retrier, self.settings.outbox_poll_seconds, log,
                         "Inbound retry round failed", logging.WARNING)

    async def retry_waiting(self) -> int:
        """Store the messages held in memory, then answer the first due pending message of each person
        (in order per person). Returns how many were tried."""
        while self._held:
            channel, inbound, received_at = self._held[0]
            person_id = self.conversations.pseudonymiser.pseudonym(channel, inbound.address)
            keyword = inbound.keyword.value if inbound.keyword else None
            await self.db.run(inbound_store.claim_event, channel, inbound.event_id, person_id, keyword,
                              self._sealed(inbound), received_at, received_at)
            self._held.popleft()
        now = utcnow()
        rows = await self.db.run(inbound_store.claim_waiting, now, now + LEASE, RETRY_BATCH)
        if not rows:
            return 0
        await asyncio.gather(*(self._retry_one(*row) for row in rows))
        return len(rows)

    async def _retry_one(self, channel: str, event_id: str, content: str | None, previous: str | None,
                         received_at: datetime) -> None:
        settle = self._settler(channel, event_id, received_at)
        adapter = self.adapters.get(channel)
        try:
            if adapter is None or content is None:
                raise LookupError("unreadable")
            inbound = self._unsealed(channel, content)
        except Exception as error:  # noqa: BLE001  (wrong key, no adapter: never answerable)
            log.error("%s: kept message unreadable (%s)", channel, type(error).__name__)
            await self.db.run(inbound_store.give_up, channel, event_id)
            return
        person_id = self.conversations.pseudonymiser.pseudonym(channel, inbound.address)
        await self.shared.remember_address(channel, person_id, inbound.address)
        try:
            await self._receive(adapter, inbound, person_id, previous, 0.0, settle, background=True)
        except Exception as error:  # noqa: BLE001
            log.warning("%s: kept message still waiting (%s)", channel, type(error).__name__)
            with suppress(Exception):
                await settle(True)

    async def _receive(self, adapter: ChannelAdapter, inbound: Inbound, person_id: str,
                       previous_keyword: str | None, interim_after: float, settle: Settle, *,
                       background: bool = False) -> Reply:
        inbound = await self._from_outreach(inbound)
        conversation = await self.conversations.for_address(adapter.name, inbound.address, inbound.source)
        stopped = conversation.stopped_at is not None
        keyword = inbound.keyword
        notified = [background]      # a retried message: its notice was already sent

        async def done(postponed: bool = False) -> Reply:
            await settle(postponed)
            return Reply()

        def turn(work: Work, typing: bool = False) -> Awaitable[Reply]:
            return self._turn(adapter, inbound.address, person_id, work, interim_after, typing,
                              settle=settle, source=conversation.source, notified=notified, background=background)

        if not background:          # a kept message retried was counted when it came
            limited = await self._over_limit(adapter, inbound, person_id, stopped)
            if limited is not None:
                return await (turn(_say("too_many_messages")) if limited else done())
        answers_erasure = previous_keyword == Keyword.DELETE.value     # « OUI » to « effacer vraiment ? »
        if (adapter.name == "sms" and not answers_erasure and confirms(inbound.text)
                and await self.outbox.release_held(adapter.name, person_id)):   # « OUI » to the reminders SMS
            return await turn(_say("reminders_confirmed"))

        if keyword is Keyword.STOP:
            if stopped:
                return await done()                  # the one confirmation was already sent
            await self.db.run(inbound_store.set_stopped, conversation.id, True)
            log.info("%s: stopped", adapter.name)
            return await turn(self._rasa_work(adapter, inbound, payload="/stop", fallback="stop_confirmed",
                                              confirmation=True, required=True))
        if keyword is Keyword.START:
            if stopped:
                await self.db.run(inbound_store.set_stopped, conversation.id, False)
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
            return await done()                      # STOP means silence
        if inbound.unsupported:
            return await turn(_say("text_only"))
        return await turn(self._rasa_work(adapter, inbound), typing=True)

    async def _from_outreach(self, inbound: Inbound) -> Inbound:
        """The keyword or code of an outreach action, alone in a message, starts the conversation from it:
        the code becomes the source and the bot greets. Any other message is left as it is."""
        if (inbound.text is None or inbound.keyword is not None or inbound.payload is not None
                or inbound.choice is not None or inbound.source is not None):
            return inbound
        code = await self.db.run(code_for_message, inbound.text)
        return inbound if code is None else replace(inbound, text=None, payload="/greet", source=code)

    async def _over_limit(self, adapter: ChannelAdapter, inbound: Inbound, person_id: str,
                          stopped: bool) -> bool | None:
        """Too many messages from this sender (STOP and SUPPRIMER always pass): True for the one polite
        text (none after STOP), then False (silence) until the window passes; None when the message
        may go on."""
        if self.limits is None or inbound.keyword in (Keyword.STOP, Keyword.DELETE):
            return None
        sender = f"{adapter.name}-{person_id}"
        if (await self.limits.hit(MESSAGES, sender)).allowed:
            return None
        log.info("%s: sender over its message limit", adapter.name)
        return not stopped and await self.limits.first_refusal(MESSAGES, sender)

    def _rasa_work(self, adapter: ChannelAdapter, inbound: Inbound, *, payload: str | None = None,
                   fallback: str = "assistant_unavailable", confirmation: bool = False,
                   required: bool = False) -> Work:
        """The turn itself, run in the person's lane: the conversation is read again there, so a
        number or a button refers to the choices of the turn just before. When Rasa is down, `fallback`
        is said (STOP: its local confirmation) or, by default, the message is postponed (Postponed)."""

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
                if fallback == "assistant_unavailable":
                    log.warning("%s: Rasa unavailable, message kept for later", adapter.name)
                    raise Postponed() from None
                log.warning("%s: Rasa unavailable, local answer", adapter.name)
                return [text_message(fallback)], confirmation
            except ValueError:                       # a choice or payload that does not exist
                return [text_message("choice_expired")], confirmation
            if not turn.messages and (required or not turn.controls):
                return [text_message(fallback)], confirmation     # an empty turn is not silence
            kinds = {control.get("type") for control in turn.controls}
            confirm = confirmation or bool(kinds & {"stop", "erase"})
            if "erase" in kinds:
                await self.outbox.forget(adapter.name, conversation.person_id)
            return turn.messages, confirm

        return work

    async def _turn(self, adapter: ChannelAdapter, address: str, person_id: str, work: Work,
                    interim_after: float, typing: bool = False, *, settle: Settle | None = None,
                    source: str | None = None, notified: list[bool] | None = None,
                    background: bool = False) -> Reply:
        """Run `work` in the person's lane. Inline answer if it ends within `interim_after` and nothing
        is queued for the person; otherwise « Je calcule, un instant… » now and the result through
        the outbox. A postponed turn (a part down) answers the fault notice once, and `settle` records
        whether the message was answered or stays pending. `background` (a retried message): no
        inline answer, no interim; returns once the turn has ended."""
        key = (adapter.name, person_id)
        lane = self._lanes.setdefault(key, _Lane())
        lane.users += 1
        busy = lane.compute.locked()
        waiter: asyncio.Future[list[Outgoing]] = asyncio.get_running_loop().create_future()
        notified = notified if notified is not None else [False]
        if background:
            waiter.cancel()

        async def job() -> None:
            postponed = False
            try:
                async with lane.compute, self.shared.person_lock(adapter.name, person_id, hold=LEASE_SECONDS,
                                                                 wait=LEASE_SECONDS):
                    if typing and not background:
                        self.spawn(adapter.typing(address))
                    try:
                        messages, confirmation = await work()
                    except Postponed:
                        postponed = True
                        messages, confirmation = ([] if notified[0] else self.notice(source)), False
                        notified[0] = True
                    except Exception as error:  # noqa: BLE001
                        log.error("%s: turn failed (%s)", adapter.name, type(error).__name__)
                        log.debug("turn failure", exc_info=True)
                        messages, confirmation = [text_message("assistant_unavailable")], False
                    parts = adapter.outgoing(messages)
                    async with lane.delivery:
                        if (adapter.inline_replies and not waiter.done()
                                and not await self.outbox.has_unsent(adapter.name, person_id)):
                            if settle is not None:   # first: the person's next message must not wait behind it
                                await settle(postponed)
                            waiter.set_result(parts)
                            return
                        if parts:
                            await self.outbox.enqueue(adapter.name, person_id, address, parts,
                                                      confirmation=confirmation)
                        if settle is not None:
                            await settle(postponed)
                        if not waiter.done():
                            waiter.set_result([])
            except Busy:                     # another process has held this person for too long
                log.warning("%s: person busy elsewhere, message kept for later", adapter.name)
                if settle is not None:
                    with suppress(Exception):
                        await settle(True)
                if not waiter.done():
                    waiter.set_result([])
            except Exception as error:  # noqa: BLE001  (the database failed: the message stays pending)
                log.warning("%s: turn not settled (%s)", adapter.name, type(error).__name__)
                if settle is not None:
                    with suppress(Exception):
                        await settle(True)
                if not waiter.done():
                    waiter.set_exception(error)
            finally:
                lane.users -= 1
                if lane.users == 0 and self._lanes.get(key) is lane:
                    del self._lanes[key]

        task = self.spawn(job())
        if background:
            await task
            return Reply()
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


