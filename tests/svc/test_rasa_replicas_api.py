"""The API with two Rasa replicas (RASA_URLS), stand-ins behind one transport: web conversations are
split between the replicas, one replica killed has its conversations answered by the other (every
message answered, none twice), and /health reports each replica."""
from __future__ import annotations

import pytest

from tests.fakes.app import make_settings, running
from tests.fakes.rasa import FakeRasaReplicas

URLS = ["http://rasa-0.test:5005", "http://rasa-1.test:5005"]


class _Nowhere:
    url = "http://127.0.0.1:9"


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, _Nowhere(), _Nowhere(), rasa_urls=",".join(URLS), rasa_recheck_seconds=60,
                         rate_limits_enabled=False)


async def say(api, conversation: str, text: str) -> list[str]:  # noqa: ANN001
    response = await api.client.post(f"/api/chat/{conversation}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    return [message["text"] for message in response.json()["messages"]]


async def test_a_killed_replica_s_conversations_are_answered_by_the_other(settings):
    fakes = FakeRasaReplicas(URLS)
    async with running(settings, fakes) as api:
        conversations = [(await api.client.post("/api/chat", json={"source": None})).json()["conversation_id"]
                         for _ in range(24)]
        for conversation in conversations:
            assert await say(api, conversation, "avant") == ["Reçu : avant"]
        senders = {sender for fake in fakes.replicas for sender, _, _ in fake.received}
        assert len(senders) == 24
        first = {sender for sender, _, _ in fakes.replicas[0].received}
        assert 0 < len(first) < 24                                     # split between the two
        assert all(len(fakes.handled_by(sender)) == 1 for sender in senders)
        health = (await api.client.get("/health")).json()
        assert health["rasa"] == "ready" and health["breakers"]["rasa"] == "closed"
        assert health["rasa_replicas"] == [{"index": 0, "status": "ready", "breaker": "closed"},
                                           {"index": 1, "status": "ready", "breaker": "closed"}]

        fakes.replicas[0].down = True                                  # killed: connection refused
        for conversation in conversations:
            assert await say(api, conversation, "pendant") == ["Reçu : pendant"]
        assert [m for _, m, _ in fakes.replicas[0].received].count("pendant") == 0
        assert sorted(s for s, m, _ in fakes.replicas[1].received if m == "pendant") == sorted(senders)
        health = (await api.client.get("/health")).json()
        assert health["rasa"] == "ready" and health["breakers"]["rasa"] == "closed"
        assert [(r["index"], r["status"]) for r in health["rasa_replicas"]] == [(0, "down"), (1, "ready")]

        fakes.replicas[1].down = True                                  # both gone: a French 503, not a 500
        response = await api.client.post(f"/api/chat/{conversations[0]}/messages", json={"text": "après"})
        assert response.status_code == 503 and response.json()["detail"]
        assert (await api.client.get("/health")).json()["rasa"] == "down"
