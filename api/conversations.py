"""The channel-independent core: open a conversation, pass a person's message to Rasa, apply the
actions' control signals (consent, estimate, topic, stop, erase) and return what the bot says.
Each conversation also has its anonymous visit for the committee's figures (api/visits.py)."""
from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from sqlmodel import Session, delete, select

from api import trackers, visits
from api.booking import service as booking
from api.core.db import Database
from api.core.middleware import clean_text
from api.core.security import Pseudonymiser, new_conversation_id
from api.core.shared import MemoryState, SharedState
from api.models import ConsentRecord, Conversation, EstimateRecord, OutboxMessage, OutreachAction, utcnow
from api.rasa_client import RasaClient, RasaUnavailable
from api.territories import Territories
from api.trackers import Erasures
from channels.messages import BotMessage, BotTurn
from channels.render import WEB, Capabilities, open_choices, render

log = logging.getLogger(__name__)

SOURCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PAYLOAD_PATTERN = re.compile(r"^/[a-z_]+(\{.*\})?$", re.S)
MAX_TEXT = 1000


class ConversationNotFound(LookupError):
    pass


class ConversationService:
    def __init__(self, db: Database, rasa: RasaClient, pseudonymiser: Pseudonymiser, ready_wait: float = 20.0,
                 erasures: Erasures | None = None, territories: Territories | None = None,
                 shared: SharedState | None = None):
        self.db = db
        self.territories = territories or Territories()
        self.rasa = rasa
        self.pseudonymiser = pseudonymiser
        self.ready_wait = ready_wait
        self.trackers = erasures or Erasures(db, rasa, None)
        self.shared = shared or MemoryState()     # address book, replays (api/core/shared.py)

    # -- opening ----------------------------------------------------------------------------------
    async def open_web(self, source: str | None) -> tuple[Conversation, BotTurn]:
        """A new web conversation (one per QR scan) and the bot's first messages."""
        await self._ensure_rasa()
        conversation_id = new_conversation_id()
        conversation = Conversation(
            id=conversation_id,
            channel="web",
            person_id=self.pseudonymiser.pseudonym("web", conversation_id),
            source=source,
        )
        await self.db.run(_open, conversation)
        turn = await self.handle(conversation, WEB, payload="/greet")
        return conversation, turn

    async def for_address(self, channel: str, address: str, source: str | None = None) -> Conversation:
        """The conversation of an SMS number or Telegram chat, created on first contact."""
        person_id = self.pseudonymiser.pseudonym(channel, address)
        return await self.db.run(_get_or_create, channel, person_id, source)

    async def get(self, conversation_id: str) -> Conversation:
        conversation = await self.db.run(lambda s: s.get(Conversation, conversation_id))
        if conversation is None:
            raise ConversationNotFound(conversation_id)
        return conversation

    # -- one message --------------------------------------------------------------------------------
    async def handle(self, conversation: Conversation, capabilities: Capabilities, text: str | None = None,
                     payload: str | None = None, choice: int | None = None,
                     metadata: dict[str, Any] | None = None) -> BotTurn:
        """One inbound message (typed text, a button payload, or the number of a choice) and the bot's
        answer, rendered for the channel."""
        if choice is not None:
            payload = chosen_payload(conversation.last_buttons, choice)
        elif text is not None and capabilities.numbered_choices and conversation.last_buttons:
            digits = text.strip().rstrip(".)")
            if digits.isdigit():
                payload = chosen_payload(conversation.last_buttons, int(digits), fallback=None)
                text = None if payload else text
        message = to_rasa_message(text, payload)
        await self._ensure_rasa()
        meta = {"channel": conversation.channel, "source": conversation.source, **(metadata or {})}
        turn = await self.rasa.send(conversation.person_id, message, meta)
        choices = open_choices(turn.messages, capabilities)
        turn.messages = render(turn.messages, capabilities)
        await self._apply_controls(conversation, turn, choices)
        return turn

    async def handle_once(self, conversation: Conversation, capabilities: Capabilities, client_id: str | None,
                          **message: Any) -> BotTurn:
        """`handle`, but a message sent again with the same client id (a retry after a network loss)
        gets the same answer, and reaches Rasa once, even while the first one is still running — in
        this process or another (the shared state: api/core/shared.py). Only the messages are given
        again: the control signals were applied the first time."""
        if client_id is None:
            return await self.handle(conversation, capabilities, **message)
        kept = await self.shared.replayed(conversation.id, client_id)
        if kept is not None:
            return BotTurn(messages=[BotMessage.from_json(m) for m in kept])
        async with self.shared.replay_lock(conversation.id, client_id, hold=self.rasa.timeout + 5.0):
            kept = await self.shared.replayed(conversation.id, client_id)   # the first attempt has ended
            if kept is not None:
                return BotTurn(messages=[BotMessage.from_json(m) for m in kept])
            turn = await self.handle(conversation, capabilities, **message)
            await self.shared.keep_replay(conversation.id, client_id, [m.to_json() for m in turn.messages])
        return turn

    async def _ensure_rasa(self) -> None:
        """Wait for Rasa at start-up only; once it has been up, a failure is answered at once (the
        breaker and the probes of RasaClient.send bound it)."""
        if self.rasa.ready or self.rasa.was_ready or await self.rasa.wait_ready(self.ready_wait):
            return
        raise RasaUnavailable("Rasa is still starting")

    async def _apply_controls(self, conversation: Conversation, turn: BotTurn, choices: list[dict[str, str]]) -> None:
        erase = False
        for control in turn.controls:
            kind = control.get("type")
            if kind == "erase":
                erase = True
            elif kind in {"consent", "estimate", "stop", "start"}:
                await self.db.run(_apply_control, conversation.id, conversation.person_id, control)
                if kind == "estimate":
                    await self.db.run(visits.screened, conversation.id, self._territory_of(control.get("commune")),
                                      control.get("benefits") or [], utcnow())
            elif kind == "topic":
                await self.db.run(visits.noted, conversation.id, str(control.get("kind")), str(control.get("key")))
            else:
                log.warning("Unknown control signal %r ignored", kind)
        await self.db.run(_touch, conversation.id, choices)
        if erase:
            await self.erase_person(conversation.person_id)

    def _territory_of(self, commune: Any) -> str | None:
        found = self.territories.for_commune(commune) if isinstance(commune, str) and commune else None
        return found.id if found else None

    async def erase_person(self, person_id: str) -> None:
        """SUPPRIMER: forget everything about this person: the database, the replay cache and the other
        in-memory copies, and Rasa's tracker (deleted in its store; retried until done if Rasa or the
        store is down: the pending erasure is recorded with the rest)."""
        conversation_ids = set(await self.db.run(_erase, person_id, utcnow()))
        await self.shared.forget_conversations(conversation_ids)
        await self.shared.forget_person(person_id)
        await self.trackers.erase(person_id)


