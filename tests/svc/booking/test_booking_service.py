"""Slots and bookings on SQLite and on PostgreSQL: the nearest free slots, the last seat taken by
exactly one of many parallel bookings, cancellation freeing the seat, refusals, staff marks and
erasure."""
from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlmodel import select

from api.booking.service import BookingError, SlotFull, erase
from api.models import Appointment, CallbackRequest, ConsentRecord, EstimateRecord
from knowledge.french import PARIS

TUESDAY_9 = "test_ville:centre_mardi:2026-12-01T09:00"      # capacity 1
THURSDAY_14 = "test_ville:marche_jeudi:2026-12-03T14:00"    # capacity 2


def local(slot: dict) -> str:
    return datetime.fromisoformat(slot["start"]).astimezone(PARIS).strftime("%a %d %H:%M")


async def test_the_nearest_slots_come_one_per_day_and_place(service, territories):
    offered = await service.free_slots(territories.get("test_ville"))
    assert [local(s) for s in offered] == ["Tue 01 09:00", "Thu 03 14:00", "Tue 08 09:00"]
    assert offered[0]["id"] == TUESDAY_9 and offered[0]["seats_left"] == 1
    assert offered[0]["place"]["name"] == "Centre social Les Nations"


async def test_another_day_continues_after_what_was_offered(service, territories):
    territory = territories.get("test_ville")
    first = await service.free_slots(territory)
    later = await service.free_slots(territory, after=datetime.fromisoformat(first[-1]["end"]))
    assert [local(s) for s in later] == ["Thu 10 14:00", "Tue 15 09:00", "Thu 17 14:00"]


async def test_a_full_slot_gives_way_to_the_next_one_of_the_same_morning(service, territories):
    await service.book("p1", "sms", TUESDAY_9, False)
    offered = await service.free_slots(territories.get("test_ville"))
    assert local(offered[0]) == "Tue 01 09:30"


async def test_no_slot_is_offered_less_than_two_hours_ahead(service, territories, clock):
    clock.now = datetime(2026, 12, 1, 7, 30, tzinfo=PARIS)
    assert local((await service.free_slots(territories.get("test_ville")))[0]) == "Tue 01 09:30"
    clock.now = datetime(2026, 12, 1, 7, 45, tzinfo=PARIS)
    assert local((await service.free_slots(territories.get("test_ville")))[0]) == "Thu 03 14:00"


async def test_parallel_bookings_for_the_last_seats_never_overbook(service, db):
    await service.book("early", "web", THURSDAY_14, False)          # 1 of 2 seats taken
    results = await asyncio.gather(*(service.book(f"p{i}", "sms", THURSDAY_14, False) for i in range(8)),
                                   return_exceptions=True)
    booked = [r for r in results if not isinstance(r, Exception)]
    full = [r for r in results if isinstance(r, SlotFull)]
    assert len(booked) == 1 and len(full) == 7
    with db.session() as session:
        seats = session.exec(select(Appointment.seat).where(Appointment.slot_id == THURSDAY_14)).all()
    assert sorted(seats) == [0, 1]


async def test_cancelling_frees_the_seat_for_someone_else(service):
    appointment, _ = await service.book("p1", "sms", TUESDAY_9, False)
    with pytest.raises(SlotFull):
        await service.book("p2", "sms", TUESDAY_9, False)
    with pytest.raises(BookingError):
        await service.cancel(appointment.id, "somebody-else")            # not theirs
    cancelled = await service.cancel(appointment.id, "p1")
    assert (cancelled.status, cancelled.seat) == ("cancelled", None)
    assert await service.upcoming("p1") is None
    second, _ = await service.book("p2", "sms", TUESDAY_9, False)
    assert second.seat == 0


async def test_the_same_request_twice_is_one_booking(service, db):
    first, _ = await service.book("p1", "web", THURSDAY_14, False)
    again, _ = await service.book("p1", "web", THURSDAY_14, False)
    assert again.id == first.id
    with db.session() as session:
        assert len(session.exec(select(Appointment)).all()) == 1


