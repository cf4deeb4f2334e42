"""Two real Rasa servers (RASA_URLS) on one SQLite tracker store, behind the real API: web
conversations are split between them by rendezvous hashing; one server killed (SIGKILL), its consented
conversations carry on with the other from the shared store, at the question they had reached, and
/health lists each server. Needs a trained model (`make model`)."""
from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from api.core.security import Pseudonymiser
from api.rasa_client import rendezvous_order
from tests.stack import MODEL, Stack, start_stack

pytestmark = pytest.mark.stack
PSEUDONYM_KEY = "test-pseudonym-key-0123456789abcdef"     # tests/stack.py


@pytest.fixture(scope="module")
def two() -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.skip("no trained model: run `make model`")
    started = start_stack(extra_env={"RASA_RECHECK_SECONDS": "1", "BREAKER_RESET_SECONDS": "3"}, rasa_replicas=2)
    yield started
    started.stop()


def replica_of(stack: Stack, conversation_id: str) -> int:
    sender = Pseudonymiser(PSEUDONYM_KEY).pseudonym("web", conversation_id)
    return stack.rasa_urls.index(rendezvous_order(stack.rasa_urls, sender)[0])


def wait_for_status(client: httpx.Client, index: int, status: str, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while client.get("/health").json()["rasa_replicas"][index]["status"] != status:
        assert time.monotonic() < deadline, f"Rasa server {index} not {status}"
        time.sleep(1)


def say(client: httpx.Client, conversation_id: str, text: str) -> list[dict]:
    response = client.post(f"/api/chat/{conversation_id}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def test_a_killed_server_s_conversations_continue_on_the_other_at_the_same_question(two: Stack):
    with httpx.Client(base_url=two.api_url, timeout=60) as client:
        for index in (0, 1):                                       # both loaded (each in its own time)
            wait_for_status(client, index, "ready")
        health = client.get("/health").json()
        assert [(r["index"], r["status"]) for r in health["rasa_replicas"]] == [(0, "ready"), (1, "ready")]
        on: dict[int, list[str]] = {0: [], 1: []}
        while min(len(ids) for ids in on.values()) < 2:
            opened = client.post("/api/chat", json={"source": None}).json()
            assert opened["messages"][-1]["ask"] == "consent"
            on[replica_of(two, opened["conversation_id"])].append(opened["conversation_id"])
        conversations = on[0][:2] + on[1][:2]
        for conversation in conversations:
            assert say(client, conversation, "/affirm")[-1]["ask"] == "age"      # consented: in the store

        two.kill("rasa-1")
        asks = {conversation: say(client, conversation, "j'ai 34 ans")[-1].get("ask") for conversation in conversations}
        assert len(set(asks.values())) == 1 and None not in asks.values() and "age" not in asks.values(), asks
        assert "consent" not in asks.values()                                   # not started again
        health = client.get("/health").json()
        assert health["rasa"] == "ready"
        assert [(r["index"], r["status"]) for r in health["rasa_replicas"]] == [(0, "ready"), (1, "down")]

        two.restart("rasa-1")
        wait_for_status(client, 1, "ready")
        for conversation in on[1][:2]:                                          # back on their own server
            assert say(client, conversation, "/deny")[-1]["text"]
