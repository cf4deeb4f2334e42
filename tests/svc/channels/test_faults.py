"""A part down or frozen, through the real webhooks and the chat API with the stand-ins: the message is
stored first, the person gets the fault message promptly (never a 5xx to Twilio or Telegram), the
message is answered in order once the part is back, and the breaker closes again.

Time bounds here are generous (« no 30-second wait »); measured figures are in docs/benchmarks.md."""
from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import select

from api.models import InboundMessage
from channels.render import SMS, render
from api.gateway.texts import text_message
from channels.messages import BotMessage
from channels.sms.adapter import pack_sms
from tests.fakes.app import make_settings, running, twiml_messages
from tests.fakes.http import wait_until_async
from tests.fakes.rasa import FakeRasa
from tests.fakes.telegram import message_update

NUMBER = "+33612345678"
OTHER = "+33698765432"
CHAT = 515151
FAST = dict(dependency_probe_seconds=0.2, dependency_probe_timeout_seconds=0.3, breaker_failures=3,
            breaker_reset_seconds=0.5, inbound_retry_seconds=0.1, rasa_timeout_seconds=30.0)


def settings_for(tmp_path: Any, twilio: Any, telegram: Any, **extra: Any) -> Any:
    return make_settings(tmp_path, twilio, telegram, **{**FAST, **extra})


def notice_sms(api: Any) -> list[str]:
    text = api.runtime.notice(None)[0].text
    return pack_sms([m.text for m in render([BotMessage(text=text)], SMS)])


async def inbound_rows(api: Any) -> list[InboundMessage]:
    return await api.db(lambda s: list(s.exec(select(InboundMessage).order_by(InboundMessage.id)).all()))


async def all_answered(api: Any) -> bool:
    return all(row.status == "done" for row in await inbound_rows(api))


# -- SMS ------------------------------------------------------------------------------------------------------
async def test_rasa_down_the_sms_is_kept_encrypted_and_answered_once_rasa_is_back(tmp_path, twilio, telegram):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram), rasa) as api:
        rasa.down = True
        response = await api.sms(NUMBER, "Mon loyer est de 612 euros")
        assert twiml_messages(response) == notice_sms(api)
        assert "32 30" in twiml_messages(response)[-1]
        [row] = await inbound_rows(api)
        assert row.status == "pending" and row.content_enc and "612" not in row.content_enc
        assert NUMBER not in row.content_enc
        rasa.down = False
        await wait_until_async(lambda: all_answered(api), 10, "the kept SMS answered")
        [sent] = await twilio.wait_for(1)
        assert (sent["To"], sent["Body"]) == (NUMBER, "Recu : Mon loyer est de 612 euros")
        [row] = await inbound_rows(api)
        assert row.content_enc is None and row.next_attempt_at is None        # wiped once answered


async def test_messages_sent_while_rasa_is_down_get_one_notice_and_are_answered_in_order(
        tmp_path, twilio, telegram):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram), rasa) as api:
        rasa.down = True
        first = await api.sms(NUMBER, "un")
        second = await api.sms(NUMBER, "deux")
        third = await api.sms(NUMBER, "trois")
        other = await api.sms(OTHER, "autre")
        assert twiml_messages(first) == notice_sms(api) and twiml_messages(other) == notice_sms(api)
        assert twiml_messages(second) == [] and twiml_messages(third) == []     # one notice per person
        rasa.down = False
        await twilio.wait_for(4)
        await wait_until_async(lambda: all_answered(api), 10, "every kept SMS answered")
        assert twilio.bodies(NUMBER) == ["Recu : un", "Recu : deux", "Recu : trois"]
        assert twilio.bodies(OTHER) == ["Recu : autre"]
        assert [m for _, m, _ in rasa.received if m in {"un", "deux", "trois"}] == ["un", "deux", "trois"]


