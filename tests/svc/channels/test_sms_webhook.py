"""SMS through the real webhook (`POST /webhooks/twilio`), signed like Twilio, with stand-ins for
Rasa and for Twilio's REST API: signatures, replays, keywords, the slow turn, order, pseudonyms."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from api.core.security import Pseudonymiser
from api.models import ConsentRecord, Conversation, InboundMessage, OutboxMessage, utcnow
from channels.gsm7 import is_gsm7, segments
from channels.messages import BotMessage
from api.gateway.texts import text_message
from channels.sms.adapter import pack_sms
from channels.render import SMS, render
from tests.fakes import twilio as tw
from tests.fakes.app import INTERNAL, PSEUDONYM_KEY, PUBLIC, make_settings, running, twiml_messages
from tests.fakes.rasa import FakeRasa, say

NUMBER = "+33612345678"
OTHER = "+33698765432"


def sms_text(name: str) -> list[str]:
    """A knowledge text as the SMS channel sends it."""
    return pack_sms([m.text for m in render([text_message(name)], SMS)])


def person(number: str = NUMBER) -> str:
    return Pseudonymiser(PSEUDONYM_KEY).pseudonym("sms", number)


async def inbound_count(api: Any) -> int:
    return len(await api.db(lambda s: s.exec(select(InboundMessage)).all()))


# -- signatures --------------------------------------------------------------------------------------------
async def test_a_signed_sms_is_answered_in_twiml_and_rasa_only_sees_a_pseudonym(api, rasa):
    response = await api.sms(NUMBER, "Bonjour")
    assert twiml_messages(response) == ["Recu : Bonjour"]          # GSM-7: ç -> c
    [(sender, message, metadata)] = rasa.received
    assert message == "Bonjour"
    assert sender == person() and NUMBER not in sender and "612345678" not in sender
    assert metadata["channel"] == "sms"
    [conversation] = await api.conversations()
    assert (conversation.channel, conversation.person_id) == ("sms", person())


async def test_a_forged_signature_gets_403_and_changes_nothing(api, rasa):
    response = await api.sms(NUMBER, "Bonjour", token="not-the-auth-token")
    assert response.status_code == 403
    assert rasa.received == [] and await api.conversations() == [] and await inbound_count(api) == 0


async def test_a_missing_signature_gets_403(api, rasa):
    params = tw.inbound_params(NUMBER, "Bonjour")
    content, headers = tw.signed_request(PUBLIC + "/webhooks/twilio", params)
    del headers["X-Twilio-Signature"]
    response = await api.client.post("/webhooks/twilio", content=content, headers=headers)
    assert response.status_code == 403
    assert rasa.received == [] and await inbound_count(api) == 0


async def test_a_body_changed_after_signing_gets_403(api, rasa):
    params = tw.inbound_params(NUMBER, "Bonjour")
    _, headers = tw.signed_request(PUBLIC + "/webhooks/twilio", params)
    tampered = dict(params, Body="SUPPRIMER")
    content, _ = tw.signed_request(PUBLIC + "/webhooks/twilio", tampered)
    response = await api.client.post("/webhooks/twilio", content=content, headers=headers)
    assert response.status_code == 403
    assert rasa.received == []


async def test_the_signature_is_checked_against_the_public_address_behind_a_proxy(api, rasa):
    # Signed for the address the API sees (behind the proxy): not what Twilio signs, refused.
    params = tw.inbound_params(NUMBER, "Bonjour")
    content, headers = tw.signed_request(INTERNAL + "/webhooks/twilio", params)
    assert (await api.client.post("/webhooks/twilio", content=content, headers=headers)).status_code == 403
    # Signed for PUBLIC_BASE_URL + path + query: accepted.
    content, headers = tw.signed_request(PUBLIC + "/webhooks/twilio?via=proxy", params)
    response = await api.client.post("/webhooks/twilio?via=proxy", content=content, headers=headers)
    assert twiml_messages(response) == ["Recu : Bonjour"]


async def test_without_an_auth_token_everything_is_refused(tmp_path, twilio, telegram, rasa):
    settings = make_settings(tmp_path, twilio, telegram, twilio_auth_token=None)
    async with running(settings, rasa) as api:
        for token in (tw.AUTH_TOKEN, ""):
            params = tw.inbound_params(NUMBER, "Bonjour")
            content, headers = tw.signed_request(PUBLIC + "/webhooks/twilio", params, token or "x")
            if not token:
                headers["X-Twilio-Signature"] = ""
            response = await api.client.post("/webhooks/twilio", content=content, headers=headers)
            assert response.status_code == 403
        status = await api.sms(NUMBER, "x", path="/webhooks/twilio/status", MessageStatus="delivered")
        assert status.status_code == 403
        assert rasa.received == [] and await inbound_count(api) == 0


# -- idempotency -----------------------------------------------------------------------------------------
async def test_a_replayed_message_sid_is_handled_once(api, rasa, twilio):
    first = await api.sms(NUMBER, "Bonjour", sid="SM" + "a" * 32)
    again = await api.sms(NUMBER, "Bonjour", sid="SM" + "a" * 32)
    assert twiml_messages(first) == ["Recu : Bonjour"]
    assert twiml_messages(again) == []                               # same kind of answer, nothing done
    assert len(rasa.received) == 1 and len(await api.conversations()) == 1
    assert await inbound_count(api) == 1 and twilio.messages == []


async def test_a_replayed_stop_does_not_confirm_twice(api, rasa):
    first = await api.sms(NUMBER, "STOP", sid="SM" + "b" * 32)
    again = await api.sms(NUMBER, "STOP", sid="SM" + "b" * 32)
    assert len(twiml_messages(first)) == 1 and twiml_messages(again) == []
    assert rasa.messages() == ["/stop"]


# -- keywords ---------------------------------------------------------------------------------------------
async def test_stop_then_silence_then_start(api, rasa, twilio):
    stop = await api.sms(NUMBER, "STOP")
    assert twiml_messages(stop) == ["C'est noté, je ne vous écris plus."]
    assert rasa.messages() == ["/stop"]                              # the conversation knows
    [conversation] = await api.conversations()
    assert conversation.stopped_at is not None

    # Silence: nothing answered, nothing sent to Rasa, and nothing queued leaves.
    assert twiml_messages(await api.sms(NUMBER, "Bonjour ?")) == []
    assert twiml_messages(await api.sms(NUMBER, "STOP")) == []        # one confirmation only
    await api.outbox.enqueue("sms", person(), NUMBER, [BotMessage("Rappel : rendez-vous demain.")],
                             kind="reminder")
    await api.outbox.drain()
    [row] = await api.outbox_rows()
    assert (row.status, row.last_error, row.address_enc) == ("failed", "recipient_stopped", None)
    assert twilio.messages == [] and rasa.messages() == ["/stop"]

    start = await api.sms(NUMBER, "Start")
    assert twiml_messages(start) == sms_text("start_confirmed")
    [conversation] = await api.conversations()
    assert conversation.stopped_at is None
    assert twiml_messages(await api.sms(NUMBER, "Bonjour")) == ["Recu : Bonjour"]


@pytest.mark.parametrize("word", ["ARRÊT", "arrêt", "Arret", "stop.", " Stop ! ", "STOPALL", "unsubscribe",
                                  "CANCEL", "end", "Quit"])
async def test_stop_words_in_any_case_with_or_without_accents(api, rasa, word):
    response = await api.sms(NUMBER, word)
    assert len(twiml_messages(response)) == 1
    [conversation] = await api.conversations()
    assert conversation.stopped_at is not None
    assert rasa.messages() == ["/stop"]


async def test_stop_inside_a_sentence_is_not_a_keyword(api, rasa):
    await api.sms(NUMBER, "je ne veux pas stop")
    [conversation] = await api.conversations()
    assert conversation.stopped_at is None
    assert rasa.messages() == ["je ne veux pas stop"]


async def test_twilio_opt_out_type_counts_as_stop(api, rasa):
    await api.sms(NUMBER, "Arretez tout", OptOutType="STOP")
    [conversation] = await api.conversations()
    assert conversation.stopped_at is not None


async def test_stop_works_and_is_confirmed_even_when_rasa_is_down(api, rasa):
    rasa.down = True
    response = await api.sms(NUMBER, "ARRÊT")
    assert twiml_messages(response) == sms_text("stop_confirmed")
    [conversation] = await api.conversations()
    assert conversation.stopped_at is not None


async def test_stop_is_confirmed_even_if_the_bot_says_nothing(api, rasa):
    rasa.script = lambda sender, message, metadata: []
    assert twiml_messages(await api.sms(NUMBER, "STOP")) == sms_text("stop_confirmed")


@pytest.mark.parametrize("word", ["AIDE", "aide", "Help"])
async def test_help_gets_the_short_help_text(api, rasa, word):
    response = await api.sms(NUMBER, word)
    texts = twiml_messages(response)
    assert texts == sms_text("help")
    assert all(segments(text)[0] <= 2 for text in texts)
    assert rasa.received == []


async def test_help_is_still_answered_after_stop_and_says_how_to_come_back(api, rasa):
    await api.sms(NUMBER, "STOP")
    assert twiml_messages(await api.sms(NUMBER, "AIDE")) == sms_text("help")
    [conversation] = await api.conversations()
    assert conversation.stopped_at is not None                      # still stopped


@pytest.mark.parametrize("answer", ["OUI", "1"])
async def test_supprimer_asks_for_confirmation_then_erases(api, rasa, twilio, answer):
    await api.sms(NUMBER, "Bonjour")
    await api.outbox.enqueue("sms", person(), NUMBER, [BotMessage("Rappel")], kind="reminder",
                             not_before=utcnow() + timedelta(days=30))
    asked = twiml_messages(await api.sms(NUMBER, "supprimer"))
    assert rasa.messages()[-1] == "/delete_data"
    assert asked == ["Voulez-vous vraiment effacer toutes vos réponses ?\n1 - Oui, tout effacer\n"
                     "2 - Non, garder\nRépondez 1 ou 2."]
    done = twiml_messages(await api.sms(NUMBER, answer))
    assert done == ["C'est fait, j'ai tout effacé."]
    assert rasa.messages()[-1] == ("/affirm" if answer == "1" else "OUI")   # « 1 » maps to the payload
    assert await api.conversations() == []
    assert rasa.erased == [person()]
    assert await api.outbox_rows() == []                              # the queued reminder is gone too
    remaining = await api.db(lambda s: s.exec(select(InboundMessage.person_id)).all())
    assert set(remaining) == {None}


async def test_erasure_stays_possible_after_stop(api, rasa):
    await api.sms(NUMBER, "STOP")
    asked = twiml_messages(await api.sms(NUMBER, "SUPPRIMER"))
    assert "Répondez 1 ou 2." in asked[0]
    assert twiml_messages(await api.sms(NUMBER, "oui")) == ["C'est fait, j'ai tout effacé."]
    assert await api.conversations() == []


async def test_a_stopped_person_is_not_answered_after_a_supprimer_exchange(api, rasa):
    await api.sms(NUMBER, "STOP")
    await api.sms(NUMBER, "SUPPRIMER")
    assert twiml_messages(await api.sms(NUMBER, "Non")) != []          # the answer to the question
    assert twiml_messages(await api.sms(NUMBER, "Bonjour")) == []      # then silence again


# -- the slow turn, order, restart ------------------------------------------------------------------------
async def test_a_slow_turn_answers_je_calcule_then_sends_the_result_through_the_outbox(
        tmp_path, twilio, telegram, rasa):
    settings = make_settings(tmp_path, twilio, telegram, sms_sync_reply_seconds=0.2)
    async with running(settings, rasa) as api:
        response = await api.sms(NUMBER, "calcul")
        assert twiml_messages(response) == sms_text("computing") == ["Je calcule, un instant..."]
        assert twilio.messages == []
        rasa.slow_gate.set()
        [sent] = await twilio.wait_for(1)
        assert sent["To"] == NUMBER and sent["From"] == tw.FROM_NUMBER
        assert sent["Body"] == "Voici mon estimation : 300 € par mois."
        assert sent["StatusCallback"] == PUBLIC + "/webhooks/twilio/status"
        [row] = await api.settled_outbox()
        assert row.status == "sent" and row.provider_message_id == sent["sid"] and row.content_enc is None


async def test_a_message_during_a_slow_turn_is_answered_after_it_in_order(tmp_path, twilio, telegram, rasa):
    settings = make_settings(tmp_path, twilio, telegram, sms_sync_reply_seconds=0.2)
    async with running(settings, rasa) as api:
        assert twiml_messages(await api.sms(NUMBER, "calcul")) == ["Je calcule, un instant..."]
        assert twiml_messages(await api.sms(NUMBER, "Et ensuite ?")) == []   # queued behind
        assert twiml_messages(await api.sms(OTHER, "Bonjour")) == ["Recu : Bonjour"]  # others unaffected
        rasa.slow_gate.set()
        await twilio.wait_for(2)
        assert twilio.bodies(NUMBER) == ["Voici mon estimation : 300 € par mois.", "Recu : Et ensuite ?"]
        rows = await api.settled_outbox()
        assert [(r.sequence, r.status) for r in rows] == [(1, "sent"), (2, "sent")]


async def test_a_restart_with_a_non_empty_outbox_delivers_what_was_left(tmp_path, twilio, telegram, rasa):
    first = make_settings(tmp_path, twilio, telegram, sms_sync_reply_seconds=0.2, outbox_worker_enabled=False)
    async with running(first, rasa) as api:
        assert twiml_messages(await api.sms(NUMBER, "calcul")) == ["Je calcule, un instant..."]
        rasa.slow_gate.set()
    # The first process is gone: its result is in the database, encrypted, not sent.
    async with running(first, FakeRasa()) as stopped_worker:
        [row] = await stopped_worker.outbox_rows()
        assert row.status == "pending" and NUMBER not in (row.address_enc or "") and twilio.messages == []
    second = make_settings(tmp_path, twilio, telegram)
    async with running(second, FakeRasa()) as api:
        [sent] = await twilio.wait_for(1)
        assert (sent["To"], sent["Body"]) == (NUMBER, "Voici mon estimation : 300 € par mois.")
        [row] = await api.settled_outbox()
        assert row.status == "sent" and row.provider_message_id == sent["sid"]


async def test_a_long_answer_is_cut_at_sentences_into_sms_of_two_segments(api, rasa):
    sentence = "Cette phrase est une phrase d'exemple assez longue pour remplir un SMS. "
    long_text = (sentence * 9).strip()

    def script(sender: str, message: str, metadata: dict) -> list:
        return [say(sender, long_text)]

    rasa.script = script
    texts = twiml_messages(await api.sms(NUMBER, "Bonjour"))
    assert len(texts) == 3
    assert all(segments(t)[0] <= 2 and is_gsm7(t) for t in texts)
    assert all(t.endswith(".") for t in texts)                       # cut at sentence ends
    assert " ".join(texts) == long_text


async def test_rasa_down_gets_the_fault_notice_and_the_message_is_kept(api, rasa):
    rasa.down = True
    [notice] = twiml_messages(await api.sms(NUMBER, "Bonjour"))      # more in tests/svc/channels/test_faults.py
    assert "technique" in notice and "bien recu" in notice
    [row] = await api.db(lambda s: s.exec(select(InboundMessage)).all())
    assert row.status == "pending" and row.content_enc


async def test_a_picture_without_text_gets_a_text_only_answer(api, rasa):
    response = await api.sms(NUMBER, "", NumMedia="1")
    assert twiml_messages(response) == sms_text("text_only")
    assert rasa.received == []


# -- delivery reports --------------------------------------------------------------------------------------
async def _one_sent(api: Any, twilio: Any) -> tuple[OutboxMessage, dict]:
    await api.sms(NUMBER, "Bonjour")
    await api.outbox.enqueue("sms", person(), NUMBER, [BotMessage("Votre rendez-vous est demain.")])
    [sent] = await twilio.wait_for(1)
    [row] = await api.settled_outbox()
    return row, sent


async def test_status_callbacks_update_the_delivery_state_and_wipe_the_number(api, twilio):
    row, sent = await _one_sent(api, twilio)
    assert row.status == "sent" and row.address_enc is not None
    response = await api.sms(NUMBER, "", path="/webhooks/twilio/status", MessageSid=sent["sid"],
                             MessageStatus="delivered")
    assert response.status_code == 204
    [row] = await api.outbox_rows()
    assert (row.status, row.address_enc, row.content_enc) == ("delivered", None, None)
    # a late « sent » does not move it back
    await api.sms(NUMBER, "", path="/webhooks/twilio/status", MessageSid=sent["sid"], MessageStatus="sent")
    [row] = await api.outbox_rows()
    assert row.status == "delivered"


async def test_a_failed_status_records_the_error(api, twilio):
    _, sent = await _one_sent(api, twilio)
    await api.sms(NUMBER, "", path="/webhooks/twilio/status", MessageSid=sent["sid"], MessageStatus="undelivered",
                  ErrorCode="30003")
    [row] = await api.outbox_rows()
    assert (row.status, row.last_error, row.address_enc) == ("failed", "sms_30003", None)


async def test_a_forged_status_callback_changes_nothing(api, twilio):
    row, sent = await _one_sent(api, twilio)
    response = await api.sms(NUMBER, "", path="/webhooks/twilio/status", token="forged",
                             MessageSid=sent["sid"], MessageStatus="failed")
    assert response.status_code == 403
    [after] = await api.outbox_rows()
    assert after.status == "sent" and after.address_enc == row.address_enc


# -- personal data -----------------------------------------------------------------------------------------
async def test_no_number_and_no_text_in_the_database_or_the_logs(tmp_path, twilio, telegram, rasa, caplog):
    caplog.set_level(logging.DEBUG)
    settings = make_settings(tmp_path, twilio, telegram, sms_sync_reply_seconds=0.2)
    secret_text = "Mon loyer est de 612 euros rue des Lilas"
    async with running(settings, rasa) as api:
        await api.sms(NUMBER, secret_text)
        await api.sms(NUMBER, "calcul")
        rasa.slow_gate.set()
        await twilio.wait_for(1)
        await api.sms(NUMBER, "STOP")
        dump = ""
        for table in (Conversation, ConsentRecord, InboundMessage, OutboxMessage):
            rows = await api.db(lambda s, t=table: s.exec(select(t)).all())
            dump += " ".join(str(row.model_dump()) for row in rows)
        assert "sms" in dump
    assert "612345678" not in dump and "Lilas" not in dump
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "612345678" not in logged and "Lilas" not in logged and "estimation" not in logged
