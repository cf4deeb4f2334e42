"""SMS end to end: the real stack (Rasa with the trained model, the action server, the API) reached
through the signed Twilio webhook, with a local stand-in for Twilio's REST API. Checks what the
service tests can only fake: the bot's own answers to the keywords and to numbered choices.

Needs a trained model (`make model`); skipped with the reason otherwise.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from channels.messages import BotMessage, Button
from channels.render import SMS, render_one
from channels.sms.adapter import pack_sms
from channels.sms.console import SmsPhone
from knowledge import load
from tests.fakes.twilio import ACCOUNT_SID, FROM_NUMBER, FakeTwilio
from tests.stack import MODEL, start_stack

pytestmark = pytest.mark.stack


def sms(name: str) -> list[str]:
    """A knowledge text as the SMS channel sends it."""
    entry = load("texts")[name]
    buttons = tuple(Button(b["title"], b["payload"]) for b in entry.get("buttons") or [])
    return pack_sms([render_one(BotMessage(str(entry["text"]).strip(), buttons, entry.get("ask")), SMS).text])


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Any, FakeTwilio, str]]:
    if not MODEL.exists():
        pytest.skip("no trained model: run `make model`")
    token = secrets.token_urlsafe(24)
    twilio = FakeTwilio(auth_token=token).start()
    started = start_stack(extra_env={"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": token,
                                     "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE_URL": twilio.url})
    yield started, twilio, token
    started.stop()
    twilio.stop()


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