async def test_stop_is_applied_at_once_even_behind_a_kept_message(tmp_path, twilio, telegram):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram), rasa) as api:
        rasa.down = True
        await api.sms(NUMBER, "Bonjour")
        stop = twiml_messages(await api.sms(NUMBER, "STOP"))
        assert stop == pack_sms([m.text for m in render([text_message("stop_confirmed")], SMS)])
        [conversation] = await api.conversations()
        assert conversation.stopped_at is not None
        rasa.down = False
        await wait_until_async(lambda: all_answered(api), 10, "the kept message settled")
        await asyncio.sleep(0.2)
        assert twilio.bodies(NUMBER) == []                    # STOP means silence, kept messages included


async def test_a_frozen_rasa_gets_the_notice_in_seconds_not_after_the_rasa_timeout(tmp_path, twilio, telegram):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram, sms_sync_reply_seconds=8.0), rasa) as api:
        await api.sms(OTHER, "avant")                       # Rasa seen up once
        rasa.freeze()                                        # SIGSTOP: connections hang, /status too
        started = time.monotonic()
        response = await api.sms(NUMBER, "Bonjour")
        assert time.monotonic() - started < 10               # the Rasa timeout is 30 s
        assert twiml_messages(response) == notice_sms(api)
        rasa.thaw()                                          # SIGCONT
        await wait_until_async(lambda: all_answered(api), 10, "answered after SIGCONT")
        await twilio.wait_for(1)
        assert twilio.bodies(NUMBER) == ["Recu : Bonjour"]


async def test_the_breaker_opens_then_no_call_reaches_rasa_then_it_closes_again(tmp_path, twilio, telegram):
    rasa = FakeRasa()
    rasa.empty = rasa.actions_down = True                    # the action server is down: Rasa answers []
    async with running(settings_for(tmp_path, twilio, telegram, breaker_reset_seconds=60), rasa) as api:
        breakers = api.app.state.breakers
        for number in ("+33600000001", "+33600000002", "+33600000003"):
            assert twiml_messages(await api.sms(number, "Bonjour")) == notice_sms(api)   # failure, not silence
        assert breakers.state("rasa") == "opened"
        calls = len(rasa.received)
        assert twiml_messages(await api.sms("+33600000004", "Bonjour")) == notice_sms(api)
        assert len(rasa.received) == calls                   # answered without calling Rasa
        assert len(rasa.rewound) == 3                        # each failed turn undone in the tracker
        rasa.empty = rasa.actions_down = False
        for context in [await breakers.factory.get_breaker("rasa")]:
            context.context._state.opened_at -= 120          # the reset delay has passed
        await wait_until_async(lambda: all_answered(api), 10, "kept SMS answered after recovery")
        assert breakers.state("rasa") == "closed"
        await twilio.wait_for(4)
        assert twilio.bodies() == ["Recu : Bonjour"] * 4


async def test_an_empty_turn_with_the_action_server_up_is_answered_not_silent(tmp_path, twilio, telegram):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram), rasa) as api:
        rasa.empty = True
        assert twiml_messages(await api.sms(NUMBER, "Bonjour")) == pack_sms(
            [m.text for m in render([text_message("assistant_unavailable")], SMS)])
        assert api.app.state.breakers.state("rasa") == "closed" and rasa.rewound == []
        assert await all_answered(api)


async def test_the_action_server_down_during_a_slow_turn_ends_it_with_the_notice(tmp_path, twilio, telegram):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram), rasa) as api:
        rasa.actions_down = True                             # Rasa waits for it (5 minutes in Rasa 3.6)
        started = time.monotonic()
        response = await api.sms(NUMBER, "calcul")           # never ends by itself (slow_gate)
        assert time.monotonic() - started < 10
        assert twiml_messages(response) == notice_sms(api)
        rasa.actions_down = False
        rasa.slow_gate.set()
        await wait_until_async(lambda: all_answered(api), 10, "answered once the action server is back")


