"""The adapter interface (channels/base.py) and each adapter's normalisation and rendering, without
a server: keywords, SMS packing, Telegram cutting and keyboards, the web adapter, discovery of the
adapters and their webhooks (a new channel is one new file), and the Telegram webhook registration."""
from __future__ import annotations

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from api.core.config import Settings
from channels.base import (ChannelAdapter, Delivered, DeliveryError, Keyword, Outgoing, adapter_classes,
                           channel_routers, choices_tag, split_text)
from channels.gsm7 import segments
from channels.keywords import keyword_of
from channels.messages import BotMessage, Button
from channels.render import SMS, TELEGRAM, WEB, Capabilities
from channels.sms.adapter import SmsAdapter, pack_sms
from channels.telegram.adapter import TelegramAdapter, utf16_length
from api.gateway.telegram_webhook import register
from channels.web_adapter import WebAdapter
from tests.fakes.telegram import BOT_TOKEN, FakeTelegram

YES_NO = (Button("Oui", "/affirm"), Button("Non", "/deny"))


# -- keywords ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, keyword", [
    ("STOP", Keyword.STOP), ("stop", Keyword.STOP), (" Stop. ", Keyword.STOP), ("ARRÊT", Keyword.STOP),
    ("arrêt !", Keyword.STOP), ("Arret", Keyword.STOP), ("STOPALL", Keyword.STOP), ("Unsubscribe", Keyword.STOP),
    ("cancel", Keyword.STOP), ("END", Keyword.STOP), ("quit", Keyword.STOP),
    ("START", Keyword.START), ("start", Keyword.START), ("UNSTOP", Keyword.START),
    ("AIDE", Keyword.HELP), ("aide ?", Keyword.HELP), ("Help", Keyword.HELP),
    ("SUPPRIMER", Keyword.DELETE), ("supprimer.", Keyword.DELETE),
    ("stop les messages", None), ("arrêtez", None), ("aidez-moi", None), ("", None), ("   ", None),
    ("1", None), ("oui", None), (None, None),
])
def test_keywords_are_one_word_whatever_the_case_and_accents(text, keyword):
    assert keyword_of(text) is keyword


# -- SMS packing -------------------------------------------------------------------------------------------
def sms(messages: list[BotMessage]) -> list[str]:
    return [part.text for part in SmsAdapter().outgoing(messages)]


def test_short_messages_of_a_turn_travel_together_in_one_sms():
    assert sms([BotMessage("Merci !"), BotMessage("Quel âge avez-vous ?", ask="age")]) == [
        "Merci !\nQuel age avez-vous ?"]


def test_a_question_keeps_its_numbered_choices():
    long_intro = "Voici une longue explication qui occupe de la place dans le message. " * 3
    parts = sms([BotMessage(long_intro.strip()), BotMessage("Voulez-vous continuer ?", YES_NO)])
    assert parts[-1].endswith("Voulez-vous continuer ?\n1 - Oui\n2 - Non\nRépondez 1 ou 2.")
    assert all(segments(p)[0] <= 2 for p in parts)


def test_free_answer_questions_show_no_numbers_on_sms():
    [text] = sms([BotMessage("Quel âge avez-vous ?", (Button("Je ne sais pas", "/dont_know"),), "age")])
    assert text == "Quel age avez-vous ?"


def test_a_single_overlong_sentence_is_cut_between_words():
    sentence = " ".join(["mot"] * 200) + "."
    parts = pack_sms([sentence])
    assert len(parts) == 3 and all(segments(p)[0] <= 2 for p in parts)
    assert " ".join(parts) == sentence


