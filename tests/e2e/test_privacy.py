"""Privacy through the real stack (Rasa with its consent-gated SQL tracker store on a SQLite file, the
action server, the API), by the web chat API and by SMS (signed Twilio webhook, local Twilio stand-in):

- before consent, nothing of the conversation is in the tracker store;
- after consent, Rasa and the API killed mid-screening and started again: the conversation goes on
  where it was (no welcome, no consent question again);
- a full SMS conversation with a booking, an income and SUPPRIMER: then every table of the database,
  the tracker store, the outbox and the logs of the three processes hold no raw number (in any common
  format), no text of the person and no income amount.
"""
from __future__ import annotations

import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.core.security import Pseudonymiser
from channels.sms.console import SmsPhone
from tests.e2e.chat import ChatSession, last_ask, staff_appointments
from tests.e2e.test_slice import SLICE
from tests.e2e.conftest import sms_stack
from tests.fakes.twilio import FakeTwilio
from tests.stack import Stack

pytestmark = pytest.mark.stack
INCOME = "1837"


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Stack, FakeTwilio, str]]:
    yield from sms_stack()


def sender_of(stack: Stack, channel: str, address: str) -> str:
    return Pseudonymiser(stack.env()["PSEUDONYM_KEY"]).pseudonym(channel, address)


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a SQLite file."""
    if not path.exists():
        return {}
    with sqlite3.connect(path) as connection:
        listed = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = [name for (name,) in listed]
        return {table: connection.execute(f'SELECT * FROM "{table}"').fetchall() for table in tables}


def tracker_rows(stack: Stack, sender: str) -> list[tuple[Any, ...]]:
    return [row for row in rows(stack.workdir / "trackers.db").get("events", []) if sender in row]


def test_before_consent_nothing_is_stored_and_a_restart_mid_screening_loses_nothing(stack):
    started, _, _ = stack
    with httpx.Client(base_url=started.api_url, timeout=60) as client:
        session, opening = ChatSession.open(client)
        sender = sender_of(started, "web", session.conversation_id)
        assert last_ask(opening) == "consent", session.bot_text()
        messages = session.say(SLICE.opener)
        assert last_ask(messages) == "consent", session.bot_text()
        assert tracker_rows(started, sender) == []                   # nothing on disk before consent

        messages = session.say("oui")
        assert last_ask(messages) == "age", session.bot_text()
        assert tracker_rows(started, sender) != []
        messages = session.say(SLICE.answers["age"])
        asked = last_ask(messages)
        assert asked not in (None, "age", "consent"), session.bot_text()

    started.restart("rasa", "api")

    with httpx.Client(base_url=started.api_url, timeout=60) as client:
        session.client = client
        messages = session.say(SLICE.answers[asked])
        texts = " ".join(m["text"] for m in messages)
        assert last_ask(messages) not in (None, "consent", "age", asked), texts
        assert "Bonjour" not in texts and "accord" not in texts, texts


def number_forms(e164: str) -> list[str]:
    national = "0" + e164[3:]
    pairs = " ".join(national[i:i + 2] for i in range(0, 10, 2))
    return [e164, e164[1:], national, e164[3:], pairs, pairs.replace(" ", "."), "+33 " + pairs[1:]]


def test_after_a_full_sms_conversation_and_supprimer_nothing_personal_is_left(stack):
    started, twilio, token = stack
    number = f"+336{secrets.randbelow(10**8):08d}"
    phone = SmsPhone(started.api_url, started.api_url, token, number, twilio)
    sender = sender_of(started, "sms", number)
    said = ["Bonjour", "1", "je voudrais un rendez-vous", "Vaulx-en-Velin", "1",
            f"je gagne {INCOME} euros de salaire par mois"]
    answers = [" ".join(phone.send(text)) for text in said]
    assert "C'est noté" in answers[4], answers
    with httpx.Client(base_url=started.api_url, timeout=60) as client:
        [booked] = [a for a in staff_appointments(client, territory="vaulx_en_velin")
                    if a["channel"] == "sms" and a["status"] == "booked"]
    assert booked["reminders"] >= 1
    before = str(tracker_rows(started, sender))
    assert INCOME in before and "salaire" in before                  # what the scan must not find later

    assert "effacer" in " ".join(phone.send("SUPPRIMER"))
    assert "effac" in " ".join(phone.send("OUI"))

    forbidden = number_forms(number) + ["salaire", "voudrais", "Bonjour", "Vaulx-en-Velin"]
    income = re.compile(rf"(?<!\d){INCOME}(?!\d)")
    deadline = time.monotonic() + 60                                 # a slow turn answers through the outbox
    while (rows(started.workdir / "stack.db")["pendingerasure"] or tracker_rows(started, sender)) \
            and time.monotonic() < deadline:
        time.sleep(0.5)
    database = rows(started.workdir / "stack.db")
    assert {"appointment", "outboxmessage", "conversation", "pendingerasure"} <= set(database)
    assert database["pendingerasure"] == []                          # the tracker erasure is done
    places = {"database": str(database), "trackers": str(tracker_rows(started, sender))}
    places.update({name: started.log_tail(name, lines=100000) for name in ("api", "rasa", "actions")})
    for where, text in places.items():
        for form in forbidden:
            assert form not in text, (where, form)
        assert not income.search(text), where
    assert tracker_rows(started, sender) == []