async def test_the_database_down_at_receipt_still_answers_200_and_loses_nothing(
        tmp_path, twilio, telegram, monkeypatch):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram), rasa) as api:
        await api.sms(OTHER, "avant")
        database = api.app.state.db
        real_call = database._call

        def down(*args: Any, **kwargs: Any) -> Any:
            raise OperationalError("SELECT 1", {}, ConnectionError("database down"))

        monkeypatch.setattr(database, "_call", down)
        first = await api.sms(NUMBER, "un")
        second = await api.sms(NUMBER, "deux")
        assert first.status_code == 200 and twiml_messages(first) == notice_sms(api)
        assert twiml_messages(second) == []
        telegram_answer = await api.telegram(message_update(CHAT, "salut"))
        assert telegram_answer.status_code == 200
        await telegram.wait_for("sendMessage", 1)            # the notice, straight to the Bot API
        assert rasa.messages()[-1] == "avant"
        monkeypatch.setattr(database, "_call", real_call)    # the database is back
        await twilio.wait_for(2)
        await wait_until_async(lambda: all_answered(api), 10, "held messages stored and answered")
        assert twilio.bodies(NUMBER) == ["Recu : un", "Recu : deux"]
        await telegram.wait_for("sendMessage", 2)
        assert "Reçu : salut" in telegram.texts()


async def test_a_message_unanswerable_for_too_long_is_given_up_and_wiped(tmp_path, twilio, telegram):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram, inbound_retry_hours=0.0001), rasa) as api:
        rasa.down = True
        await api.sms(NUMBER, "Bonjour")

        async def given_up() -> bool:
            return [(r.status, r.content_enc) for r in await inbound_rows(api)] == [("failed", None)]

        await wait_until_async(given_up, 10, "the message given up")


# -- Telegram and the web chat --------------------------------------------------------------------------------
async def test_telegram_gets_200_and_the_notice_then_the_answer(tmp_path, twilio, telegram):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram), rasa) as api:
        rasa.down = True
        response = await api.telegram(message_update(CHAT, "Bonjour"))
        assert response.status_code == 200
        [notice] = await telegram.wait_for("sendMessage", 1)
        assert "problème technique" in notice["text"] and "32 30" in notice["text"]
        rasa.down = False
        await telegram.wait_for("sendMessage", 2)
        assert telegram.texts()[-1] == "Reçu : Bonjour"


async def test_the_web_chat_with_a_frozen_rasa_answers_503_with_the_notice_promptly(tmp_path, twilio, telegram):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram, default_territory="grand_nancy"), rasa) as api:
        conversation_id = (await api.client.post("/api/chat", json={})).json()["conversation_id"]
        rasa.freeze()
        started = time.monotonic()
        response = await api.client.post(f"/api/chat/{conversation_id}/messages", json={"text": "bonjour"})
        assert time.monotonic() - started < 10
        assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 1
        assert "03 53 01 10 54" in response.json()["detail"]   # the default territory's phone
        rasa.thaw()
        again = await api.client.post(f"/api/chat/{conversation_id}/messages", json={"text": "bonjour"})
        assert again.status_code == 200 and again.json()["messages"][0]["text"] == "Reçu : bonjour"


async def test_health_answers_promptly_when_the_database_hangs(tmp_path, twilio, telegram, monkeypatch):
    rasa = FakeRasa()
    async with running(settings_for(tmp_path, twilio, telegram, database_timeout_seconds=0.3), rasa) as api:
        database = api.app.state.db
        hung = asyncio.Event()

        def slow(*args: Any, **kwargs: Any) -> Any:
            time.sleep(2)
            hung.set()

        monkeypatch.setattr(database, "_call", slow)
        started = time.monotonic()
        response = await api.client.get("/health")
        assert time.monotonic() - started < 1.5
        assert response.json()["database"] == "unavailable"
        ready = await api.client.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["database"] == "unavailable"