sentences = st.lists(st.text(alphabet="abcdefghij éèàù,€", min_size=1, max_size=120).map(lambda s: s.strip() + "."),
                     min_size=1, max_size=12)


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.lists(sentences, min_size=1, max_size=5))
def test_packing_keeps_every_word_in_order_within_two_segments(messages):
    texts = [" ".join(m) for m in messages]
    parts = pack_sms(texts)
    assert all(segments(part)[0] <= 2 for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(" ".join(texts).split())
    # never more segments than sending each message on its own
    assert sum(segments(p)[0] for p in parts) <= sum(segments(p)[0] for t in texts for p in pack_sms([t]))


# -- Telegram rendering ------------------------------------------------------------------------------------
def test_only_the_last_message_with_choices_keeps_its_keyboard():
    adapter = TelegramAdapter()
    parts = adapter.outgoing([BotMessage("Avant ?", YES_NO), BotMessage("Texte"),
                              BotMessage("Maintenant ?", (Button("A", "/a"), Button("B", "/b")))])
    assert [p.buttons for p in parts] == [(), (), (Button("A", "/a"), Button("B", "/b"))]
    keyboard = adapter.keyboard(parts[-1]).inline_keyboard
    tag = choices_tag(parts[-1].buttons)
    assert [[b.callback_data for b in row] for row in keyboard] == [[f"c:1:{tag}"], [f"c:2:{tag}"]]


def test_telegram_cuts_under_4096_utf16_units_even_with_emoji_and_no_spaces():
    text = "😀" * 3000                                             # 6000 UTF-16 units, no break point
    parts = TelegramAdapter().outgoing([BotMessage(text, YES_NO)])
    assert len(parts) == 2 and all(utf16_length(p.text) <= 4096 for p in parts)
    assert "".join(p.text for p in parts) == text
    assert parts[0].buttons == () and parts[1].buttons == YES_NO


def test_choices_tag_is_opaque_and_depends_on_the_choices():
    assert choices_tag(YES_NO) == choices_tag([{"title": "x", "payload": "/affirm"}, {"payload": "/deny"}])
    assert choices_tag(YES_NO) != choices_tag(YES_NO[:1])
    assert len(choices_tag(YES_NO)) == 8 and "/" not in choices_tag(YES_NO)


def test_split_text_prefers_lines_then_sentences():
    assert split_text("Un. Deux.\nTrois.", lambda t: len(t) <= 9) == ["Un. Deux.", "Trois."]
    assert split_text("Un deux. Trois quatre.", lambda t: len(t) <= 13) == ["Un deux.", "Trois quatre."]


# -- web ---------------------------------------------------------------------------------------------------
def test_the_web_adapter_answers_in_the_chat_contract():
    adapter = WebAdapter()
    assert adapter.capabilities == WEB and adapter.inline_replies
    body = adapter.respond([BotMessage("On regarde ensemble vos droits ?", YES_NO, "consent")])
    assert body == {"messages": [{"text": "On regarde ensemble vos droits ?", "ask": "consent",
                                  "buttons": [{"title": "Oui", "payload": "/affirm"},
                                              {"title": "Non", "payload": "/deny"}]}]}
    inbound = adapter.normalise("conv-id", {"payload": "/affirm"})
    assert (inbound.channel, inbound.address, inbound.payload) == ("web", "conv-id", "/affirm")


async def test_the_web_cannot_be_reached_outside_its_request():
    with pytest.raises(DeliveryError) as raised:
        await WebAdapter().deliver("conv-id", Outgoing("x"))
    assert raised.value.permanent


# -- discovery: a new channel is one new file ---------------------------------------------------------------
def test_the_three_channels_are_found_with_their_webhooks():
    classes = adapter_classes()
    assert {"web": WebAdapter, "sms": SmsAdapter, "telegram": TelegramAdapter}.items() <= classes.items()
    assert {c.capabilities for c in classes.values()} >= {WEB, SMS, TELEGRAM}
    paths = {route.path for router in channel_routers() for route in router.routes}
    assert {"/webhooks/twilio", "/webhooks/twilio/status", "/webhooks/telegram"} <= paths


async def test_a_new_channel_is_one_subclass_and_the_outbox_delivers_through_it(tmp_path):
    import base64

    from fastapi import APIRouter

    from api.core.db import Database
    from api.core.security import Vault
    from api.outbox import Outbox

    delivered = []
    router = APIRouter()

    class PigeonAdapter(ChannelAdapter):          # what channels/whatsapp.py would hold
        name = "pigeon"
        capabilities = Capabilities("pigeon", buttons=False, numbered_choices=True, gsm7=False, max_chars=50)

        @classmethod
        def webhook_router(cls):  # noqa: ANN206
            return router

        async def deliver(self, address: str, message: Outgoing) -> Delivered:
            delivered.append((address, message.text))
            return Delivered("p-1", final=True)

    try:
        assert adapter_classes()["pigeon"] is PigeonAdapter and router in channel_routers()
        db = Database(f"sqlite:///{tmp_path}/p.db")
        db.migrate()
        adapters = {name: cls.from_settings(Settings(_env_file=None)) for name, cls in adapter_classes().items()}
        outbox = Outbox(db, Vault(base64.urlsafe_b64encode(b"p" * 32).decode()), adapters)
        await outbox.enqueue("pigeon", "p1", "perch-7", [BotMessage("Venez ?", YES_NO)])
        await outbox.drain()
        assert delivered == [("perch-7", "Venez ?\n1 - Oui\n2 - Non\nRépondez 1 ou 2.")]
        db.dispose()
    finally:
        ChannelAdapter._registry.pop("pigeon", None)


# -- Telegram webhook registration --------------------------------------------------------------------------
async def test_make_telegram_webhook_registers_the_url_with_the_secret():
    telegram = FakeTelegram().start()
    try:
        settings = Settings(_env_file=None, public_base_url="https://assistant.example.org/",
                            telegram_bot_token=BOT_TOKEN, telegram_webhook_secret="s3cret_-token",
                            telegram_api_base_url=telegram.url)
        assert await register(settings) == "https://assistant.example.org/webhooks/telegram"
        [call] = telegram.calls("setWebhook")
        assert call["url"] == "https://assistant.example.org/webhooks/telegram"
        assert call["secret_token"] == "s3cret_-token"
        assert call["allowed_updates"] == ["message", "callback_query"]
    finally:
        telegram.stop()


@pytest.mark.parametrize("secret", [None, "", "with space", "é"])
async def test_the_registration_refuses_a_missing_or_invalid_secret(secret):
    settings = Settings(_env_file=None, telegram_bot_token=BOT_TOKEN, telegram_webhook_secret=secret,
                        telegram_api_base_url="http://127.0.0.1:9")
    with pytest.raises(SystemExit):
        await register(settings)
