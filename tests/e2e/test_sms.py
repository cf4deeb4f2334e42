"""SMS end to end: the real stack (Rasa with the trained model, the action server, the API) reached
through the signed Twilio webhook, with a local stand-in for Twilio's REST API. Checks what the
service tests can only fake: the bot's own answers to the keywords and to numbered choices.

Needs a trained model (`make model`); skipped with the reason otherwise.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from channels.messages import BotMessage, Button
from channels.render import SMS, render_one
from channels.sms.adapter import pack_sms
from channels.sms.console import SmsPhone
from knowledge import load
from tests.e2e.chat import staff_appointments
from tests.e2e.conftest import sms_stack
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.stack


def sms(name: str) -> list[str]:
    """A knowledge text as the SMS channel sends it."""
    entry = load("texts")[name]
    buttons = tuple(Button(b["title"], b["payload"]) for b in entry.get("buttons") or [])
    return pack_sms([render_one(BotMessage(str(entry["text"]).strip(), buttons, entry.get("ask")), SMS).text])


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Any, FakeTwilio, str]]:
    yield from sms_stack()


@pytest.fixture
def phone(stack: tuple[Any, FakeTwilio, str]) -> SmsPhone:
    started, twilio, token = stack
    return SmsPhone(started.api_url, started.api_url, token, f"+336{secrets.randbelow(10**8):08d}", twilio)


def test_numbered_choices_answered_with_a_digit(phone: SmsPhone):
    opening = " ".join(phone.send("Bonjour"))
    assert "Répondez 1, 2 ou 3." in opening
    assert "Quel age avez-vous ?" in " ".join(phone.send("1"))          # « 1 » = « Oui, d'accord »


def test_stop_then_silence_then_start(phone: SmsPhone):
    phone.send("Bonjour")
    assert phone.send("STOP") == sms("stop_confirmed")
    assert phone.send("Bonjour") == []
    assert phone.send("Start") == sms("start_confirmed")
    assert phone.send("Bonjour") != []


def test_aide_gets_the_help_text(phone: SmsPhone):
    assert phone.send("aide") == sms("help")


def test_supprimer_then_oui_erases(phone: SmsPhone):
    phone.send("Bonjour")
    assert phone.send("SUPPRIMER") == sms("delete_confirm")
    assert phone.send("OUI") == sms("deleted")



def sms_appointments(api_url: str, territory: str) -> list[dict[str, Any]]:
    """Booked SMS appointments of a territory over the next 60 days, from the staff API."""
    with httpx.Client(base_url=api_url) as client:
        return [a for a in staff_appointments(client, territory=territory)
                if a["channel"] == "sms" and a["status"] == "booked"]


def test_booking_by_sms_numbered_slots_no_phone_question_then_cancel(phone: SmsPhone, stack):
    started, _, _ = stack
    phone.send("Bonjour")
    phone.send("1")                                                     # yes to the privacy notice
    asked = " ".join(phone.send("je voudrais un rendez-vous"))
    assert "ville" in asked.lower(), asked
    slots = " ".join(phone.send("Vaulx-en-Velin"))
    assert "1 - " in slots and "Un autre jour" in slots, slots          # numbered slots and « autre jour »
    confirmed = " ".join(phone.send("1"))
    assert "C'est noté" in confirmed and "rappel" in confirmed, confirmed  # SMS: no phone question
    booked = sms_appointments(started.api_url, "vaulx_en_velin")
    assert len(booked) == 1 and booked[0]["reminders"] >= 1
    assert "annuler" in " ".join(phone.send("annuler mon rendez-vous")).lower()
    assert "annulé" in " ".join(phone.send("oui"))
    assert sms_appointments(started.api_url, "vaulx_en_velin") == []
