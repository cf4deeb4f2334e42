"""Personal data is kept 3 months (`RETENTION_DAYS`), as the privacy notice promises.

Once an hour the API forgets what is older than that: conversations without activity (with their
consents and estimates, and the link of their visits: api/visits.py), estimates, the person, number and
preferred times of call-back requests, the link between an appointment that has passed and its person
(appointments and call-backs stay, anonymous, for the committee's figures), and Rasa's trackers quiet
for that long (api/trackers.py). The encrypted contact of an appointment
is wiped as soon as the appointment is over. The outbox purges its own rows (api/outbox.py).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select

from api import visits
from api.booking.service import CALLBACK_FORGOTTEN, ERASED, FORGOTTEN
from api.core.db import Database
from api.models import Appointment, CallbackRequest, ConsentRecord, Conversation, EstimateRecord, utcnow
from api.trackers import Erasures

log = logging.getLogger(__name__)
EVERY = timedelta(hours=1)


def purge(session: Session, now: datetime, days: int) -> dict[str, int]:
    """Forget what is older than `days`; returns how many rows of each kind."""
    limit = now - timedelta(days=days)
    idle = set(session.exec(select(Conversation.person_id).where(Conversation.last_active_at < limit)).all())
    active = set(session.exec(select(Conversation.person_id).where(Conversation.last_active_at >= limit)).all())
    gone = list(idle - active)                  # quiet on every channel for `days`
    counts = {
        "visits": visits.unlink(session, select(Conversation.id).where(Conversation.last_active_at < limit)),
        "conversations": session.execute(delete(Conversation).where(Conversation.last_active_at < limit)).rowcount,
        "consents": session.execute(delete(ConsentRecord).where(ConsentRecord.person_id.in_(gone))).rowcount,
        "estimates": session.execute(delete(EstimateRecord).where(
            (EstimateRecord.created_at < limit) | EstimateRecord.person_id.in_(gone))).rowcount,
        "callbacks": session.execute(update(CallbackRequest).where(
            CallbackRequest.created_at < limit, CallbackRequest.person_id != ERASED)
            .values(**CALLBACK_FORGOTTEN)).rowcount,
        "appointments": session.execute(update(Appointment).where(
            Appointment.end < limit, Appointment.person_id != ERASED).values(**FORGOTTEN)).rowcount,
        # the number kept to tell of a cancellation is useless once the appointment is over
        "contacts": session.execute(update(Appointment).where(
            Appointment.end < now, Appointment.contact_enc.is_not(None))
            .values(contact_enc=None)).rowcount,
    }
    session.commit()
    return counts


async def keep_purging(db: Database, days: int, clock: Callable[[], datetime] = utcnow,
                       trackers: Erasures | None = None) -> None:
    """The hourly purge, for the API's lifetime."""
    while True:
        try:
            counts = await db.run(purge, clock(), days)
            if trackers is not None:
                counts["trackers"] = await trackers.sweep(days)
            if any(counts.values()):
                log.info("Retention: forgot %s", counts)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001  (database briefly unavailable: next hour)
            log.error("Retention purge failed (%s)", type(error).__name__)
        await asyncio.sleep(EVERY.total_seconds())
