"""The outbox: outbound SMS and Telegram messages stored in the database, delivered by a worker that
survives restarts, in order per recipient, retried with exponential backoff.

Enqueue (any feature, e.g. appointment reminders)::

    await app.state.outbox.enqueue(
        "sms", person_id, phone_number, [BotMessage(text="Rappel : rendez-vous demain à 10 h.")],
        not_before=reminder_time, not_after=appointment_time, kind="reminder")

- `person_id` is the recipient's pseudonym on that channel (Pseudonymiser.pseudonym(channel, address));
  `address` (number, chat id) is stored encrypted (Vault), like the content, and both are wiped once
  the message is delivered, has failed or has expired.
- Messages are rendered and cut for the channel by its adapter at enqueue time: each row is one SMS or
  one Telegram message, with a sequence number per recipient.
- Order: a recipient's next message waits until the previous due one has left (sent or given up).
  A message whose `not_before` is still ahead does not hold back the others.
- A message whose `not_after` has passed is never sent (status `expired`).
- Nothing is sent to a stopped conversation (STOP), except the confirmation of the person's own STOP
  or erasure (`confirmation=True`).
- `held=True`: queued but not sent until `release_held()` (reminders to a number given on the web, until
  that number answers OUI to the confirmation SMS); a held message whose `not_after` passes expires.
- SMS pumping: at most `sms_daily_cap` SMS leave for one number (its pseudonym) in 24 hours; a message
  over the cap is never sent (status `failed`, error `daily_cap_reached`). STOP and erasure
  confirmations are not counted out. 0: no cap.
- Statuses: (held ->) pending -> sent (accepted by the provider) -> delivered (status callback, or at once for
  Telegram), or failed, or expired, or cancelled (`cancel()`: a reminder of a cancelled appointment).
- Several API processes may run a worker: a row is claimed (locked_until) before it is sent. A crash
  between the provider's answer and the database update may send a message twice (at least once).
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from api.core.db import Database
from api.core.rounds import run_rounds
from api.core.security import Vault
from api.models import Conversation, InboundMessage, OutboxMessage, utcnow
from channels.base import ChannelAdapter, DeliveryError, Outgoing
from channels.messages import BotMessage

log = logging.getLogger(__name__)

PENDING, SENT, DELIVERED, FAILED, EXPIRED = "pending", "sent", "delivered", "failed", "expired"
CANCELLED = "cancelled"                  # withdrawn before it left (a reminder of a cancelled appointment)
HELD = "held"                            # waits for the recipient's confirmation (release_held)
DAILY_CAP_WINDOW = timedelta(hours=24)
TERMINAL = (DELIVERED, FAILED, EXPIRED, CANCELLED)
LEASE = timedelta(minutes=2)             # time a worker has to deliver a row it claimed
SENT_ADDRESS_KEPT = timedelta(days=2)    # a status callback that never comes does not keep a number
INBOUND_KEPT = timedelta(days=7)         # provider ids kept for deduplication
MAINTENANCE_EVERY = timedelta(minutes=10)
BATCH = 50
CONCURRENCY = 10

# Twilio's delivery statuses, as ours.
PROVIDER_STATUSES = {
    "accepted": SENT, "queued": SENT, "sending": SENT, "sent": SENT, "scheduled": SENT,
    "delivered": DELIVERED, "read": DELIVERED,
    "undelivered": FAILED, "failed": FAILED, "canceled": FAILED,
}
_RANK = {HELD: 0, PENDING: 0, SENT: 1, DELIVERED: 2, FAILED: 2, EXPIRED: 2, CANCELLED: 2}


class Outbox:
    def __init__(self, db: Database, vault: Vault, adapters: Mapping[str, ChannelAdapter], *,
                 clock: Callable[[], datetime] = utcnow, poll_seconds: float = 1.0, max_attempts: int = 8,
                 backoff_seconds: float = 5.0, backoff_max_seconds: float = 3600.0, retention_days: int = 90,
                 sms_daily_cap: int = 0):
        self.db = db
        self.vault = vault
        self.adapters = adapters
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self.backoff_seconds = max(backoff_seconds, 0.001)
        self.backoff_max_seconds = backoff_max_seconds
        self.retention = timedelta(days=retention_days)
        self.sms_daily_cap = sms_daily_cap
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._worker: asyncio.Task | None = None
        self._last_maintenance: datetime | None = None

    # -- enqueue ----------------------------------------------------------------------------------
    async def enqueue(self, channel: str, person_id: str, address: str,
                      messages: Sequence[BotMessage | Outgoing], *, not_before: datetime | None = None,
                      not_after: datetime | None = None, kind: str = "reply",
                      confirmation: bool = False, held: bool = False) -> list[int]:
        """Queue messages for one recipient, after everything already queued for them. BotMessages are
        rendered and cut by the channel's adapter; Outgoing ones are sent as they are. Datetimes are
        aware (api.models.utcnow()). Returns the ids of the rows."""
        for bound in (not_before, not_after):
            if bound is not None and bound.utcoffset() is None:
                raise ValueError("not_before and not_after must be aware datetimes (api.models.utcnow())")
        parts: list[Outgoing] = []
        for message in messages:
            if isinstance(message, Outgoing):
                parts.append(message)
            else:
                parts.extend(self._adapter(channel).outgoing([message]))
        if not parts:
            return []
        address_enc = self.vault.encrypt(address)
        contents = [self.vault.encrypt(json.dumps(part.to_json(), ensure_ascii=False)) for part in parts]
        now = self.clock()
        for attempt in range(5):
            try:
                ids = await self.db.run(_insert, channel, person_id, address_enc, contents, now,
                                        not_before, not_after, kind[:16], confirmation, held)
                break
            except IntegrityError:   # another process took the same sequence numbers: take the next ones
                if attempt == 4:
                    raise
        self._wake.set()
        return ids

    def _adapter(self, channel: str) -> ChannelAdapter:
        adapter = self.adapters.get(channel)
        if adapter is None:
            raise LookupError(f"no adapter for channel {channel!r}")
        return adapter

    async def has_unsent(self, channel: str, person_id: str) -> bool:
        """True while a message due for this recipient has not left yet (an answer sent some other
        way now would overtake it)."""
        return await self.db.run(_has_unsent, channel, person_id, self.clock())

    async def cancel(self, ids: Sequence[int] = (), *, channel: str | None = None,
                     person_id: str | None = None, kind: str | None = None) -> int:
        """Withdraw messages that have not left yet: by id, or every pending one of a recipient and
        kind (a follow-up made pointless by a booking). Returns how many were withdrawn."""
        return await self.db.run(_cancel, list(ids), channel, person_id, kind, self.clock())

    async def release_held(self, channel: str, person_id: str) -> int:
        """The recipient confirmed: their held messages may leave. Returns how many were released."""
        released = await self.db.run(_release_held, channel, person_id, self.clock())
        if released:
            self._wake.set()
        return released

    async def has_waiting(self, channel: str, person_id: str, kinds: Sequence[str]) -> bool:
        """True while a message of these kinds is pending or held for this recipient."""
        return await self.db.run(_has_waiting, channel, person_id, list(kinds), self.clock())

    async def forget(self, channel: str, person_id: str) -> None:
        """Erasure: drop everything queued or kept for this recipient."""
        await self.db.run(_forget, channel, person_id)

    async def record_status(self, channel: str, provider_message_id: str, status: str,
                            error_code: str | None = None) -> bool:
        """A provider's delivery report. Statuses only move forward; delivered or failed wipes the
        address. Returns False for an unknown message or status."""
        ours = PROVIDER_STATUSES.get(status.lower())
        if ours is None:
            return False
        code = f"{channel}_{error_code}"[:64] if error_code else None
        return await self.db.run(_record_status, channel, provider_message_id[:64], ours, code, self.clock())

    # -- delivery ---------------------------------------------------------------------------------
    async def run_once(self) -> int:
        """Deliver the messages due now (the first due one of each recipient). Returns how many were
        attempted; 0 when nothing is due."""
        async with self._lock:
            now = self.clock()
            if self._last_maintenance is None or now - self._last_maintenance >= MAINTENANCE_EVERY:
                self._last_maintenance = now
                await self.db.run(_maintenance, now, self.retention)
            rows = await self.db.run(_claim_due, now, BATCH)
            if not rows:
                return 0
            limit = asyncio.Semaphore(CONCURRENCY)

            async def one(row: OutboxMessage) -> None:
                async with limit:
                    await self._deliver(row)

            await asyncio.gather(*(one(row) for row in rows))
            return len(rows)

    async def drain(self, rounds: int = 1000) -> int:
        """Deliver until nothing is due (tests, and shutdown of a console)."""
        total = 0
        for _ in range(rounds):
            done = await self.run_once()
            if not done:
                break
            total += done
        return total

    async def _deliver(self, row: OutboxMessage) -> None:
        now = self.clock()
        if row.not_after is not None and row.not_after <= now:
            await self.db.run(_finish, row.id, EXPIRED, "not_after_passed", now)
            return
        if not row.confirmation and await self.db.run(_stopped, row.channel, row.person_id):
            await self.db.run(_finish, row.id, FAILED, "recipient_stopped", now)
            return
        if (row.channel == "sms" and self.sms_daily_cap and not row.confirmation
                and await self.db.run(_sent_since, row.channel, row.person_id, now - DAILY_CAP_WINDOW)
                >= self.sms_daily_cap):
            log.warning("Outbox message %s dropped: daily SMS cap of its number reached", row.id)
            await self.db.run(_finish, row.id, FAILED, "daily_cap_reached", now)
            return
        adapter = self.adapters.get(row.channel)
        try:
            if adapter is None:
                raise DeliveryError(f"{row.channel}_no_adapter")
            address = self.vault.decrypt(row.address_enc or "")
            message = Outgoing.from_json(json.loads(self.vault.decrypt(row.content_enc or "")))
        except DeliveryError as error:
            await self._failed(row, error, now)
            return
        except Exception as error:  # noqa: BLE001  (undecryptable: wrong key; never retried)
            log.error("Outbox message %s unreadable (%s)", row.id, type(error).__name__)
            await self.db.run(_finish, row.id, FAILED, "unreadable", now)
            return
        try:
            delivered = await adapter.deliver(address, message)
        except DeliveryError as error:
            await self._failed(row, error, self.clock())
            return
        except Exception as error:  # noqa: BLE001  (a bug or an unexpected answer: retried like a network error)
            log.error("Outbox delivery %s raised %s", row.id, type(error).__name__)
            await self._failed(row, DeliveryError(f"{row.channel}_{type(error).__name__}"), self.clock())
            return
        status = DELIVERED if delivered.final else SENT
        await self.db.run(_sent, row.id, status, delivered.provider_id, self.clock())

    async def _failed(self, row: OutboxMessage, error: DeliveryError, now: datetime) -> None:
        attempts = row.attempts + 1
        # a provider's « retry after » is flood control, not a failure: it gets more patience
        limit = self.max_attempts * (3 if error.retry_after is not None else 1)
        if error.permanent or attempts >= limit:
            log.warning("Outbox message %s failed for good (%s, attempt %s)", row.id, error.code, attempts)
            await self.db.run(_finish, row.id, FAILED, error.code, now, attempts)
            return
        if error.retry_after is not None:
            delay = max(error.retry_after, 1.0)
        else:
            delay = min(self.backoff_seconds * 2 ** (attempts - 1), self.backoff_max_seconds)
        log.info("Outbox message %s retried in %.0f s (%s)", row.id, delay, error.code)
        await self.db.run(_retry, row.id, attempts, now + timedelta(seconds=delay), error.code)

    # -- worker -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the background worker (pending rows left by a previous process are picked up)."""
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="outbox-worker")

    async def _run(self) -> None:
        await run_rounds(self.run_once, self._wake, self.poll_seconds, log, "Outbox worker round failed")

    async def aclose(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass
            self._worker = None


# -- database work (runs in a worker thread) ------------------------------------------------------------
def _insert(session: Session, channel: str, person_id: str, address_enc: str, contents: list[str],
            now: datetime, not_before: datetime | None, not_after: datetime | None, kind: str,
            confirmation: bool, held: bool = False) -> list[int]:
    last = session.exec(select(func.max(OutboxMessage.sequence)).where(
        OutboxMessage.channel == channel, OutboxMessage.person_id == person_id)).one()
    sequence = (last or 0) + 1
    rows = []
    for offset, content in enumerate(contents):
        expired = not_after is not None and not_after <= now
        row = OutboxMessage(
            channel=channel, person_id=person_id, sequence=sequence + offset, kind=kind,
            confirmation=confirmation, status=EXPIRED if expired else HELD if held else PENDING, created_at=now,
            not_before=not_before, not_after=not_after, next_attempt_at=not_before or now,
            address_enc=None if expired else address_enc, content_enc=None if expired else content,
            finished_at=now if expired else None, last_error="not_after_passed" if expired else None)
        session.add(row)
        rows.append(row)
    session.commit()
    return [row.id for row in rows]


def _due(now: datetime):  # noqa: ANN202
    return and_(OutboxMessage.status == PENDING,
                or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now))


