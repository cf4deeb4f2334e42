"""Reminders and the follow-up through the outbox, with a clock the test moves: on time, never
after the slot has started, none after a cancellation; the follow-up is withdrawn by a booking."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from api.booking.reminders import Reminders
from api.booking.service import Reach
from api.models import OutboxMessage
from knowledge.french import PARIS

THURSDAY_14 = "test_ville:marche_jeudi:2026-12-03T14:00"
NUMBER = "+33612345678"
TO = Reach("sms", "p1", NUMBER)


def sent(outbox) -> list[str]:
    return [text for _, text in outbox.adapters["sms"].sent]


async def book(service, outbox) -> tuple:
    appointment, slot = await service.book("p1", "sms", THURSDAY_14, False)
    ids = await Reminders(outbox, service).for_appointment(appointment.id, slot, TO)
    return appointment, ids


async def test_two_reminders_leave_on_time_and_only_then(service, outbox, clock):
    _, ids = await book(service, outbox)
    assert len(ids) == 2
    await outbox.drain()
    assert sent(outbox) == []                                      # Monday: nothing yet
    clock.now = datetime(2026, 12, 1, 13, 59, tzinfo=PARIS)
    await outbox.drain()
    assert sent(outbox) == []
    clock.now = datetime(2026, 12, 1, 14, 0, tzinfo=PARIS)         # 48 h before
    await outbox.drain()
    assert len(sent(outbox)) == 1 and "jeudi 3 décembre à 14h" in sent(outbox)[0]
    assert "Marché du Haut-du-Lièvre" in sent(outbox)[0] and "«" not in sent(outbox)[0]   # GSM-7 on SMS
    clock.now = datetime(2026, 12, 3, 8, 0, tzinfo=PARIS)          # the morning of the day
    await outbox.drain()
    assert len(sent(outbox)) == 2 and "aujourd'hui" in sent(outbox)[1]


async def test_a_reminder_is_never_sent_after_the_slot_has_started(service, outbox, clock, db):
    await book(service, outbox)
    clock.now = datetime(2026, 12, 3, 14, 0, tzinfo=PARIS)         # the worker was down until the slot
    await outbox.drain()
    assert sent(outbox) == []
    with db.session() as session:
        assert {r.status for r in session.exec(select(OutboxMessage)).all()} == {"expired"}


async def test_no_reminder_after_a_cancellation(service, outbox, clock, db):
    appointment, ids = await book(service, outbox)
    clock.now = datetime(2026, 12, 1, 14, 0, tzinfo=PARIS)
    await outbox.drain()
    assert len(sent(outbox)) == 1
    cancelled = await service.cancel(appointment.id, "p1")
    assert await Reminders(outbox, service).withdraw(cancelled.reminder_ids) == 1   # the morning one
    clock.now = datetime(2026, 12, 3, 8, 0, tzinfo=PARIS)
    await outbox.drain()
    assert len(sent(outbox)) == 1
    with db.session() as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.status for r in rows] == ["sent", "cancelled"] and rows[1].address_enc is None


async def test_a_booking_made_the_day_before_gets_only_the_morning_reminder(service, outbox, clock):
    clock.now = datetime(2026, 12, 2, 18, 0, tzinfo=PARIS)
    _, ids = await book(service, outbox)
    assert len(ids) == 1
    clock.now = datetime(2026, 12, 3, 8, 0, tzinfo=PARIS)
    await outbox.drain()
    assert len(sent(outbox)) == 1 and "aujourd'hui" in sent(outbox)[0]


async def test_the_follow_up_leaves_after_seven_days_once(service, outbox, clock):
    reminders = Reminders(outbox, service)
    at = await reminders.follow_up(TO)
    assert at == clock.now + timedelta(days=7)
    await reminders.follow_up(TO)                                  # a newer result moves it: still one
    clock.advance(days=6, hours=23)
    await outbox.drain()
    assert sent(outbox) == []
    clock.advance(hours=1)
    await outbox.drain()
    assert len(sent(outbox)) == 1 and "Avez-vous pu faire la demande" in sent(outbox)[0]
    clock.advance(days=30)
    await outbox.drain()
    assert len(sent(outbox)) == 1


async def test_a_booking_withdraws_the_follow_up(service, outbox, clock):
    reminders = Reminders(outbox, service)
    await reminders.follow_up(TO)
    assert await reminders.withdraw_follow_up("sms", "p1") == 1
    clock.advance(days=8)
    await outbox.drain()
    assert sent(outbox) == []
