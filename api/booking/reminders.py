"""Messages sent later, through the outbox, on the person's own channel: the appointment reminders
(48 h before and on the morning of the day) and the follow-up 7 days after a result.

Each has a `not_after`: the outbox never sends it late. A reminder is never sent after its slot
has started, and cancelling the appointment withdraws its reminders.
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import datetime, timedelta

from api.booking.service import FOLLOW_UP_AFTER, BookingService, Reach
from api.models import Appointment
from api.outbox import Outbox
from api.territories import Slot
from api.gateway.texts import text_message
from knowledge.french import spoken_date

log = logging.getLogger(__name__)
FOLLOW_UP_VALID = timedelta(days=2)    # a follow-up that could not leave within 2 days is dropped
FOLLOW_UP = "follow_up"


class Reminders:
    def __init__(self, outbox: Outbox, booking: BookingService):
        self.outbox = outbox
        self.booking = booking

    async def _queue(self, to: Reach, kind: str, not_before: datetime, not_after: datetime, *,
                     text: str | None = None, held: bool = False, **values: str) -> list[int]:
        try:
            return await self.outbox.enqueue(to.channel, to.person_id, to.address,
                                             [text_message(text or kind, **values)], not_before=not_before,
                                             not_after=not_after, kind=kind, held=held)
        except LookupError:                 # that channel is not configured here
            log.warning("Outbox: %s not scheduled (no %s channel)", kind, to.channel)
            return []

    async def for_appointment(self, appointment_id: str, slot: Slot, to: Reach, held: bool = False) -> list[int]:
        """Queue the reminders still ahead for this slot; returns their outbox ids (kept with the
        appointment, to withdraw them if it is cancelled). `held`: they wait for the number's OUI."""
        values = dict(date=spoken_date(slot.start), place=slot.place.name, address=slot.place.address)
        ids: list[int] = []
        for kind, at in self.booking.reminder_times(slot.start):
            ids += await self._queue(to, kind, at, slot.start, held=held, **values)
        contact = self.outbox.vault.encrypt(json.dumps(asdict(to))) if self.outbox.vault else None
        await self.booking.set_reminders(appointment_id, ids, contact, to.person_id)
        return ids

    async def ask_confirmation(self, to: Reach, slot: Slot) -> list[int]:
        """« Répondez OUI pour recevoir les rappels », to a number given on the web (held reminders)."""
        return await self._queue(to, "phone_confirm", self.booking.clock(), slot.start,
                                 text="reminders_confirm_question")

    async def tell_cancelled_by_team(self, appointment: Appointment, slot: Slot | None) -> bool:
        """The team cancelled: one message on the person's channel, if it can still reach them."""
        if not appointment.contact_enc or self.outbox.vault is None or slot is None:
            return False
        now = self.booking.clock()
        if slot.start <= now:
            return False
        to = Reach(**json.loads(self.outbox.vault.decrypt(appointment.contact_enc)))
        ids = await self._queue(to, "cancelled_by_team", now, slot.start, date=spoken_date(slot.start),
                                place=slot.place.name)
        return bool(ids)

    async def withdraw(self, ids: list[int]) -> int:
        return await self.outbox.cancel(ids) if ids else 0

    async def follow_up(self, to: Reach) -> datetime | None:
        """One message 7 days from now; a newer result moves it, a booking withdraws it."""
        await self.withdraw_follow_up(to.channel, to.person_id)
        at = self.booking.clock() + FOLLOW_UP_AFTER
        ids = await self._queue(to, FOLLOW_UP, at, at + FOLLOW_UP_VALID)
        return at if ids else None

    async def withdraw_follow_up(self, channel: str, person_id: str) -> int:
        return await self.outbox.cancel(channel=channel, person_id=person_id, kind=FOLLOW_UP)
