"""The web chat JSON API (../shared/spec/chat.md) with a stand-in for Rasa: shape, French errors that
lose nothing, nothing stored before consent, erasure, retries with the same client_message_id."""
from __future__ import annotations

import pytest
from sqlmodel import select

from api.models import ConsentRecord, Conversation, EstimateRecord, PendingErasure
from tests.fakes.app import make_settings, running
from tests.fakes.rasa import FakeRasa, control, say


class _Nowhere:
    url = "http://127.0.0.1:9"


def consent_bot(sender, message, metadata):  # noqa: ANN001, ANN201
    if message == "/greet":
        return [say(sender, "Bonjour !"), say(sender, "On regarde ?", [{"title": "Oui", "payload": "/affirm"}], "consent")]
    if message == "/affirm":
        consent = {"recipient_id": sender, "custom": {"control": {"type": "consent", "kind": "privacy", "given": True}}}
        return [consent, say(sender, "Quel âge avez-vous ?", ask="age")]
    if message == "résultat":
        return [say(sender, "Voici mon estimation."),
                control(sender, "estimate", household={"age": 35}, benefits=[{"id": "rsa"}], monthly_total=100.0)]
    if message == "/delete_data":
        return [say(sender, "C'est fait."), control(sender, "erase")]
    return [say(sender, f"reçu : {message}")]


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, _Nowhere(), _Nowhere())


async def test_open_answers_the_contract_shape(settings):
    async with running(settings, FakeRasa(consent_bot)) as api:
        response = await api.client.post("/api/chat", json={"source": "marche-essey"})
        assert response.status_code == 200
        body = response.json()
        assert len(body["conversation_id"]) >= 22  # ≥ 128 bits, url-safe
        assert body["messages"][-1] == {"text": "On regarde ?", "buttons": [{"title": "Oui", "payload": "/affirm"}],
                                        "ask": "consent"}
        rows = await api.conversations()
        assert rows[0].source == "marche-essey" and rows[0].consent_at is None


async def test_each_opening_is_a_new_random_conversation(settings):
    async with running(settings, FakeRasa(consent_bot)) as api:
        ids = {(await api.client.post("/api/chat", json={"source": "poster1"})).json()["conversation_id"]
               for _ in range(3)}
        assert len(ids) == 3


@pytest.mark.parametrize("body,status", [
    (b"not json", 422), (b"[]", 422), (b'{"source": "bad code!"}', 422), (b'{"source": 12}', 422),
])
async def test_bad_openings_get_a_french_422(settings, body, status):
    async with running(settings, FakeRasa(consent_bot)) as api:
        response = await api.client.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == status
        assert response.json()["detail"][0].isupper()  # a French sentence, not a stack trace


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "   "}, {"text": 12}, {"text": "a", "payload": "/affirm"},
                                  {"text": "x" * 1001}, {"payload": "not a payload"}])
async def test_bad_messages_get_a_french_422_and_reach_nobody(settings, body):
    rasa = FakeRasa(consent_bot)
    async with running(settings, rasa) as api:
        conversation_id = (await api.client.post("/api/chat", json={})).json()["conversation_id"]
        response = await api.client.post(f"/api/chat/{conversation_id}/messages", json=body)
        assert response.status_code == 422
        assert rasa.messages() == ["/greet"]


async def test_unknown_conversation_is_a_french_404(settings):
    async with running(settings, FakeRasa(consent_bot)) as api:
        response = await api.client.post("/api/chat/nope/messages", json={"text": "bonjour"})
        assert response.status_code == 404 and "conversation" in response.json()["detail"]


async def test_rasa_down_is_a_french_503_with_retry_after(settings):
    rasa = FakeRasa(consent_bot)
    async with running(settings, rasa) as api:
        conversation_id = (await api.client.post("/api/chat", json={})).json()["conversation_id"]
        rasa.down = True
        response = await api.client.post(f"/api/chat/{conversation_id}/messages", json={"text": "bonjour"})
        assert response.status_code == 503 and response.headers["Retry-After"]
        detail = response.json()["detail"]      # the page keeps the message and sends it again
        assert "problème technique" in detail and "reste sur cette page" in detail and "32 30" in detail


async def test_typed_text_never_becomes_an_intent(settings):
    rasa = FakeRasa(consent_bot)
    async with running(settings, rasa) as api:
        conversation_id = (await api.client.post("/api/chat", json={})).json()["conversation_id"]
        await api.client.post(f"/api/chat/{conversation_id}/messages", json={"text": "/delete_data"})
        assert rasa.messages()[-1] == "delete_data"


async def test_nothing_is_kept_before_consent_and_the_estimate_after(settings):
    async with running(settings, FakeRasa(consent_bot)) as api:
        conversation_id = (await api.client.post("/api/chat", json={})).json()["conversation_id"]
        url = f"/api/chat/{conversation_id}/messages"
        await api.client.post(url, json={"text": "résultat"})
        assert await api.db(lambda s: s.exec(select(EstimateRecord)).all()) == []
        await api.client.post(url, json={"payload": "/affirm"})
        await api.client.post(url, json={"text": "résultat"})
        estimates = await api.db(lambda s: s.exec(select(EstimateRecord)).all())
        consents = await api.db(lambda s: s.exec(select(ConsentRecord)).all())
        assert len(estimates) == 1 and estimates[0].monthly_total == 100.0
        assert [(c.kind, c.given) for c in consents] == [("privacy", True)]


async def test_erasure_forgets_the_person_everywhere(settings):
    rasa = FakeRasa(consent_bot)
    async with running(settings, rasa) as api:
        conversation_id = (await api.client.post("/api/chat", json={})).json()["conversation_id"]
        url = f"/api/chat/{conversation_id}/messages"
        await api.client.post(url, json={"payload": "/affirm"})
        await api.client.post(url, json={"text": "résultat", "client_message_id": "r1"})
        shared = api.app.state.shared
        assert await shared.replayed(conversation_id, "r1") is not None
        await api.client.post(url, json={"payload": "/delete_data"})
        for table in (Conversation, ConsentRecord, EstimateRecord, PendingErasure):
            assert await api.db(lambda s, t=table: s.exec(select(t)).all()) == []
        assert len(rasa.erased) == 1
        assert await shared.replayed(conversation_id, "r1") is None     # no cached answer left
        again = await api.client.post(url, json={"text": "bonjour"})
        assert again.status_code == 404


async def test_a_retry_with_the_same_client_id_gets_the_same_answer_once(settings):
    rasa = FakeRasa(consent_bot)
    async with running(settings, rasa) as api:
        conversation_id = (await api.client.post("/api/chat", json={})).json()["conversation_id"]
        url = f"/api/chat/{conversation_id}/messages"
        first = await api.client.post(url, json={"text": "salut", "client_message_id": "abc"})
        second = await api.client.post(url, json={"text": "salut", "client_message_id": "abc"})
        assert first.json() == second.json()
        assert rasa.messages().count("salut") == 1
