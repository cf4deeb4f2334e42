"""Rendez-vous des droits: free slots, booking without double booking, reminders, cancellation,
call-back requests and the follow-up 7 days after a result.

- Free seats = the slots of the territory's schedule (api/territories) minus the booked seats.
- A booking takes one seat number of its slot; the unique constraint (slot_id, seat) makes the
  database refuse a second booking of the same seat, even from two processes at once.
- Reminders and the follow-up are outbox messages with `not_before`/`not_after`: the outbox never
  sends them late, and cancelling an appointment cancels its reminders.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.core.db import Database, save
from api.models import (BOOKED, CANCELLED, WITHDRAWN, Appointment, CallbackRequest, ConsentRecord, EstimateRecord,
                        utcnow)
from api.territories import Place, Slot, Territories, Territory
from knowledge.french import PARIS, spoken_date

MIN_NOTICE = timedelta(hours=2)         # no slot offered that starts sooner than this
HORIZON = timedelta(days=60)            # how far ahead slots are searched
FIRST_REMINDER = timedelta(hours=48)
MORNING = time(8, 0)                    # the reminder of the day itself, Paris time
FOLLOW_UP_AFTER = timedelta(days=7)
ERASED = "erased"
# What an appointment keeps once its person is forgotten (erasure, or past the retention).
FORGOTTEN = {"person_id": ERASED, "summary": None, "share_summary": False, "contact_enc": None,
             "contact_person_id": None}
# What a call-back request keeps: that it was asked, when, in which territory, whether it was done.
CALLBACK_FORGOTTEN = {"person_id": ERASED, "phone_enc": None, "contact_person_id": None, "preferred_times": "",
                      "status": case((CallbackRequest.status == "open", WITHDRAWN), else_=CallbackRequest.status)}


class BookingError(Exception):
    """A request the booking cannot honour; `reason` is a stable code, `fr` what to tell."""

    def __init__(self, reason: str, fr: str):
        super().__init__(reason)
        self.reason = reason
        self.fr = fr


class SlotFull(BookingError):
    def __init__(self) -> None:
        super().__init__("slot_full", "Ce créneau vient d'être pris. Choisissez-en un autre.")


class AlreadyBooked(BookingError):
    """One upcoming appointment per person (and per phone number): cancel or move it first."""

    def __init__(self, start: datetime | None = None) -> None:
        when = f" {spoken_date(start)}" if start else ""
        super().__init__("already_booked", f"Vous avez déjà un rendez-vous{when}. Pour changer de jour, "
                                           "écrivez « déplacer ». Pour l'annuler, écrivez « annuler ».")


@dataclass
class Reach:
    """How to write to a person outside their conversation: channel, pseudonym there, address."""

    channel: str
    person_id: str
    address: str


def paris_day(moment: datetime) -> str:
    return moment.astimezone(PARIS).date().isoformat()


def place_json(place: Place) -> dict[str, str]:
    return {"id": place.id, "name": place.name, "address": place.address, "access": place.access,
            "accessibility": place.accessibility}


def slot_json(slot: Slot, seats_left: int | None = None) -> dict[str, Any]:
    body = {"id": slot.id, "start": slot.start.isoformat(), "end": slot.end.isoformat(), "label": slot.label,
            "territory": slot.territory_id, "place": place_json(slot.place)}
    if seats_left is not None:
        body["seats_left"] = seats_left
    return body


class BookingService:
    def __init__(self, db: Database, territories: Territories, *, clock: Callable[[], datetime] = utcnow):
        self.db = db
        self.territories = territories
        self.clock = clock

    # -- territories and slots ----------------------------------------------------------------------
    def territory_for(self, commune: str | None) -> Territory | None:
        return self.territories.for_commune(commune) if commune else None

    async def free_slots(self, territory: Territory, after: datetime | None = None, limit: int = 3) -> list[dict]:
        """The nearest free slots, one per opening occurrence (a day and a place), so that the choice
        offered spans several days; `after` (the end of the last slot offered) continues from the
        next day (« autre jour »)."""
        now = self.clock()
        start = now + MIN_NOTICE
        if after is not None:
            next_day = datetime.combine(after.astimezone(PARIS).date() + timedelta(days=1), time(0), PARIS)
            start = max(start, next_day)
        candidates = self.territories.slots(territory.id, start - timedelta(seconds=1), now + HORIZON)
        candidates = [slot for slot in candidates if slot.start >= start]
        taken = await self.db.run(_taken_counts, [slot.id for slot in candidates])
        chosen: list[dict] = []
        seen: set[tuple[str, str]] = set()
        for slot in candidates:
            occurrence = (slot.opening_id, paris_day(slot.start))
            left = slot.capacity - taken.get(slot.id, 0)
            if left <= 0 or occurrence in seen:
                continue
            seen.add(occurrence)
            chosen.append(slot_json(slot, left))
            if len(chosen) >= limit:
                break
        return chosen

    # -- booking ----------------------------------------------------------------------------------
    async def book(self, person_id: str, channel: str, slot_id: str, share_summary: bool,
                   notes: dict[str, list[str]] | None = None) -> tuple[Appointment, Slot]:
        slot = self.territories.slot(slot_id)
        if slot is None:
            raise BookingError("unknown_slot", "Ce créneau n'existe pas. Choisissez un créneau proposé.")
        if slot.start <= self.clock():
            raise BookingError("past_slot", "Ce créneau est déjà passé. Choisissez-en un autre.")
        appointment = await self.db.run(_book, slot, person_id, channel, share_summary, notes or {}, self.clock())
        return appointment, slot

    async def upcoming(self, person_id: str) -> tuple[Appointment, Slot] | None:
        appointment = await self.db.run(_upcoming, person_id, self.clock())
        if appointment is None:
            return None
        slot = self.territories.slot(appointment.slot_id)
        return (appointment, slot) if slot is not None else None

    async def cancel(self, appointment_id: str, person_id: str | None, status: str = CANCELLED) -> Appointment:
        """Cancel (by the person, or by staff with `person_id=None`), or mark honoured or missed."""
        appointment = await self.db.run(_set_status, appointment_id, person_id, status, self.clock())
        if appointment is None:
            raise BookingError("not_found", "Ce rendez-vous est introuvable.")
        return appointment

    async def set_reminders(self, appointment_id: str, ids: list[int], contact_enc: str | None = None,
                            contact_person_id: str | None = None) -> None:
        await self.db.run(_set_reminders, appointment_id, ids, contact_enc, contact_person_id)

    async def forget_contact(self, appointment_id: str) -> None:
        await self.db.run(_forget_contact, appointment_id)

    def reminder_times(self, start: datetime) -> list[tuple[str, datetime]]:
        """(kind, when) of each reminder still ahead: 48 h before, and the morning of the day."""
        now = self.clock()
        local = start.astimezone(PARIS)
        morning = datetime.combine(local.date(), MORNING, PARIS)
        if morning >= local:
            morning = local - timedelta(hours=2)
        times = [("reminder_48h", start - FIRST_REMINDER), ("reminder_morning", morning.astimezone(start.tzinfo))]
        return [(kind, at) for kind, at in times if now < at < start]

    # -- call-backs ---------------------------------------------------------------------------------
    async def request_callback(self, person_id: str, channel: str, territory: Territory, times: str,
                               phone_enc: str | None, contact_person_id: str | None = None) -> CallbackRequest:
        row = CallbackRequest(id=new_id(), person_id=person_id, channel=channel, territory_id=territory.id,
                              preferred_times=times[:200], phone_enc=phone_enc, created_at=self.clock(),
                              contact_person_id=contact_person_id)
        return await self.db.run(save, row)

    # -- staff ------------------------------------------------------------------------------------
    async def appointments_of_day(self, day: str, territory_id: str | None, place_id: str | None,
                                  days: int = 1) -> list[Appointment]:
        """The appointments of `days` days from `day` (Paris time), by start."""
        start = datetime.fromisoformat(day).replace(tzinfo=PARIS)
        return await self.db.run(_appointments_between, start, start + timedelta(days=days), territory_id, place_id)

    async def appointment(self, appointment_id: str) -> Appointment | None:
        return await self.db.run(lambda session: session.get(Appointment, appointment_id))

    async def callback(self, callback_id: str) -> CallbackRequest | None:
        return await self.db.run(lambda session: session.get(CallbackRequest, callback_id))

    async def callbacks(self, territory_id: str | None, status: str) -> list[CallbackRequest]:
        return await self.db.run(_callbacks, territory_id, status)

    async def callback_done(self, callback_id: str) -> CallbackRequest | None:
        return await self.db.run(_callback_done, callback_id, self.clock())


def new_id() -> str:
    return secrets.token_urlsafe(12)


# -- database work (runs in a worker thread) ------------------------------------------------------------
def _taken_counts(session: Session, slot_ids: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for chunk in range(0, len(slot_ids), 500):
        rows = session.exec(select(Appointment.slot_id, func.count()).where(
            Appointment.slot_id.in_(slot_ids[chunk:chunk + 500]), Appointment.seat.is_not(None))
            .group_by(Appointment.slot_id)).all()
        counts.update({slot_id: count for slot_id, count in rows})
    return counts


def _book(session: Session, slot: Slot, person_id: str, channel: str, share_summary: bool,
          notes: dict[str, list[str]], now: datetime) -> Appointment:
    already = session.exec(select(Appointment).where(
        Appointment.person_id == person_id, Appointment.slot_id == slot.id, Appointment.seat.is_not(None))).first()
    if already is not None:
        return already                                   # the same request twice: one booking
    other = _upcoming(session, person_id, now)
    if other is not None:
        raise AlreadyBooked(other.start)                 # one upcoming appointment per person
    summary = _handover_summary(session, person_id, notes) if share_summary else None
    session.add(ConsentRecord(person_id=person_id, kind="handover", given=share_summary, at=now))
    session.commit()
    for _ in range(slot.capacity + 3):
        taken = set(session.exec(select(Appointment.seat).where(
            Appointment.slot_id == slot.id, Appointment.seat.is_not(None))).all())
        free = [seat for seat in range(slot.capacity) if seat not in taken]
        if not free:
            raise SlotFull()
        row = Appointment(id=new_id(), person_id=person_id, channel=channel, territory_id=slot.territory_id,
                          place_id=slot.place.id, slot_id=slot.id, seat=free[0], start=slot.start, end=slot.end,
                          share_summary=share_summary, summary=summary, created_at=now, updated_at=now)
        session.add(row)
        try:
            session.commit()
            return row
        except IntegrityError:                           # another booking took that seat meanwhile
            session.rollback()
    raise SlotFull()


def _handover_summary(session: Session, person_id: str, notes: dict[str, list[str]]) -> dict[str, Any]:
    """One screen for the social worker: the household in brief, the estimate, questions and worries."""
    estimate = session.exec(select(EstimateRecord).where(EstimateRecord.person_id == person_id)
                            .order_by(EstimateRecord.created_at.desc())).first()
    return {
        "household": estimate.household if estimate else None,
        "benefits": [b for b in (estimate.benefits if estimate else []) if b.get("status") != "not_eligible"],
        "monthly_total": estimate.monthly_total if estimate else None,
        "estimated_at": estimate.created_at.isoformat() if estimate else None,
        "questions": [str(q)[:200] for q in notes.get("questions", [])][:10],
        "worries": [str(w)[:200] for w in notes.get("worries", [])][:10],
    }


def _upcoming(session: Session, person_id: str, now: datetime) -> Appointment | None:
    return session.exec(select(Appointment).where(
        Appointment.person_id == person_id, Appointment.status == BOOKED, Appointment.start > now)
        .order_by(Appointment.start)).first()


def _set_status(session: Session, appointment_id: str, person_id: str | None, status: str,
                now: datetime) -> Appointment | None:
    query = select(Appointment).where(Appointment.id == appointment_id)
    if person_id is not None:
        query = query.where(Appointment.person_id == person_id, Appointment.status == BOOKED,
                            Appointment.start > now)
    row = session.exec(query.with_for_update()).first()
    if row is None:
        return None
    row.status = status
    row.updated_at = now
    if status == CANCELLED:
        row.seat = None                                  # the seat is free again
    if person_id is not None:
        row.contact_enc = None                           # the person cancelled: nothing more to tell
    session.add(row)
    session.commit()
    return row


def _set_reminders(session: Session, appointment_id: str, ids: list[int], contact_enc: str | None,
                   contact_person_id: str | None) -> None:
    row = session.get(Appointment, appointment_id)
    if row is not None:
        row.reminder_ids = list(ids)
        row.contact_enc = contact_enc
        row.contact_person_id = contact_person_id if contact_person_id != row.person_id else None
        session.add(row)
        session.commit()


def _forget_contact(session: Session, appointment_id: str) -> None:
    row = session.get(Appointment, appointment_id)
    if row is not None and row.contact_enc is not None:
        row.contact_enc = None
        session.add(row)
        session.commit()


def _appointments_between(session: Session, start: datetime, end: datetime, territory_id: str | None,
                          place_id: str | None) -> list[Appointment]:
    query = select(Appointment).where(Appointment.start >= start, Appointment.start < end)
    if territory_id:
        query = query.where(Appointment.territory_id == territory_id)
    if place_id:
        query = query.where(Appointment.place_id == place_id)
    return list(session.exec(query.order_by(Appointment.start, Appointment.place_id)).all())


def _callbacks(session: Session, territory_id: str | None, status: str) -> list[CallbackRequest]:
    query = select(CallbackRequest).where(CallbackRequest.status == status)
    if territory_id:
        query = query.where(CallbackRequest.territory_id == territory_id)
    return list(session.exec(query.order_by(CallbackRequest.created_at)).all())


def _callback_done(session: Session, callback_id: str, now: datetime) -> CallbackRequest | None:
    row = session.get(CallbackRequest, callback_id)
    if row is None:
        return None
    row.status = "done"
    row.done_at = now
    row.phone_enc = None                                 # the number is no longer needed
    session.add(row)
    session.commit()
    return row


def erase(session: Session, person_id: str, now: datetime) -> list[int]:
    """Erasure: upcoming appointments are cancelled (their seat is free again, as nobody could be linked
    to them any more); all lose the link to the person and the summary. Call-backs lose the number, the
    person and the preferred times, and leave the queue (withdrawn) if still open: the committee's
    counts keep them.
    « Mine » includes what was booked elsewhere with this person's number (SUPPRIMER by SMS reaches
    a web booking made with that number). Returns the outbox ids of their reminders, to delete."""
    mine = (Appointment.person_id == person_id) | (Appointment.contact_person_id == person_id)
    session.execute(update(CallbackRequest).where(
        (CallbackRequest.person_id == person_id) | (CallbackRequest.contact_person_id == person_id))
        .values(**CALLBACK_FORGOTTEN))
    reminders = [i for ids in session.exec(select(Appointment.reminder_ids).where(mine)).all() for i in ids]
    session.execute(update(Appointment).where(mine, Appointment.status == BOOKED, Appointment.start > now)
                    .values(status=CANCELLED, seat=None))
    session.execute(update(Appointment).where(mine).values(**FORGOTTEN, updated_at=now))
    session.commit()
    return reminders
