"""What the real stack exposes: Rasa's HTTP API and REST channel need its token (the API sends it), and no process
logs what a person says, earns or their phone number during a full conversation with a booking."""
from __future__ import annotations

import re

import httpx

from tests.e2e.chat import Persona, last_ask
from tests.e2e.test_booking import pick_first_slot
from tests.stack import RASA_AUTH_TOKEN, Stack


def rasa(stack: Stack) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{stack.rasa_port}", timeout=30)


def test_rasa_refuses_its_http_api_without_the_token(stack: Stack):
    with rasa(stack) as http:
        assert http.get("/status").status_code == 401
        assert http.get("/status", params={"token": "wrong"}).status_code == 401
        assert http.get("/conversations/someone/tracker").status_code == 401
        assert http.put("/conversations/someone/tracker/events", json=[]).status_code == 401
        assert http.post("/model/parse", json={"text": "bonjour"}).status_code == 401
        assert http.get("/status", params={"token": RASA_AUTH_TOKEN}).status_code == 200


def test_the_rest_channel_refuses_a_call_without_the_token(stack: Stack):
    """Without it, whoever reached Rasa could talk as any sender (bot/rest_channel.py)."""
    body = {"sender": "probe-exposure", "message": "/greet"}
    with rasa(stack) as http:
        assert http.post("/webhooks/rest/webhook", json=body).status_code == 401
        assert http.post("/webhooks/rest/webhook", params={"token": "wrong"}, json=body).status_code == 401
        answer = http.post("/webhooks/rest/webhook", params={"token": RASA_AUTH_TOKEN}, json=body)
    assert answer.status_code == 200 and answer.json(), answer.text


def test_the_api_calls_rasa_with_its_token(client: httpx.Client):
    assert client.get("/health/ready").status_code == 200     # the API's GET /status with the token
    opened = client.post("/api/chat", json={})
    assert opened.status_code in (200, 201), opened.text
    conversation = opened.json()["conversation_id"]
    answer = client.post(f"/api/chat/{conversation}/messages", json={"text": "bonjour"})
    assert answer.status_code == 200 and answer.json()["messages"], answer.text


# A person whose words, income, rent and number must not reach any log.
OPENER = "bonjour, franchement je crois que je n'ai droit a rien du tout"
PRIVATE = Persona(
    name="private worker in Nancy",
    opener=OPENER,
    answers={"age": "35", "couple": "je vis seul sans enfant", "children": "aucun", "commune": "Nancy",
             "housing_status": "je loue un appart", "rent": "467", "activity": "je travaille",
             "salary": "1283 euros", "pregnant": "non", "recap": "oui c'est ça"},
)
LEAKS = {
    "the opening sentence": re.compile(r"droit a rien du tout", re.I),
    "the salary": re.compile(r"\b1\s?283\b"),
    "the rent": re.compile(r"\b467\b"),
    "the phone number": re.compile(r"6\D{0,2}98\D{0,2}76\D{0,2}54\D{0,2}31"),
}


def test_no_log_holds_what_a_person_says_earns_or_their_number(stack: Stack, client: httpx.Client):
    session = PRIVATE.play(client)
    assert "par mois" in session.bot_text(), session.bot_text()
    messages = session.say("oui je veux bien un rendez-vous")
    messages = pick_first_slot(session, session.say("oui"))
    assert last_ask(messages) == "phone", session.bot_text()
    messages = session.say("06 98 76 54 31")
    assert any("C'est noté" in m["text"] for m in messages), session.bot_text()
    # requests the API refuses with a 422, one echoing the amount to its caller (never to a log)
    refused = client.post("/api/eligibility", json={"age": 35, "commune": "54395", "salary": "1283 euros"})
    assert refused.status_code == 422, refused.text
    refused = client.post("/internal/callbacks", headers={"Authorization": f"Bearer {stack.env()['INTERNAL_API_TOKEN']}"},
                          json={"person_id": "p1", "channel": "web", "phone": "+336987654319",
                                "preferred_times": "1283 euros"})
    assert refused.status_code == 422 and "+336987654319" in refused.text, refused.text

    found = []
    for name in stack.processes:
        text = (stack.workdir / f"{name}.log").read_text(errors="replace")
        assert text.strip() or name != "api", f"{name}: empty log, nothing was checked"
        found += [f"{name}: {what}: {line.strip()[:200]}" for line in text.splitlines()
                  for what, pattern in LEAKS.items() if pattern.search(line)]
    assert not found, "\n".join(found)
