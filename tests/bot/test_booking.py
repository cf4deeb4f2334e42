"""Booking actions on tracker fixtures, with the internal API replaced by a stand-in."""
from __future__ import annotations

import pytest

from actions import booking
from actions.booking import (ActionAskAppointmentSlot, ActionBook, ActionCancelAppointment, ActionStartBooking,
                             ValidateBookingForm, when)
from actions.conversation import ActionHumanContact
from nlu.parsing import extract_entities
from tests.bot.conftest import make_tracker, sent, slot_events

SLOTS = [
    {"id": "s1", "start": "2026-12-02T08:00:00+00:00", "end": "2026-12-02T08:30:00+00:00",
     "label": "marché Place à Vivres", "place": {"name": "Centre social", "address": "1 rue X, Nancy"}},
    {"id": "s2", "start": "2026-12-04T13:00:00+00:00", "end": "2026-12-04T13:30:00+00:00",
     "label": "maison France Services", "place": {"name": "France Services", "address": "2 rue Y, Nancy"}},
]
NANCY = {"code": "54395", "name": "Nancy"}


class FakeApi:
    def __init__(self, territory=True, taken=False):
        self.territory_found, self.taken, self.booked, self.cancelled = territory, taken, [], []
        self.refused = None
        self.reminder_phone = None
        self.notes, self.follow_ups = [], []

    async def territory(self, commune):
        if self.territory_found:
            return {"territory": {"id": "grand-nancy", "name": "Grand Nancy"}, "contact": "03 83 00 00 01"}
        return {"territory": None, "contact": "France Services"}

    async def slots(self, commune, after=None, limit=3):
        return {"slots": SLOTS if after is None else SLOTS[1:]}

    async def book(self, person_id, channel, slot_id, share, phone, notes=None):
        if self.taken:
            raise booking.api.SlotTaken("full")
        if self.refused:
            raise booking.api.Refused(self.refused)
        self.booked.append((person_id, channel, slot_id, share, phone))
        self.notes.append(notes)
        answer = {"id": "a1", "start": SLOTS[0]["start"], "place": {**SLOTS[0]["place"], "access": "Tram 1"},
                  "what_to_bring": ["une pièce d'identité", "un RIB"]}
        return {**answer, "reminder_phone": self.reminder_phone} if self.reminder_phone else answer

    async def upcoming(self, person_id):
        return {"id": "a1", "start": SLOTS[0]["start"], "place": SLOTS[0]["place"]}

    async def cancel(self, appointment_id, person_id):
        self.cancelled.append(appointment_id)


@pytest.fixture
def fake_api(monkeypatch):
    fake = FakeApi()
    for name in ("territory", "slots", "book", "upcoming", "cancel"):
        monkeypatch.setattr(booking.api, name, getattr(fake, name))
    return fake


def web_events(channel="web"):
    return [{"event": "user", "text": "x", "metadata": {"channel": channel}}]


def test_dates_are_said_in_paris_time():
    assert when("2026-12-02T08:00:00+00:00") == "mercredi 2 décembre à 9h"
    assert when("2026-07-01T07:30:00+00:00") == "mercredi 1 juillet à 9h30"


@pytest.mark.parametrize("text,expected", [("06 12 34 56 78", "+33612345678"), ("+33 7 12 34 56 78", "+33712345678"),
                                           ("0612345678", "+33612345678"), ("12345", None), ("bonjour", None)])
def test_phone_numbers(text, expected):
    found = [e["value"] for e in extract_entities(text) if e["entity"] == "phone"]
    assert found == ([expected] if expected else [])


async def test_booking_needs_consent_first(dispatcher, fake_api):
    events = slot_events(await ActionStartBooking().run(dispatcher, make_tracker({"commune": NANCY}), {}))
    assert events["booking_possible"] is False and events["offer"] == "consent_booking"
    assert sent(dispatcher)[-1]["ask"] == "consent"


async def test_outside_every_territory_gives_the_national_contact(dispatcher, fake_api):
    fake_api.territory_found = False
    tracker = make_tracker({"consent": True, "commune": {"code": "13201", "name": "Marseille"}})
    events = slot_events(await ActionStartBooking().run(dispatcher, tracker, {}))
    assert events["booking_possible"] is False
    assert "France Services" in sent(dispatcher)[0]["text"]


async def test_the_three_nearest_slots_are_offered_with_another_day(dispatcher, fake_api):
    tracker = make_tracker({"consent": True, "commune": NANCY})
    events = slot_events(await ActionAskAppointmentSlot().run(dispatcher, tracker, {}))
    message = sent(dispatcher)[0]
    assert message["ask"] == "appointment_slot"
    assert [b["payload"] for b in message["buttons"]] == ['/inform{"choice": 1}', '/inform{"choice": 2}',
                                                          '/inform{"choice": "autre"}']
    assert message["buttons"][0]["title"].startswith("Mercredi 2 décembre à 9h")
    assert events["offered_slots"] == SLOTS


@pytest.mark.parametrize("text,entities,expected", [
    ("1", None, "s1"), ("le deuxième", None, "s2"), ("vendredi", None, "s2"),
    ("/inform", [{"entity": "choice", "value": 2}], "s2"),
])
async def test_a_slot_is_picked_by_number_ordinal_or_weekday(dispatcher, text, entities, expected):
    tracker = make_tracker({"consent": True, "commune": NANCY, "requested_slot": "appointment_slot",
                            "offered_slots": SLOTS}, text=text, entities=entities, events=web_events())
    events = slot_events(await ValidateBookingForm().run(dispatcher, tracker, {}))
    assert events["appointment_slot"]["id"] == expected
    assert events["requested_slot"] == "phone"  # on the web, a reminder needs a number


