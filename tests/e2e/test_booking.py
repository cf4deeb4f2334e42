"""Booking in the conversation, through the real stack (web chat API → Rasa → actions → API with
the shipped territories): book after an estimate with the summary shared, cancel, move, call back,
refuse to share or refuse the privacy notice, and a person outside every territory."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from knowledge.french import PARIS
from tests.e2e.chat import ChatSession, sign_in, last_ask, staff_appointments
from tests.e2e.test_slice import SLICE


def staff_day(client: httpx.Client, start: str) -> list[dict[str, Any]]:
    return staff_appointments(client, datetime.fromisoformat(start).astimezone(PARIS).date(), days=1)


def pick_first_slot(session: ChatSession, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert last_ask(messages) == "appointment_slot", session.bot_text()
    buttons = next(m["buttons"] for m in reversed(messages) if m.get("ask") == "appointment_slot")
    assert len(buttons) == 4 and buttons[-1]["title"] == "Un autre jour"
    return session.say("1")


def booked_start(client: httpx.Client, before: set[str]) -> dict[str, Any]:
    """The appointment the staff API shows that was not there before (searching the next 60 days)."""
    new = [a for a in staff_appointments(client) if a["id"] not in before and a["status"] == "booked"]
    assert new, "no new appointment"
    return new[0]


def all_booked(client: httpx.Client) -> set[str]:
    return {a["id"] for a in staff_appointments(client)}


def test_book_after_an_estimate_with_the_summary_shared_then_cancel(client: httpx.Client):
    before = all_booked(client)
    session = SLICE.play(client)
    messages = session.say("oui je veux bien un rendez-vous")
    assert last_ask(messages) is None and "résumé" in messages[-1]["text"], session.bot_text()
    messages = pick_first_slot(session, session.say("oui"))
    assert last_ask(messages) == "phone", session.bot_text()       # on the web, a reminder needs a number
    messages = session.say("06 12 34 56 78")
    confirmation = "\n".join(m["text"] for m in messages)
    assert "C'est noté ! Rendez-vous" in confirmation and "apportez" in confirmation
    assert "annuler" in confirmation and "rappel" in confirmation
    appointment = booked_start(client, before)
    assert appointment["summary_shared"] is True and appointment["reminders"] >= 1
    summary = sign_in(client).get(f"/api/staff/appointments/{appointment['id']}/summary").json()["summary"]
    assert summary["household"]["age"] == 35 and summary["household"]["commune"] == "Nancy"
    assert {b["id"] for b in summary["benefits"]} & {"rsa", "prime_activite"}
    assert "Pense n'avoir droit à rien." in summary["worries"]

    messages = session.say("je voudrais annuler mon rendez-vous")
    assert "annuler" in messages[-1]["text"].lower(), session.bot_text()
    messages = session.say("oui")
    assert any("annulé" in m["text"] for m in messages), session.bot_text()
    listed = {a["id"]: a for a in staff_day(client, appointment["start"])}
    assert listed[appointment["id"]]["status"] == "cancelled"


def test_move_an_appointment_without_sharing_the_summary(client: httpx.Client):
    before = all_booked(client)
    session, _ = ChatSession.open(client)
    messages = session.say("je veux prendre rendez-vous")
    assert last_ask(messages) == "consent", session.bot_text()
    messages = session.say("oui")
    if last_ask(messages) != "commune":                            # consent given: ask again for the booking
        messages = session.say("je veux prendre rendez-vous")
    assert last_ask(messages) == "commune", session.bot_text()
    messages = pick_first_slot(session, session.say("Maxéville"))
    messages = session.say("non merci")                            # no reminder
    assert any("C'est noté" in m["text"] for m in messages), session.bot_text()
    first = booked_start(client, before)
    assert first["summary_shared"] is False
    assert sign_in(client).get(f"/api/staff/appointments/{first['id']}/summary").status_code == 404

    messages = session.say("je dois déplacer mon rendez-vous")
    assert "autre jour" in messages[-1]["text"], session.bot_text()
    messages = session.say("oui")
    assert last_ask(messages) == "appointment_slot", session.bot_text()
    messages = session.say("2")
    if last_ask(messages) == "phone":
        messages = session.say("non")
    assert any("C'est noté" in m["text"] for m in messages), session.bot_text()
    moved = booked_start(client, before | {first["id"]})
    assert moved["id"] != first["id"]
    old = {a["id"]: a for a in staff_day(client, first["start"])}[first["id"]]
    assert old["status"] == "cancelled"


def test_call_me_back_reaches_the_staff_queue(client: httpx.Client):
    session, _ = ChatSession.open(client)
    session.say("oui")                                             # the privacy notice
    messages = session.say("je préfère qu'on me rappelle")
    asked = []
    answers = {"commune": "Nancy", "callback_times": "le mardi matin", "phone": "07 11 22 33 44"}
    while len(asked) < 5:
        # « when can we call you? » is not in the contract's list of asks (ask null): known by its text
        ask = last_ask(messages) or ("callback_times" if "Quand peut-on vous appeler" in messages[-1]["text"] else None)
        if ask not in answers:
            break
        asked.append(ask)
        messages = session.say(answers[ask])
    assert "callback_times" in asked and "phone" in asked, session.bot_text()
    assert any("mardi matin" in m["text"] for m in messages), session.bot_text()
    queue = sign_in(client).get("/api/staff/callbacks").json()["callbacks"]
    assert any(c["phone"] == "+33711223344" and c["preferred_times"] == "le mardi matin" for c in queue)


def test_without_the_privacy_consent_nothing_is_booked_and_a_person_is_offered(client: httpx.Client):
    before = all_booked(client)
    session, _ = ChatSession.open(client)
    messages = session.say("non")                                  # refuses the privacy notice
    assert "je ne garde rien" in messages[0]["text"], session.bot_text()
    messages = session.say("je veux un rendez-vous")
    assert last_ask(messages) == "consent", session.bot_text()   # booking keeps data: it asks first
    session.say("non")
    assert all_booked(client) == before


def test_outside_every_territory_the_national_contact_instead_of_a_slot(client: httpx.Client):
    session, _ = ChatSession.open(client)
    session.say("oui")
    messages = session.say("je voudrais un rendez-vous")
    assert last_ask(messages) == "commune", session.bot_text()
    messages = session.say("j'habite à Marseille")
    text = "\n".join(m["text"] for m in messages)
    assert "France Services" in text and "CAF" in text and "32 30" in text, session.bot_text()
    assert last_ask(messages) != "appointment_slot"