def chosen_payload(choices: list[dict[str, str]], number: int, fallback: str | None = "") -> str | None:
    """The payload of choice `number` (1-based) of the last turn."""
    if 1 <= number <= len(choices):
        return choices[number - 1]["payload"]
    if fallback is None:
        return None
    raise ValueError("choice")


def to_rasa_message(text: str | None, payload: str | None) -> str:
    """Payloads are the bot's own button payloads (`/intent{...}`); typed text never becomes an intent."""
    if payload is not None:
        payload = clean_text(payload).strip()
        if len(payload) > MAX_TEXT or not PAYLOAD_PATTERN.match(payload):
            raise ValueError("payload")
        return payload
    cleaned = clean_text(text or "").strip().lstrip("/").strip()
    if not cleaned:
        raise ValueError("text")
    return cleaned[:MAX_TEXT]


# -- database work (runs in a worker thread) ------------------------------------------------------------
def _open(session: Session, conversation: Conversation) -> Conversation:
    session.add(conversation)
    visits.open_visit(session, conversation)
    session.commit()
    return conversation


def _get_or_create(session: Session, channel: str, person_id: str, source: str | None) -> Conversation:
    """On creation, and when the person comes back through another outreach action, a new visit."""
    query = select(Conversation).where(Conversation.channel == channel, Conversation.person_id == person_id)
    conversation = session.exec(query).first()
    if conversation is None:
        return _open(session, Conversation(id=new_conversation_id(), channel=channel, person_id=person_id,
                                           source=source))
    if source and conversation.source != source:
        conversation.source = source
        if session.get(OutreachAction, source) is not None:
            visits.open_visit(session, conversation)
        session.commit()
    return conversation


def _touch(session: Session, conversation_id: str, buttons: list[dict[str, str]]) -> None:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return
    conversation.last_active_at = utcnow()
    conversation.last_buttons = buttons
    session.add(conversation)
    session.commit()


def _apply_control(session: Session, conversation_id: str, person_id: str, control: dict[str, Any]) -> None:
    conversation = session.get(Conversation, conversation_id)
    kind = control["type"]
    if kind == "consent":
        given = bool(control.get("given"))
        consent_kind = str(control.get("kind") or "privacy")[:32]
        session.add(ConsentRecord(person_id=person_id, kind=consent_kind, given=given))
        if consent_kind == "privacy" and conversation is not None:
            conversation.consent_at = utcnow() if given else None
    elif kind == "estimate":
        if conversation is None or conversation.consent_at is None:
            return  # nothing is kept without consent
        session.add(EstimateRecord(
            person_id=person_id,
            source=conversation.source,
            household=control.get("household") or {},
            benefits=control.get("benefits") or [],
            monthly_total=float(control.get("monthly_total") or 0.0),
        ))
    elif kind == "stop" and conversation is not None:
        conversation.stopped_at = utcnow()
    elif kind == "start" and conversation is not None:
        conversation.stopped_at = None
    if conversation is not None:
        session.add(conversation)
    session.commit()


def _erase(session: Session, person_id: str, now: datetime) -> list[str]:
    """Returns the ids of the person's conversations, now deleted."""
    conversation_ids = list(session.exec(select(Conversation.id).where(Conversation.person_id == person_id)))
    trackers.record(session, person_id, now)    # committed with the rest: the tracker's deletion is retried
    reminders = booking.erase(session, person_id, now)
    if reminders:       # reminders by SMS to a number given on the web: another pseudonym, same person
        session.exec(delete(OutboxMessage).where(OutboxMessage.id.in_(reminders)))
    visits.unlink(session, conversation_ids)   # the visits stay, anonymous, for the figures
    for table in (EstimateRecord, ConsentRecord, Conversation):
        session.exec(delete(table).where(table.person_id == person_id))
    session.commit()
    return conversation_ids