async def test_another_day_asks_for_later_slots(dispatcher):
    tracker = make_tracker({"consent": True, "commune": NANCY, "requested_slot": "appointment_slot",
                            "offered_slots": SLOTS}, text="un autre jour", events=web_events())
    events = slot_events(await ValidateBookingForm().run(dispatcher, tracker, {}))
    assert events["appointment_slot"] is None and events["booking_after"] == SLOTS[-1]["end"]
    assert events["requested_slot"] == "appointment_slot"


async def test_no_phone_question_on_sms(dispatcher):
    tracker = make_tracker({"consent": True, "commune": NANCY, "requested_slot": "appointment_slot",
                            "offered_slots": SLOTS}, text="1", events=web_events("sms"))
    events = slot_events(await ValidateBookingForm().run(dispatcher, tracker, {}))
    assert events["requested_slot"] is None


async def test_the_summary_is_shared_only_after_a_yes(dispatcher, fake_api):
    tracker = make_tracker({"consent": True, "commune": NANCY, "appointment_slot": SLOTS[0],
                            "handover_consent": False, "phone": "none"}, events=web_events())
    await ActionBook().run(dispatcher, tracker, {})
    assert fake_api.booked == [("test-person", "web", "s1", False, None)] and fake_api.notes == [None]
    text = "\n".join(m["text"] for m in sent(dispatcher))
    assert "Mercredi 2 décembre à 9h" in text or "mercredi 2 décembre à 9h" in text
    assert "pièce d'identité" in text and "annuler" in text and "Tram 1" in text


async def test_a_shared_summary_carries_worries_and_questions_as_labels_only(dispatcher, fake_api):
    said = [{"event": "user", "text": "j'ai peur de devoir rembourser la CAF", "metadata": {"channel": "sms"},
             "parse_data": {"intent": {"name": "objection_controle"}, "entities": []}},
            {"event": "user", "text": "c'est quoi l'aspa", "metadata": {"channel": "sms"},
             "parse_data": {"intent": {"name": "ask_benefit_info"},
                            "entities": [{"entity": "benefit", "value": "aspa"}]}}]
    tracker = make_tracker({"consent": True, "commune": NANCY, "appointment_slot": SLOTS[0],
                            "handover_consent": True}, events=said)
    await ActionBook().run(dispatcher, tracker, {})
    notes = fake_api.notes[0]
    assert notes["worries"] == ["Peur des contrôles, ou de devoir rembourser."]
    assert len(notes["questions"]) == 1 and "ASPA" in notes["questions"][0].upper()
    assert "rembourser la CAF" not in str(notes)


async def test_a_slot_taken_meanwhile_offers_the_others(dispatcher, fake_api):
    fake_api.taken = True
    tracker = make_tracker({"consent": True, "commune": NANCY, "appointment_slot": SLOTS[0]}, events=web_events())
    events = await ActionBook().run(dispatcher, tracker, {})
    assert any(e.get("event") == "followup" and e["name"] == "booking_form" for e in events)
    assert slot_events(events)["appointment_slot"] is None


async def test_a_second_appointment_is_refused_with_the_api_sentence(dispatcher, fake_api):
    fake_api.refused = "Vous avez déjà un rendez-vous jeudi 3 décembre à 14h. Pour changer de jour, écrivez « déplacer »."
    tracker = make_tracker({"consent": True, "commune": NANCY, "appointment_slot": SLOTS[0]}, events=web_events())
    events = await ActionBook().run(dispatcher, tracker, {})
    assert [m["text"] for m in sent(dispatcher)] == [fake_api.refused]
    assert slot_events(events)["appointment_slot"] is None and not fake_api.booked


async def test_moving_is_recognised(dispatcher, fake_api):
    tracker = make_tracker({"consent": True}, text="je voudrais déplacer mon rdv", intent="cancel_appointment")
    events = slot_events(await ActionCancelAppointment().run(dispatcher, tracker, {}))
    assert events["offer"] == "move" and events["appointment_id"] == "a1"


async def test_call_me_back_starts_the_callback_questions(dispatcher, fake_api):
    tracker = make_tracker({"consent": True}, text="rappelez-moi svp", intent="ask_human")
    events = await ActionHumanContact().run(dispatcher, tracker, {})
    assert any(e.get("event") == "followup" and e["name"] == "callback_form" for e in events)


@pytest.mark.parametrize("reminder_phone,said", [
    ("confirmation_sent", "Répondez OUI"), ("not_mobile", "pas un téléphone portable"),
])
async def test_a_web_number_is_told_how_its_reminders_go(dispatcher, fake_api, reminder_phone, said):
    fake_api.reminder_phone = reminder_phone
    tracker = make_tracker({"consent": True, "commune": NANCY, "appointment_slot": SLOTS[0],
                            "handover_consent": False, "phone": "+33612345678"}, events=web_events())
    await ActionBook().run(dispatcher, tracker, {})
    text = "\n".join(m["text"] for m in sent(dispatcher))
    assert said in text and "Je vous enverrai un rappel" not in text