def _has_unsent(session: Session, channel: str, person_id: str, now: datetime) -> bool:
    query = select(OutboxMessage.id).where(
        OutboxMessage.channel == channel, OutboxMessage.person_id == person_id, _due(now)).limit(1)
    return session.exec(query).first() is not None


def _claim_due(session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    """The first due message of each recipient, when its turn has come, claimed for this worker."""
    session.execute(update(OutboxMessage)
                 .where(OutboxMessage.status == PENDING, OutboxMessage.not_after.is_not(None),
                        OutboxMessage.not_after <= now)
                 .values(status=EXPIRED, address_enc=None, content_enc=None, finished_at=now,
                         locked_until=None, last_error="not_after_passed"))
    session.commit()
    earlier = aliased(OutboxMessage)
    head = ~exists().where(
        earlier.channel == OutboxMessage.channel, earlier.person_id == OutboxMessage.person_id,
        earlier.sequence < OutboxMessage.sequence, earlier.status == PENDING,
        or_(earlier.not_before.is_(None), earlier.not_before <= now))
    candidates = session.exec(
        select(OutboxMessage.id).where(
            _due(now), head, OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)).all()
    claimed = []
    for row_id in candidates:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == PENDING,
                   or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now))
            .values(locked_until=now + LEASE))
        if result.rowcount == 1:
            claimed.append(row_id)
    session.commit()
    if not claimed:
        return []
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.id.in_(claimed))).all()
    for row in rows:
        session.expunge(row)
    return list(rows)