@pytest.mark.parametrize("slot_id,reason", [
    ("test_ville:centre_mardi:2026-12-01T09:10", "unknown_slot"),    # not a start time of the opening
    ("test_ville:centre_mardi:2026-12-02T09:00", "unknown_slot"),    # a Wednesday
    ("test_ville:nowhere:2026-12-01T09:00", "unknown_slot"),
    ("test_ville:centre_mardi:2026-11-24T09:00", "past_slot"),
])
async def test_slots_that_do_not_exist_or_have_passed_are_refused(service, slot_id, reason):
    with pytest.raises(BookingError) as refused:
        await service.book("p1", "sms", slot_id, False)
    assert refused.value.reason == reason and refused.value.fr


async def test_the_summary_is_kept_only_after_a_yes_and_the_consent_is_logged(service, db):
    with db.session() as session:
        session.add(EstimateRecord(person_id="p1", household={"age": 34, "children_ages": [3]},
                                   benefits=[{"id": "rsa", "status": "eligible", "monthly_amount": 412.5},
                                             {"id": "aah", "status": "not_eligible", "monthly_amount": 0}],
                                   monthly_total=412.5))
        session.commit()
    shared, _ = await service.book("p1", "sms", TUESDAY_9, True, {"worries": ["Peur des contrôles."]})
    private, _ = await service.book("p2", "sms", THURSDAY_14, False, {"worries": ["Peur des contrôles."]})
    assert shared.summary["household"] == {"age": 34, "children_ages": [3]}
    assert [b["id"] for b in shared.summary["benefits"]] == ["rsa"]
    assert shared.summary["worries"] == ["Peur des contrôles."]
    assert private.summary is None
    with db.session() as session:
        consents = session.exec(select(ConsentRecord).where(ConsentRecord.kind == "handover")).all()
    assert sorted((c.person_id, c.given) for c in consents) == [("p1", True), ("p2", False)]
    assert all(c.at is not None for c in consents)


async def test_staff_marks_and_the_day_list(service, clock):
    appointment, _ = await service.book("p1", "sms", THURSDAY_14, False)
    await service.book("p2", "web", TUESDAY_9, False)
    day = await service.appointments_of_day("2026-12-03", "test_ville", None)
    assert [a.id for a in day] == [appointment.id]
    clock.now = datetime(2026, 12, 3, 16, 0, tzinfo=PARIS)
    marked = await service.cancel(appointment.id, None, "honoured")
    assert marked.status == "honoured" and marked.seat == 0
    with pytest.raises(BookingError):
        await service.cancel(appointment.id, "p1")                        # passed: no longer cancellable


async def test_erasure_cancels_what_is_ahead_and_forgets_the_person(service, db, territories, clock):
    upcoming, _ = await service.book("p1", "sms", TUESDAY_9, True)
    await service.request_callback("p1", "sms", territories.get("test_ville"), "le matin", "ciphertext")
    with db.session() as session:
        erase(session, "p1", clock())
    with db.session() as session:
        row = session.get(Appointment, upcoming.id)
        assert (row.person_id, row.status, row.seat, row.summary) == ("erased", "cancelled", None, None)
        callbacks = session.exec(select(CallbackRequest)).all()
    # the call-back stays for the committee's count, with nothing left of the person
    assert [(c.person_id, c.phone_enc, c.contact_person_id, c.preferred_times, c.status) for c in callbacks] == \
        [("erased", None, None, "", "withdrawn")]
    again, _ = await service.book("p2", "sms", TUESDAY_9, False)
    assert again.seat == 0


async def test_reminder_times_skip_what_is_already_past(service, clock):
    start = datetime(2026, 12, 3, 14, 0, tzinfo=PARIS)
    assert [(k, at.astimezone(PARIS).strftime("%d %H:%M")) for k, at in service.reminder_times(start)] == [
        ("reminder_48h", "01 14:00"), ("reminder_morning", "03 08:00")]
    clock.now = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)
    assert [k for k, _ in service.reminder_times(start)] == ["reminder_morning"]
    clock.now = datetime(2026, 12, 3, 9, 0, tzinfo=PARIS)
    assert service.reminder_times(start) == []
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)
    early = service.reminder_times(datetime(2026, 12, 4, 7, 30, tzinfo=PARIS))   # before 8:00: 2 h before
    assert [at.astimezone(PARIS).strftime("%d %H:%M") for _, at in early] == ["02 07:30", "04 05:30"]
