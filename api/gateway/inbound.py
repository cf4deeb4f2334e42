"""The inbound store: each provider event recorded once, encrypted, as pending until answered
(database work, run in a worker thread through Database.run)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, exists, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from api.models import Conversation, InboundMessage, utcnow

log = logging.getLogger(__name__)

PENDING, DONE, FAILED = "pending", "done", "failed"
LEASE = timedelta(minutes=2)           # a message being answered is not tried again meanwhile
RETRY_MAX = timedelta(minutes=5)
RETRY_BATCH = 20


def claim_event(session: Session, channel: str, event_id: str, person_id: str, keyword: str | None,
                 content_enc: str, now: datetime, lease_until: datetime) -> tuple[bool, str | None, bool]:
    """Record a provider event once, with its (encrypted) content, as pending. Returns (first time?,
    keyword of this person's previous message, does an earlier message of this person still wait?)."""
    previous = session.exec(
        select(InboundMessage.keyword)
        .where(InboundMessage.channel == channel, InboundMessage.person_id == person_id)
        .order_by(InboundMessage.id.desc()).limit(1)).first()
    waiting = session.exec(
        select(InboundMessage.id)
        .where(InboundMessage.channel == channel, InboundMessage.person_id == person_id,
               InboundMessage.status == PENDING).limit(1)).first() is not None
    session.add(InboundMessage(channel=channel, provider_id=event_id[:64], person_id=person_id, keyword=keyword,
                               received_at=now, status=PENDING, content_enc=content_enc,
                               next_attempt_at=now if waiting else lease_until))   # waiting: the retry loop's
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False, None, False
    return True, previous, waiting


def settle(session: Session, channel: str, event_id: str, postponed: bool, now: datetime,
            received_at: datetime, retry_seconds: float, give_up_after: timedelta) -> None:
    """Answered: wipe the content. Postponed: try again later (backoff), or give up when too old."""
    row = session.exec(select(InboundMessage).where(InboundMessage.channel == channel,
                                                    InboundMessage.provider_id == event_id[:64])).first()
    if row is None or row.status != PENDING:
        return
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=timezone.utc)
    if not postponed:
        row.status, row.content_enc, row.next_attempt_at = DONE, None, None
    elif now - received_at >= give_up_after:
        log.warning("%s: kept message given up after %s attempts", channel, row.attempts)
        row.status, row.content_enc, row.next_attempt_at = FAILED, None, None
    else:
        row.attempts += 1
        delay = min(timedelta(seconds=retry_seconds * 2 ** (row.attempts - 1)), RETRY_MAX)
        row.next_attempt_at = now + delay
    session.add(row)
    session.commit()


def give_up(session: Session, channel: str, event_id: str) -> None:
    session.execute(update(InboundMessage).where(InboundMessage.channel == channel,
                                                 InboundMessage.provider_id == event_id[:64])
                    .values(status=FAILED, content_enc=None, next_attempt_at=None))
    session.commit()


def claim_waiting(session: Session, now: datetime, lease_until: datetime,
                   limit: int) -> list[tuple[str, str, str | None, str | None, datetime]]:
    """The first pending message of each person, when due, leased to this process: (channel,
    provider id, encrypted content, keyword of the person's message before it, received at)."""
    earlier = aliased(InboundMessage)
    first = ~exists().where(earlier.channel == InboundMessage.channel, earlier.person_id == InboundMessage.person_id,
                            earlier.id < InboundMessage.id, earlier.status == PENDING)
    rows = session.exec(select(InboundMessage).where(
        InboundMessage.status == PENDING, first,
        and_(InboundMessage.next_attempt_at.is_not(None), InboundMessage.next_attempt_at <= now))
        .order_by(InboundMessage.id).limit(limit)).all()
    claimed = []
    for row in rows:
        result = session.execute(update(InboundMessage).where(
            InboundMessage.id == row.id, InboundMessage.status == PENDING,
            InboundMessage.next_attempt_at == row.next_attempt_at).values(next_attempt_at=lease_until))
        if result.rowcount != 1:
            continue
        previous = session.exec(select(InboundMessage.keyword).where(
            InboundMessage.channel == row.channel, InboundMessage.person_id == row.person_id,
            InboundMessage.id < row.id).order_by(InboundMessage.id.desc()).limit(1)).first()
        claimed.append((row.channel, row.provider_id, row.content_enc, previous, row.received_at))
    session.commit()
    return claimed


def set_stopped(session: Session, conversation_id: str, stopped: bool) -> None:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return
    conversation.stopped_at = utcnow() if stopped else None
    session.add(conversation)
    session.commit()
