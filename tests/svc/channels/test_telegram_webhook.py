"""Telegram through the real webhook (`POST /webhooks/telegram`) with stand-ins for Rasa and for the
Bot API: the secret, replays, unreadable updates, inline keyboards and callback queries, deep links,
long texts and flood control."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from api.core.security import Pseudonymiser
from api.models import InboundMessage
from channels.base import choices_tag
from channels.messages import Button
from api.gateway.texts import text_message
from tests.fakes.app import PSEUDONYM_KEY, make_settings, running
from tests.fakes.http import wait_until_async
from tests.fakes.rasa import CONSENT_BUTTONS, say
from tests.fakes.telegram import callback_update, message_update

CHAT = 424242


def person(chat: int = CHAT) -> str:
    return Pseudonymiser(PSEUDONYM_KEY).pseudonym("telegram", str(chat))


async def test_a_message_is_answered_through_the_bot_api(api, rasa, telegram):
    response = await api.telegram(message_update(CHAT, "Bonjour"))
    assert response.status_code == 200
    [sent] = await telegram.wait_for("sendMessage", 1)
    assert (int(sent["chat_id"]), sent["text"]) == (CHAT, "Reçu : Bonjour")     # no GSM-7 on Telegram
    [(sender, message, metadata)] = rasa.received
    assert sender == person() and str(CHAT) not in sender and metadata["channel"] == "telegram"
    [row] = await api.settled_outbox()
    assert (row.status, row.address_enc, row.content_enc) == ("delivered", None, None)


@pytest.mark.parametrize("secret", ["wrong-secret", "", None])
async def test_a_wrong_or_missing_secret_gets_403_and_changes_nothing(api, rasa, telegram, secret):
    response = await api.telegram(message_update(CHAT, "Bonjour"), secret=secret)
    assert response.status_code == 403
    assert rasa.received == [] and await api.conversations() == []
    assert await api.db(lambda s: s.exec(select(InboundMessage)).all()) == []


async def test_without_a_configured_secret_everything_is_refused(tmp_path, twilio, telegram, rasa):
    async with running(make_settings(tmp_path, twilio, telegram, telegram_webhook_secret=None), rasa) as api:
        for secret in ("", "None", "anything"):
            assert (await api.telegram(message_update(CHAT, "Bonjour"), secret=secret)).status_code == 403
        assert rasa.received == []


async def test_a_replayed_update_id_is_handled_once(api, rasa, telegram):
    update = message_update(CHAT, "Bonjour", update_id=777)
    assert (await api.telegram(update)).status_code == 200
    assert (await api.telegram(update)).status_code == 200
    await api.settled_outbox()
    assert len(rasa.received) == 1 and len(telegram.calls("sendMessage")) == 1


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"update_id": "x"}', b'{"no": "update"}',
                                  b'{"update_id": 5, "message": {"chat": "broken"}}'])
async def test_an_unreadable_update_gets_200_and_is_dropped(api, rasa, body):
    response = await api.telegram(body)
    assert response.status_code == 200
    assert rasa.received == [] and await api.conversations() == []


async def test_group_chats_and_unknown_updates_are_ignored(api, rasa):
    assert (await api.telegram(message_update(-100123, "Bonjour", chat_type="group"))).status_code == 200
    assert (await api.telegram({"update_id": 9, "edited_message": None})).status_code == 200
    assert rasa.received == []


async def test_choices_are_an_inline_keyboard_with_opaque_callback_data(api, rasa, telegram):
    await api.telegram(message_update(CHAT, "/start"))
    sent = await telegram.wait_for("sendMessage", 2)
    assert [m["text"] for m in sent] == ["Bonjour ! Je suis l'assistant.", "On regarde ensemble vos droits ?"]
    assert "reply_markup" not in sent[0]
    keyboard = sent[1]["reply_markup"]["inline_keyboard"]
    tag = choices_tag([Button(b["title"], b["payload"]) for b in CONSENT_BUTTONS])
    assert [row[0]["text"] for row in keyboard] == [b["title"] for b in CONSENT_BUTTONS]
    assert [row[0]["callback_data"] for row in keyboard] == [f"c:1:{tag}", f"c:2:{tag}", f"c:3:{tag}"]
    # nothing of the payloads nor of the person in the callback data
    assert all("/" not in row[0]["callback_data"] and str(CHAT) not in row[0]["callback_data"] for row in keyboard)


async def test_a_button_press_is_answered_and_maps_to_its_payload(api, rasa, telegram):
    await api.telegram(message_update(CHAT, "/start"))
    sent = await telegram.wait_for("sendMessage", 2)
    data = sent[1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    response = await api.telegram(callback_update(CHAT, data, query_id="q-42"))
    assert response.status_code == 200
    assert [c["callback_query_id"] for c in telegram.calls("answerCallbackQuery")] == ["q-42"]
    assert rasa.messages() == ["/greet", "/affirm"]
    sent = await telegram.wait_for("sendMessage", 3)
    assert sent[2]["text"] == "Merci ! Quel âge avez-vous ?"


async def test_a_button_of_an_older_message_is_answered_but_not_taken(api, rasa, telegram):
    await api.telegram(message_update(CHAT, "/start"))
    sent = await telegram.wait_for("sendMessage", 2)
    stale = sent[1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await api.telegram(message_update(CHAT, "SUPPRIMER"))           # new choices: Oui / Non
    await telegram.wait_for("sendMessage", 3)
    await api.telegram(callback_update(CHAT, stale, query_id="q-old"))
    assert [c["callback_query_id"] for c in telegram.calls("answerCallbackQuery")] == ["q-old"]
    sent = await telegram.wait_for("sendMessage", 4)
    assert sent[3]["text"] == text_message("choice_expired").text
    assert rasa.messages() == ["/greet", "/delete_data"]             # « 1 » did not erase anything


@pytest.mark.parametrize("data", ["c:9:00000000", "garbage", "c:1:" + "z" * 8, ""])
async def test_unknown_callback_data_is_still_answered(api, rasa, telegram, data):
    await api.telegram(callback_update(CHAT, data, query_id="q-x"))
    assert [c["callback_query_id"] for c in telegram.calls("answerCallbackQuery")] == ["q-x"]
    assert rasa.received == []


async def test_a_start_deep_link_carries_the_outreach_source(api, rasa, telegram):
    await api.telegram(message_update(CHAT, "/start MARCHE-12"))
    await telegram.wait_for("sendMessage", 2)
    [(_, message, metadata)] = rasa.received
    assert message == "/greet" and metadata["source"] == "MARCHE-12"
    [conversation] = await api.conversations()
    assert conversation.source == "MARCHE-12"


@pytest.mark.parametrize("code", ["<script>", "x" * 65, "a b", "été"])
async def test_a_bad_deep_link_code_is_not_kept(api, rasa, telegram, code):
    await api.telegram(message_update(CHAT, f"/start {code}"))
    await telegram.wait_for("sendMessage", 2)
    [conversation] = await api.conversations()
    assert conversation.source is None


async def test_long_texts_are_cut_under_4096_characters(api, rasa, telegram):
    paragraph = "Une phrase d'explication un peu longue, pour voir. " * 30
    long_text = "\n".join([paragraph.strip()] * 6)                    # about 9 000 characters

    def script(sender: str, message: str, metadata: dict) -> list:
        return [say(sender, long_text, [{"title": "Oui", "payload": "/affirm"}])]

    rasa.script = script
    await api.telegram(message_update(CHAT, "Bonjour"))
    await api.settled_outbox()
    sent = telegram.calls("sendMessage")
    assert len(sent) == 3
    assert all(len(m["text"].encode("utf-16-le")) // 2 <= 4096 for m in sent)
    assert "\n".join(m["text"] for m in sent) == long_text            # cut between paragraphs
    assert ["reply_markup" in m for m in sent] == [False, False, True]   # the keyboard on the last part


async def test_retry_after_is_honoured(api, rasa, telegram):
    telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    await api.telegram(message_update(CHAT, "Bonjour"))
    rows: list = []

    async def tried() -> bool:
        nonlocal rows
        rows = await api.outbox_rows()
        return bool(rows) and rows[0].attempts == 1

    await wait_until_async(tried)
    [row] = rows
    assert row.status == "pending" and row.last_error == "telegram_retry_after"
    assert row.next_attempt_at >= row.created_at + timedelta(seconds=7)   # not before Telegram said
    assert telegram.calls("sendMessage") == []


async def test_stop_on_telegram_then_start_again_with_the_start_command(api, rasa, telegram):
    await api.telegram(message_update(CHAT, "/stop"))
    await telegram.wait_for("sendMessage", 1)
    [conversation] = await api.conversations()
    assert conversation.stopped_at is not None
    await api.telegram(message_update(CHAT, "Bonjour"))
    await api.telegram(message_update(CHAT, "/start"))
    sent = await telegram.wait_for("sendMessage", 3)
    assert [m["text"] for m in sent] == ["C'est noté, je ne vous écris plus.", "Bonjour ! Je suis l'assistant.",
                                         "On regarde ensemble vos droits ?"]
    assert rasa.messages() == ["/stop", "/greet"]


async def test_a_voice_note_gets_a_text_only_answer(api, rasa, telegram):
    await api.telegram(message_update(CHAT, None, voice={"file_id": "f", "file_unique_id": "u", "duration": 3}))
    [sent] = await telegram.wait_for("sendMessage", 1)
    assert sent["text"] == text_message("text_only").text
    assert rasa.received == []


async def test_a_slow_turn_says_je_calcule_then_the_result_in_order(tmp_path, twilio, telegram, rasa):
    async with running(make_settings(tmp_path, twilio, telegram, telegram_interim_seconds=0.2), rasa) as api:
        assert (await api.telegram(message_update(CHAT, "calcul"))).status_code == 200
        [interim] = await telegram.wait_for("sendMessage", 1)
        assert interim["text"] == text_message("computing").text == "Je calcule, un instant…"
        rasa.slow_gate.set()
        sent = await telegram.wait_for("sendMessage", 2)
        assert sent[1]["text"] == "Voici mon estimation : 300 € par mois."
        assert telegram.calls("sendChatAction")                       # « typing… » meanwhile