def _stopped(session: Session, channel: str, person_id: str) -> bool:
    stopped_at = session.exec(select(Conversation.stopped_at).where(
        Conversation.channel == channel, Conversation.person_id == person_id)).first()
    return stopped_at is not None


def _finish(session: Session, row_id: int, status: str, error: str | None, now: datetime,
            attempts: int | None = None) -> None:
    values: dict[str, Any] = dict(status=status, last_error=error, finished_at=now, locked_until=None,
                                  address_enc=None, content_enc=None)
    if attempts is not None:
        values["attempts"] = attempts
    session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))
    session.commit()


def _retry(session: Session, row_id: int, attempts: int, at: datetime, error: str) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(
        attempts=attempts, next_attempt_at=at, locked_until=None, last_error=error))
    session.commit()


def _sent(session: Session, row_id: int, status: str, provider_id: str | None, now: datetime) -> None:
    row = session.get(OutboxMessage, row_id)
    if row is None:
        return
    row.attempts += 1
    row.provider_message_id = provider_id
    row.sent_at = now
    row.locked_until = None
    row.last_error = None
    row.content_enc = None               # never sent again: the text is no longer needed
    if _RANK[status] > _RANK.get(row.status, 0):
        row.status = status
    if row.status in TERMINAL:
        row.address_enc = None
        row.finished_at = now
    session.add(row)
    session.commit()


