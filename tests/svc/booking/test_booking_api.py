"""The internal routes (for the action server) and the staff API, through the real app with its
outbox worker, a local Twilio stand-in, and a clock the test moves."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from limits import parse_many
from sqlmodel import select

from api.core.security import Pseudonymiser
from api.models import Appointment, CallbackRequest
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.app import PSEUDONYM_KEY, Running, make_settings, running, twiml_messages
from tests.fakes.rasa import FakeRasa
from tests.svc.booking.conftest import MONDAY, TERRITORY
from tests.svc.staff.support import member
from tests.svc.support import Clock

INTERNAL = {"Authorization": "Bearer internal-secret"}
NUMBER = "+33612345678"
TUESDAY_9 = "test_ville:centre_mardi:2026-12-01T09:00"
THURSDAY_14 = "test_ville:marche_jeudi:2026-12-03T14:00"
SMS_PERSON = Pseudonymiser(PSEUDONYM_KEY).pseudonym("sms", NUMBER)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[Running, Clock, Any]]:
    twilio, telegram = tw.FakeTwilio().start(), tg.FakeTelegram().start()
    folder = tmp_path / "territories"
    folder.mkdir()
    (folder / "test_ville.yml").write_text(TERRITORY, encoding="utf-8")
    settings = make_settings(tmp_path, twilio, telegram, territories_dir=folder,
                             internal_api_token="internal-secret")
    clock = Clock(MONDAY)
    try:
        rasa = FakeRasa()
        async with running(settings, rasa) as started:
            started.rasa = rasa
            started.app.state.booking.clock = clock
            started.outbox.clock = clock
            started.telegram_stand_in = telegram
            yield started, clock, twilio
    finally:
        twilio.stop()
        telegram.stop()


async def book(client, person: str, slot: str, channel: str = "sms", **extra: Any):
    body = {"person_id": person, "channel": channel, "slot_id": slot, "share_summary": False, **extra}
    return await client.post("/internal/appointments", json=body, headers=INTERNAL)


async def test_internal_routes_need_the_internal_token(api):
    running_api, _, _ = api
    response = await running_api.client.get("/internal/territory", params={"commune": "54395"})
    assert response.status_code == 401 and response.json()["detail"] == "Il faut être identifié pour cela."
    wrong = await running_api.client.get("/internal/territory", params={"commune": "54395"},
                                         headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


async def test_a_commune_finds_its_team_or_the_national_contact(api):
    client = api[0].client
    inside = (await client.get("/internal/territory", params={"commune": "54395"}, headers=INTERNAL)).json()
    assert inside["territory"]["id"] == "test_ville"
    assert inside["contact"] == "03 83 00 00 00. Appelez l'équipe au 03 83 00 00 00, du lundi au vendredi"
    outside = (await client.get("/internal/territory", params={"commune": "13055"}, headers=INTERNAL)).json()
    assert outside["territory"] is None and "France Services" in outside["contact"]
    assert (await client.get("/internal/slots", params={"commune": "13055"}, headers=INTERNAL)).json() == {"slots": []}


async def test_slots_then_another_day(api):
    client = api[0].client
    first = (await client.get("/internal/slots", params={"commune": "54395"}, headers=INTERNAL)).json()["slots"]
    assert [s["id"] for s in first][0] == TUESDAY_9 and len(first) == 3
    later = (await client.get("/internal/slots", params={"commune": "54395", "after": first[-1]["end"]},
                              headers=INTERNAL)).json()["slots"]
    assert later[0]["start"] > first[-1]["end"]
    bad = await client.get("/internal/slots", params={"commune": "54395", "after": "demain"}, headers=INTERNAL)
    assert bad.status_code == 422 and "after" in bad.json()["detail"]


async def test_an_sms_booking_gets_its_reminders_and_the_last_seat_is_refused_in_french(api):
    running_api, clock, twilio = api
    await running_api.sms(NUMBER, "bonjour")                       # the API now knows where to write
    response = await book(running_api.client, SMS_PERSON, THURSDAY_14)
    assert response.status_code == 201
    appointment = response.json()["appointment"]
    assert appointment["reminders"] == 2 and appointment["place"]["name"] == "Marché du Haut-du-Lièvre"
    assert appointment["what_to_bring"] == ["une pièce d'identité", "un RIB"]
    assert (await book(running_api.client, "first", TUESDAY_9)).status_code == 201
    taken = await book(running_api.client, "someone-else", TUESDAY_9)
    assert taken.status_code == 409 and "créneau" in taken.json()["detail"]
    unknown = await book(running_api.client, "someone-else", "test_ville:centre_mardi:2026-12-01T09:07")
    assert unknown.status_code == 422
    replies = len(twilio.bodies(NUMBER))
    clock.now = MONDAY.replace(day=1, month=12, hour=13)           # Tuesday 14:00 in Paris: 48 h before
    await running_api.outbox.drain()
    assert len(twilio.bodies(NUMBER)) == replies + 1 and "Rappel" in twilio.bodies(NUMBER)[-1]


async def test_cancel_by_message_frees_the_seat_and_withdraws_the_reminders(api):
    running_api, clock, twilio = api
    client = running_api.client
    await running_api.sms(NUMBER, "bonjour")
    await book(client, SMS_PERSON, TUESDAY_9)
    found = (await client.get("/internal/appointments/upcoming", params={"person_id": SMS_PERSON},
                              headers=INTERNAL)).json()["appointment"]
    assert found["id"] and found["start"].startswith("2026-12-01T08:00")
    other = await client.post(f"/internal/appointments/{found['id']}/cancel", json={"person_id": "intruder"},
                              headers=INTERNAL)
    assert other.status_code == 404
    done = await client.post(f"/internal/appointments/{found['id']}/cancel", json={"person_id": SMS_PERSON},
                             headers=INTERNAL)
    assert done.json()["appointment"]["status"] == "cancelled"
    assert [r.status for r in await running_api.outbox_rows() if r.kind.startswith("reminder")] == \
        ["cancelled"]                                                # the morning one (48 h before had passed)
    assert (await book(client, "someone-else", TUESDAY_9)).status_code == 201


async def test_on_the_web_a_reminder_needs_a_phone_number(api):
    running_api, _, _ = api
    without = (await book(running_api.client, "web-person", THURSDAY_14, channel="web")).json()["appointment"]
    assert without["reminders"] == 0
    with_phone = await book(running_api.client, "web-person-2", THURSDAY_14, channel="web", phone="+33756789012")
    assert with_phone.json()["appointment"]["reminders"] == 2
    assert with_phone.json()["appointment"]["reminder_phone"] == "confirmation_sent"
    rows = [r for r in await running_api.outbox_rows() if r.kind.startswith("reminder")]
    assert {r.channel for r in rows} == {"sms"} and all(r.address_enc for r in rows)
    assert {r.status for r in rows} == {"held"}                     # until the number answers OUI


async def test_a_number_given_on_the_web_gets_reminders_only_after_answering_oui(api):
    running_api, clock, twilio = api
    web_number = "+33756789012"
    booked = await book(running_api.client, "web-person", THURSDAY_14, channel="web", phone="07 56 78 90 12")
    assert booked.status_code == 201
    await twilio.wait_for(1)
    assert "Répondez OUI" in twilio.bodies(web_number)[0]           # the confirmation SMS, and nothing else
    answer = await running_api.sms(web_number, "Oui !")
    assert "rappels" in twiml_messages(answer)[0]
    assert running_api.rasa.messages() == []                          # the OUI was for the confirmation
    clock.now = MONDAY.replace(day=1, month=12, hour=13)             # 48 h before
    await running_api.outbox.drain()
    assert "Rappel" in twilio.bodies(web_number)[-1]
    rows = [r for r in await running_api.outbox_rows() if r.kind.startswith("reminder")]
    assert "held" not in {r.status for r in rows}


async def test_an_unconfirmed_number_never_gets_the_reminders(api):
    running_api, clock, twilio = api
    await book(running_api.client, "web-person", THURSDAY_14, channel="web", phone="+33756789012")
    await twilio.wait_for(1)                                          # the confirmation question
    clock.now = MONDAY.replace(day=3, month=12, hour=14)             # the appointment has started
    await running_api.outbox.drain()
    running_api.outbox._last_maintenance = None
    await running_api.outbox.run_once()
    assert len(twilio.bodies("+33756789012")) == 1                   # the confirmation question only
    rows = [r for r in await running_api.outbox_rows() if r.kind.startswith("reminder")]
    assert {(r.status, r.address_enc) for r in rows} == {("expired", None)}


async def test_a_oui_without_a_pending_confirmation_goes_to_the_conversation(api):
    running_api, _, _ = api
    await running_api.sms(NUMBER, "bonjour")
    answer = await running_api.sms(NUMBER, "oui")
    assert "rappels" not in " ".join(twiml_messages(answer))
    assert running_api.rasa.messages()[-1] == "oui"


@pytest.mark.parametrize("phone", ["+33383000000", "03 83 00 00 00", "+33800123456"])
async def test_reminders_by_sms_need_a_mobile_number(api, phone):
    running_api, _, twilio = api
    booked = await book(running_api.client, "web-person", THURSDAY_14, channel="web", phone=phone)
    assert booked.status_code == 201                                  # booked all the same, without reminders
    assert booked.json()["appointment"]["reminders"] == 0
    assert booked.json()["appointment"]["reminder_phone"] == "not_mobile"
    assert await running_api.outbox_rows() == [] and twilio.bodies() == []


@pytest.mark.parametrize("number,e164", [("+33690123456", "+590690123456"), ("+33692123456", "+262692123456")])
def test_overseas_mobiles_are_accepted_in_their_own_format(number, e164):
    from api.core.phones import sms_number
    assert sms_number(number) == e164
    assert sms_number("+447700900123") is None                        # abroad: no SMS from us


async def test_one_upcoming_appointment_per_person(api):
    running_api, _, _ = api
    client = running_api.client
    assert (await book(client, "person-a", TUESDAY_9, channel="web")).status_code == 201
    again = await book(client, "person-a", THURSDAY_14, channel="web")
    assert again.status_code == 422 and again.json()["en"] == "already_booked"
    assert "déjà un rendez-vous" in again.json()["detail"] and "déplacer" in again.json()["detail"]
    found = (await client.get("/internal/appointments/upcoming", params={"person_id": "person-a"},
                              headers=INTERNAL)).json()["appointment"]
    await client.post(f"/internal/appointments/{found['id']}/cancel", json={"person_id": "person-a"}, headers=INTERNAL)
    assert (await book(client, "person-a", THURSDAY_14, channel="web")).status_code == 201   # moved


async def test_one_upcoming_appointment_per_phone_number(api):
    running_api, _, _ = api
    client = running_api.client
    assert (await book(client, "web-a", TUESDAY_9, channel="web", phone="+33756789012")).status_code == 201
    second = await book(client, "web-b", THURSDAY_14, channel="web", phone="07 56 78 90 12")
    assert second.status_code == 422 and second.json()["en"] == "already_booked"


async def test_one_client_cannot_take_every_seat_of_a_permanence(api):
    """Many web conversations opened from one address, each booking a seat of the Thursday market
    (4 seats in 2 slots): the burst is refused before the permanence is full."""
    running_api, _, _ = api
    client = running_api.client
    running_api.app.state.limits.rules["bookings"] = parse_many("2/hour")
    people = []
    for _ in range(4):
        opened = await client.post("/api/chat", json={})
        conversation = await running_api.app.state.conversations.get(opened.json()["conversation_id"])
        people.append(conversation.person_id)
    slots = [THURSDAY_14, THURSDAY_14, THURSDAY_14.replace("14:00", "14:30"), THURSDAY_14.replace("14:00", "14:30")]
    answers = [await book(client, person, slot, channel="web") for person, slot in zip(people, slots)]
    assert [a.status_code for a in answers] == [201, 201, 429, 429]
    assert "Trop de rendez-vous" in answers[2].json()["detail"] and int(answers[2].headers["Retry-After"]) > 0
    free = (await client.get("/internal/slots", params={"commune": "54395", "limit": 10},
                             headers=INTERNAL)).json()["slots"]
    assert sum(s["seats_left"] for s in free if s["id"].startswith("test_ville:marche_jeudi:2026-12-03")) == 2


async def test_call_back_requests_are_limited_per_conversation(api):
    running_api, _, _ = api
    running_api.app.state.limits.rules["callbacks"] = parse_many("2/hour")
    body = {"person_id": "web-person", "channel": "web", "commune": "54395", "phone": "+33383000000"}
    codes = [(await running_api.client.post("/internal/callbacks", json=body, headers=INTERNAL)).status_code
             for _ in range(3)]
    assert codes == [201, 201, 429]                                   # a landline is fine for a call-back
    other = await running_api.client.post("/internal/callbacks", json={**body, "person_id": "other"}, headers=INTERNAL)
    assert other.status_code == 201


async def test_the_follow_up_is_scheduled_then_withdrawn_by_a_booking(api):
    running_api, _, _ = api
    client = running_api.client
    await running_api.sms(NUMBER, "bonjour")
    scheduled = (await client.post("/internal/followups", json={"person_id": SMS_PERSON, "channel": "sms"},
                                   headers=INTERNAL)).json()
    assert scheduled["scheduled"] is True and scheduled["day"] == "2026-12-07"
    web = (await client.post("/internal/followups", json={"person_id": "web-only", "channel": "web"},
                             headers=INTERNAL)).json()
    assert web == {"scheduled": False}                               # no way to reach them later
    await book(client, SMS_PERSON, THURSDAY_14)
    assert [r.status for r in await running_api.outbox_rows() if r.kind == "follow_up"] == ["cancelled"]


async def test_staff_see_the_day_the_shared_summary_only_and_mark_appointments(api):
    running_api, clock, _ = api
    client = running_api.client
    assert (await client.get("/api/staff/appointments", params={"day": "2026-12-03"})).status_code == 401
    shared = (await book(client, "p1", THURSDAY_14, share_summary=True,
                         notes={"worries": ["Peur des contrôles."]})).json()["appointment"]
    await book(client, "p2", THURSDAY_14)
    async with member(running_api.app, "agent", "test_ville") as staff:
        answer = await staff.get("/api/staff/appointments", params={"day": "2026-12-03"})
        assert answer.status_code == 200, answer.text
        day = answer.json()["appointments"]
        assert len(day) == 2
        assert {a["id"]: a["summary_shared"] for a in day}[shared["id"]] is True
        assert [a["summary_shared"] for a in day if a["id"] != shared["id"]] == [False]
        assert all("summary" not in a for a in day)                       # read one at a time, audited
        summary = (await staff.get(f"/api/staff/appointments/{shared['id']}/summary")).json()["summary"]
        assert summary["worries"] == ["Peur des contrôles."]
        other = next(a["id"] for a in day if a["id"] != shared["id"])
        assert (await staff.get(f"/api/staff/appointments/{other}/summary")).status_code == 404
        marked = await staff.post(f"/api/staff/appointments/{shared['id']}/status", json={"status": "honoured"})
        assert marked.json()["appointment"]["status"] == "honoured"
        wrong = await staff.post(f"/api/staff/appointments/{shared['id']}/status", json={"status": "lost"})
        assert wrong.status_code == 422


async def test_a_callback_request_reaches_the_staff_queue_with_the_number(api):
    running_api, _, _ = api
    client = running_api.client
    await running_api.sms(NUMBER, "bonjour")
    created = await client.post("/internal/callbacks", headers=INTERNAL, json={
        "person_id": SMS_PERSON, "channel": "sms", "commune": "54395", "preferred_times": "le matin"})
    assert created.status_code == 201 and created.json()["callback"]["phone_known"] is True
    outside = await client.post("/internal/callbacks", headers=INTERNAL, json={
        "person_id": SMS_PERSON, "channel": "sms", "commune": "13055"})
    assert outside.status_code == 422
    async with member(running_api.app, "agent", "test_ville") as staff:
        queue = (await staff.get("/api/staff/callbacks")).json()["callbacks"]
        assert [(c["phone"], c["preferred_times"]) for c in queue] == [(NUMBER, "le matin")]
        done = (await staff.post(f"/api/staff/callbacks/{queue[0]['id']}/done")).json()["callback"]
        assert (done["status"], done["phone"]) == ("done", None)
        assert (await staff.get("/api/staff/callbacks")).json()["callbacks"] == []


async def test_a_cancellation_by_the_team_is_told_to_the_person_on_their_channel(api):
    running_api, clock, twilio = api
    client = running_api.client
    await running_api.sms(NUMBER, "bonjour")
    booked = (await book(client, SMS_PERSON, THURSDAY_14)).json()["appointment"]
    before = len(twilio.bodies(NUMBER))
    async with member(running_api.app, "agent", "test_ville") as staff:
        marked = (await staff.post(f"/api/staff/appointments/{booked['id']}/status",
                                   json={"status": "cancelled"})).json()
    assert marked["person_told"] is True and marked["appointment"]["status"] == "cancelled"
    await running_api.outbox.drain()
    told = twilio.bodies(NUMBER)[before:]
    assert len(told) == 1 and "l'équipe doit annuler" in told[0] and "jeudi 3 décembre à 14h" in told[0]
    assert [r.status for r in await running_api.outbox_rows() if r.kind.startswith("reminder")] == \
        ["cancelled", "cancelled"]
    with running_api.app.state.db.session() as session:
        assert session.get(Appointment, booked["id"]).contact_enc is None     # nothing more to tell


async def test_the_contact_kept_for_a_team_cancellation_is_encrypted_and_dropped_when_the_person_cancels(api):
    running_api, _, _ = api
    client = running_api.client
    await running_api.sms(NUMBER, "bonjour")
    booked = (await book(client, SMS_PERSON, THURSDAY_14)).json()["appointment"]
    with running_api.app.state.db.session() as session:
        kept = session.get(Appointment, booked["id"]).contact_enc
    assert kept and NUMBER not in kept and "612345678" not in kept
    await client.post(f"/internal/appointments/{booked['id']}/cancel", json={"person_id": SMS_PERSON},
                      headers=INTERNAL)
    with running_api.app.state.db.session() as session:
        assert session.get(Appointment, booked["id"]).contact_enc is None


async def test_a_telegram_booking_is_reminded_on_telegram(api):
    running_api, clock, _ = api
    chat = 424242
    await running_api.telegram(tg.message_update(chat, "bonjour"))
    person = Pseudonymiser(PSEUDONYM_KEY).pseudonym("telegram", str(chat))
    booked = (await book(running_api.client, person, THURSDAY_14, channel="telegram")).json()["appointment"]
    assert booked["reminders"] == 2
    rows = [r for r in await running_api.outbox_rows() if r.kind.startswith("reminder")]
    assert {(r.channel, r.person_id) for r in rows} == {("telegram", person)}
    clock.now = MONDAY.replace(day=1, month=12, hour=13)           # 48 h before
    await running_api.outbox.drain()
    sent = [c for c in running_api.telegram_stand_in.calls("sendMessage") if str(c.get("chat_id")) == str(chat)]
    assert sent and "Rappel" in sent[-1]["text"]


async def test_supprimer_by_sms_erases_a_web_booking_and_call_back_made_with_that_number(api):
    running_api, _, _ = api
    client = running_api.client
    web = (await book(client, "web-person", THURSDAY_14, channel="web", phone=NUMBER)).json()["appointment"]
    assert web["reminders"] == 2
    created = await client.post("/internal/callbacks", headers=INTERNAL, json={
        "person_id": "web-person", "channel": "web", "commune": "54395", "phone": NUMBER})
    assert created.status_code == 201
    other = (await book(client, "web-other", THURSDAY_14, channel="web", phone="+33611223345")).json()["appointment"]

    await running_api.sms(NUMBER, "supprimer")
    await running_api.sms(NUMBER, "OUI")

    with running_api.app.state.db.session() as session:
        erased, kept = session.get(Appointment, web["id"]), session.get(Appointment, other["id"])
        callbacks = session.exec(select(CallbackRequest)).all()
    assert (erased.person_id, erased.status, erased.seat, erased.contact_enc, erased.contact_person_id) == \
        ("erased", "cancelled", None, None, None)
    assert (kept.person_id, kept.status) == ("web-other", "booked")
    assert [(c.person_id, c.phone_enc, c.contact_person_id, c.preferred_times) for c in callbacks] == \
        [("erased", None, None, "")]                                  # counted, but nobody behind it
    reminders = [r for r in await running_api.outbox_rows() if r.kind.startswith("reminder")]
    assert {r.person_id for r in reminders} == {Pseudonymiser(PSEUDONYM_KEY).pseudonym("sms", "+33611223345")}
    assert await running_api.runtime.address("sms", SMS_PERSON) is None      # the address book forgot it
