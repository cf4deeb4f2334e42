"""What one sender can cost, through the real routes: new web conversations per address and messages
per conversation (429, French, Retry-After); on SMS and Telegram one polite text, then silence, the
provider still getting its 200; STOP and SUPPRIMER always pass; the outbox caps the SMS sent to one
number in a day; eligibility requests per address, the action server exempt."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from api.core.security import Pseudonymiser
from api.models import utcnow
from channels.messages import BotMessage
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.app import PSEUDONYM_KEY, Running, make_settings, running, twiml_messages
from tests.fakes.rasa import FakeRasa

NUMBER = "+33612345678"


@pytest.fixture
def stand_ins():  # noqa: ANN201
    twilio, telegram = tw.FakeTwilio().start(), tg.FakeTelegram().start()
    yield twilio, telegram
    twilio.stop()
    telegram.stop()


@pytest.fixture
async def api(tmp_path, stand_ins) -> AsyncIterator[Running]:  # noqa: ANN001
    twilio, telegram = stand_ins
    rasa = FakeRasa()
    settings = make_settings(tmp_path, twilio, telegram, rate_limit_messages="3/minute",
                             rate_limit_new_conversations="2/minute;5/day", sms_daily_cap_per_number=4,
                             rate_limit_eligibility="2/minute", internal_api_token="internal-secret")
    async with running(settings, rasa) as started:
        started.rasa, started.twilio, started.telegram_stand_in = rasa, twilio, telegram
        yield started


def assert_429(response, words: str) -> None:  # noqa: ANN001
    assert response.status_code == 429, response.text
    assert words in response.json()["detail"] and response.json()["en"]
    assert 0 < int(response.headers["Retry-After"]) <= 86400


async def test_new_web_conversations_per_address(api):
    codes = [(await api.client.post("/api/chat", json={})).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert_429(await api.client.post("/api/chat", json={}), "Trop de conversations")
    assert api.rasa.messages() == ["/greet", "/greet"]               # refused before Rasa


async def test_messages_per_web_conversation(api):
    first = (await api.client.post("/api/chat", json={})).json()["conversation_id"]
    second = (await api.client.post("/api/chat", json={})).json()["conversation_id"]
    codes = [(await api.client.post(f"/api/chat/{first}/messages", json={"text": f"m{n}"})).status_code
             for n in range(4)]
    assert codes == [200, 200, 200, 429]
    assert_429(await api.client.post(f"/api/chat/{first}/messages", json={"text": "encore"}), "beaucoup de messages")
    assert (await api.client.post(f"/api/chat/{second}/messages", json={"text": "moi"})).status_code == 200
    assert api.rasa.messages().count("encore") == 0


async def test_an_sms_flood_gets_one_polite_text_then_silence(api):
    answers = [await api.sms(NUMBER, f"message {n}") for n in range(6)]
    assert all(a.status_code == 200 for a in answers)                 # Twilio never retries
    texts = [twiml_messages(a) for a in answers]
    assert all(texts[:3])
    assert "beaucoup de messages" in texts[3][0]                      # GSM-7 rendering of the knowledge text
    assert texts[4] == [] and texts[5] == []
    assert api.rasa.messages() == ["message 0", "message 1", "message 2"]
    other = await api.sms("+33698765432", "bonjour")                  # another number is not concerned
    assert twiml_messages(other)


async def test_stop_and_supprimer_always_pass(api):
    for n in range(5):
        await api.sms(NUMBER, f"message {n}")
    stop = await api.sms(NUMBER, "STOP")
    assert twiml_messages(stop) and api.rasa.messages()[-1] == "/stop"
    await api.sms(NUMBER, "SUPPRIMER")
    assert api.rasa.messages()[-1] == "/delete_data"


async def test_after_stop_a_flood_gets_no_polite_text(api):
    await api.sms(NUMBER, "STOP")
    answers = [twiml_messages(await api.sms(NUMBER, f"message {n}")) for n in range(5)]
    assert answers == [[]] * 5 and api.rasa.messages() == ["/stop"]


async def test_a_telegram_flood_gets_one_polite_text_then_silence(api):
    for n in range(6):
        response = await api.telegram(tg.message_update(4242, f"message {n}", update_id=9000 + n))
        assert response.status_code == 200
    await api.settled_outbox()
    assert api.rasa.messages() == ["message 0", "message 1", "message 2"]
    polite = [t for t in api.telegram_stand_in.texts() if "beaucoup de messages" in t]
    assert len(polite) == 1


async def test_the_outbox_caps_the_sms_sent_to_one_number_in_a_day(api):
    person = Pseudonymiser(PSEUDONYM_KEY).pseudonym("sms", NUMBER)
    outbox = api.outbox
    for n in range(6):
        await outbox.enqueue("sms", person, NUMBER, [BotMessage(text=f"Message {n}.")])
    rows = await api.settled_outbox()
    assert api.twilio.bodies(NUMBER) == [f"Message {n}." for n in range(4)]
    dropped = [r for r in rows if r.last_error == "daily_cap_reached"]
    assert len(dropped) == 2 and {r.status for r in dropped} == {"failed"}
    assert all(r.address_enc is None and r.content_enc is None for r in dropped)
    # a STOP confirmation still leaves; another number has its own count
    await outbox.enqueue("sms", person, NUMBER, [BotMessage(text="Confirmation.")], confirmation=True)
    other = Pseudonymiser(PSEUDONYM_KEY).pseudonym("sms", "+33698765432")
    await outbox.enqueue("sms", other, "+33698765432", [BotMessage(text="Bonjour.")])
    await api.settled_outbox()
    assert api.twilio.bodies(NUMBER)[-1] == "Confirmation." and api.twilio.bodies("+33698765432") == ["Bonjour."]
    # 24 hours later, the number may receive messages again
    outbox.clock = lambda: utcnow() + timedelta(hours=24, minutes=1)
    await outbox.enqueue("sms", person, NUMBER, [BotMessage(text="Le lendemain.")])
    await outbox.drain()
    assert api.twilio.bodies(NUMBER)[-1] == "Le lendemain."


async def test_eligibility_requests_per_address_the_action_server_exempt(api):
    codes = [(await api.client.post("/api/eligibility", json={})).status_code for _ in range(3)]
    assert codes == [503, 503, 429]                                   # OpenFisca is not loaded in this test
    refused = await api.client.post("/api/eligibility", json={})
    assert refused.json()["detail"]["fr"].startswith("Trop de calculs") and refused.headers["Retry-After"]
    internal = await api.client.post("/api/eligibility", json={}, headers={"Authorization": "Bearer internal-secret"})
    assert internal.status_code != 429