def _record_status(session: Session, channel: str, provider_id: str, status: str, error: str | None,
                   now: datetime) -> bool:
    row = session.exec(select(OutboxMessage).where(
        OutboxMessage.channel == channel, OutboxMessage.provider_message_id == provider_id)).first()
    if row is None:
        return False
    if _RANK[status] > _RANK.get(row.status, 0):
        row.status = status
        if status in TERMINAL:
            row.address_enc = None
            row.content_enc = None
            row.finished_at = now
        if error:
            row.last_error = error
        session.add(row)
        session.commit()
    return True


def _cancel(session: Session, ids: list[int], channel: str | None, person_id: str | None, kind: str | None,
            now: datetime) -> int:
    if ids:
        which = OutboxMessage.id.in_(ids)
    elif channel and person_id and kind:
        which = and_(OutboxMessage.channel == channel, OutboxMessage.person_id == person_id,
                     OutboxMessage.kind == kind)
    else:
        return 0
    result = session.execute(update(OutboxMessage).where(which, OutboxMessage.status.in_((PENDING, HELD))).values(
        status=CANCELLED, address_enc=None, content_enc=None, finished_at=now, locked_until=None))
    session.commit()
    return result.rowcount or 0


def _forget(session: Session, channel: str, person_id: str) -> None:
    session.execute(delete(OutboxMessage).where(OutboxMessage.channel == channel,
                                             OutboxMessage.person_id == person_id))
    session.execute(update(InboundMessage).where(InboundMessage.channel == channel,
                                              InboundMessage.person_id == person_id)
                 .values(person_id=None, keyword=None, content_enc=None, status="done", next_attempt_at=None))
    session.commit()


