"""Request hygiene (api/core/middleware.py, api/routes/chat.py): bodies over MAX_BODY_BYTES get 413
before any route reads them, on every route (webhooks too); unreadable text gets 422 and never
reaches Rasa; NUL and control characters are removed; the chat API wants JSON."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.core.middleware import clean_text, has_lone_surrogate
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.app import Running, make_settings, running, twiml_messages
from tests.fakes.rasa import FakeRasa

LIMIT = 4096
NUMBER = "+33612345678"


@pytest.fixture
async def api(tmp_path) -> AsyncIterator[Running]:  # noqa: ANN001
    twilio, telegram = tw.FakeTwilio().start(), tg.FakeTelegram().start()
    rasa = FakeRasa()
    try:
        async with running(make_settings(tmp_path, twilio, telegram, max_body_bytes=LIMIT), rasa) as started:
            started.rasa = rasa
            yield started
    finally:
        twilio.stop()
        telegram.stop()


async def conversation(api: Running) -> str:
    return (await api.client.post("/api/chat", json={})).json()["conversation_id"]


def assert_french_error(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["detail"][0].isupper() and body["en"]


# -- body size --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/{id}/messages", "/api/eligibility", "/webhooks/twilio",
                                  "/webhooks/telegram", "/internal/appointments", "/api/staff/appointments"])
async def test_a_body_too_large_by_its_length_gets_413_on_every_route(api, path):
    path = path.replace("{id}", await conversation(api))
    received = len(api.rasa.received)
    big = json.dumps({"text": "a" * (LIMIT + 1)}).encode()
    response = await api.client.post(path, content=big, headers={"Content-Type": "application/json"})
    assert_french_error(response, 413)
    assert len(api.rasa.received) == received


async def test_a_streamed_body_without_length_is_cut_at_the_limit(api):
    conversation_id = await conversation(api)
    chunks_read = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal chunks_read
        yield b'{"text": "'
        for _ in range(1000):                      # 1 MB if nobody stopped it
            chunks_read += 1
            yield b"a" * 1024

    response = await api.client.post(f"/api/chat/{conversation_id}/messages", content=endless(),
                                     headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_french_error(response, 413)
    assert chunks_read < 10 and api.rasa.messages() == ["/greet"]


async def test_a_body_within_the_limit_reaches_its_route_whole(api):
    conversation_id = await conversation(api)
    chunks = [b'{"text": "', "é".encode() * 400, b'"}']

    async def streamed() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    response = await api.client.post(f"/api/chat/{conversation_id}/messages", content=streamed(),
                                     headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and api.rasa.messages()[-1] == "é" * 400


async def test_payload_is_capped_like_text(api):
    conversation_id = await conversation(api)
    response = await api.client.post(f"/api/chat/{conversation_id}/messages",
                                     json={"payload": "/affirm" + " " * 1000})
    assert_french_error(response, 422)
    assert api.rasa.messages() == ["/greet"]


# -- text hygiene -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [b'{"text": "\\ud800"}', b'{"text": "bonjour \\udfff"}', b'{"payload": "/affirm\\ud83d"}',
                                 b'{"text": "\xff\xfe bonjour"}', b'{"text": "caf\xc3"}'])
async def test_unreadable_text_gets_a_422_never_a_503(api, raw):
    conversation_id = await conversation(api)
    response = await api.client.post(f"/api/chat/{conversation_id}/messages", content=raw,
                                     headers={"Content-Type": "application/json"})
    assert_french_error(response, 422)
    assert "illisibles" in response.json()["detail"]
    assert api.rasa.messages() == ["/greet"] and api.app.state.rasa.ready   # Rasa was never called, nor marked down


async def test_a_surrogate_pair_is_a_real_character(api):
    conversation_id = await conversation(api)
    response = await api.client.post(f"/api/chat/{conversation_id}/messages", content=b'{"text": "merci \\ud83d\\ude00"}',
                                     headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and api.rasa.messages()[-1] == "merci 😀"


async def test_nul_and_control_characters_are_removed_before_rasa(api):
    conversation_id = await conversation(api)
    response = await api.client.post(f"/api/chat/{conversation_id}/messages",
                                     json={"text": "j'ai\x00 35\x07 ans\r\net\tdeux\x1b[31m enfants\x7f"})
    assert response.status_code == 200
    assert api.rasa.messages()[-1] == "j'ai 35 ans\net\tdeux[31m enfants"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_the_chat_api_wants_json(api, content_type):
    conversation_id = await conversation(api)
    headers = {"Content-Type": content_type} if content_type else {}
    for path in ("/api/chat", f"/api/chat/{conversation_id}/messages"):
        response = await api.client.post(path, content=b'{"text": "bonjour"}', headers=headers)
        assert_french_error(response, 415)
    assert api.rasa.messages() == ["/greet"]
    charset = await api.client.post(f"/api/chat/{conversation_id}/messages", content=b'{"text": "bonjour"}',
                                    headers={"Content-Type": "application/json; charset=utf-8"})
    assert charset.status_code == 200


async def test_an_sms_with_control_characters_reaches_rasa_clean(api):
    response = await api.sms(NUMBER, "bonjour\x00\x1b")
    assert response.status_code == 200 and twiml_messages(response)
    assert api.rasa.messages()[-1] == "bonjour"


async def test_a_telegram_message_with_a_lone_surrogate_is_answered(api):
    update = b'{"update_id": 7001, "message": {"message_id": 1, "date": 0, "text": "bonjour \\ud800\\u0000", ' \
             b'"chat": {"id": 4242, "type": "private"}, "from": {"id": 4242, "is_bot": false, "first_name": "A"}}}'
    response = await api.telegram(update)
    assert response.status_code == 200
    assert api.rasa.messages()[-1] == "bonjour \ufffd"
    assert api.app.state.rasa.ready


def test_clean_text_and_surrogates():
    assert clean_text("a\x00b\x0bc\x85d\ud800") == "abcd\ufffd"
    assert clean_text("ligne\r\nautre\tfin\n") == "ligne\nautre\tfin\n"
    assert has_lone_surrogate({"a": ["ok", "\udc00"]}) and not has_lone_surrogate({"a": ["ok", "é😀"]})