def _release_held(session: Session, channel: str, person_id: str, now: datetime) -> int:
    result = session.execute(update(OutboxMessage).where(
        OutboxMessage.channel == channel, OutboxMessage.person_id == person_id, OutboxMessage.status == HELD,
        or_(OutboxMessage.not_after.is_(None), OutboxMessage.not_after > now)).values(status=PENDING))
    session.commit()
    return result.rowcount or 0


def _has_waiting(session: Session, channel: str, person_id: str, kinds: list[str], now: datetime) -> bool:
    query = select(OutboxMessage.id).where(
        OutboxMessage.channel == channel, OutboxMessage.person_id == person_id, OutboxMessage.kind.in_(kinds),
        OutboxMessage.status.in_((PENDING, HELD)),
        or_(OutboxMessage.not_after.is_(None), OutboxMessage.not_after > now)).limit(1)
    return session.exec(query).first() is not None


def _sent_since(session: Session, channel: str, person_id: str, since: datetime) -> int:
    """Messages that left for this recipient since `since` (what the provider took, whatever came next)."""
    return session.exec(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.channel == channel, OutboxMessage.person_id == person_id,
        OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at >= since)).one()


def _maintenance(session: Session, now: datetime, retention: timedelta) -> None:
    """Wipe numbers kept for a status callback that never came, and forget old rows."""
    session.execute(update(OutboxMessage)
                 .where(OutboxMessage.status == HELD, OutboxMessage.not_after.is_not(None),
                        OutboxMessage.not_after <= now)
                 .values(status=EXPIRED, address_enc=None, content_enc=None, finished_at=now,
                         last_error="never_confirmed"))
    session.execute(update(OutboxMessage)
                 .where(OutboxMessage.status == SENT, OutboxMessage.address_enc.is_not(None),
                        OutboxMessage.sent_at < now - SENT_ADDRESS_KEPT)
                 .values(address_enc=None, content_enc=None))
    session.execute(delete(OutboxMessage).where(OutboxMessage.status.in_(TERMINAL),
                                                OutboxMessage.finished_at < now - retention))
    session.execute(delete(OutboxMessage).where(OutboxMessage.status == SENT,
                                                OutboxMessage.sent_at < now - retention))
    session.execute(delete(InboundMessage).where(InboundMessage.received_at < now - INBOUND_KEPT))
    session.commit()
