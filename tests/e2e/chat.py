"""A person chatting through the web chat API, scripted personas that answer each question by
its `ask` field, in free text, and what the team sees through the staff API."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from knowledge.french import PARIS

from tests.stack import STAFF_EMAIL, STAFF_PASSWORD


def sign_in(client: httpx.Client) -> httpx.Client:
    """The client signed in as the stack's staff account (its cookie kept in the client's jar)."""
    if "tzn_staff" not in client.cookies:
        response = client.post("/api/staff/session", json={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
        response.raise_for_status()
    return client


def staff_appointments(client: httpx.Client, first: date | None = None, days: int = 60,
                       territory: str | None = None) -> list[dict[str, Any]]:
    """The appointments the staff API lists for `days` days from `first` (today, Paris time)."""
    first = first or datetime.now(PARIS).date()
    found: list[dict[str, Any]] = []
    for offset in range(0, days, 31):                         # the staff API lists up to 31 days at once
        params: dict[str, Any] = {"day": (first + timedelta(days=offset)).isoformat(), "days": min(31, days - offset)}
        if territory:
            params["territory"] = territory
        response = sign_in(client).get("/api/staff/appointments", params=params)
        response.raise_for_status()
        found += response.json()["appointments"]
    return found


@dataclass
class ChatSession:
    client: httpx.Client
    conversation_id: str = ""
    transcript: list[tuple[str, str]] = field(default_factory=list)
    sent: int = 0

    @classmethod
    def open(cls, client: httpx.Client, source: str | None = None) -> tuple["ChatSession", list[dict[str, Any]]]:
        response = client.post("/api/chat", json={"source": source})
        response.raise_for_status()
        body = response.json()
        session = cls(client=client, conversation_id=body["conversation_id"])
        session._record(body["messages"])
        return session, body["messages"]

    def say(self, text: str | None = None, payload: str | None = None) -> list[dict[str, Any]]:
        body = {"text": text} if text is not None else {"payload": payload}
        response = self.client.post(f"/api/chat/{self.conversation_id}/messages", json=body, timeout=60)
        response.raise_for_status()
        self.sent += 1
        self.transcript.append(("person", text if text is not None else f"[{payload}]"))
        messages = response.json()["messages"]
        self._record(messages)
        return messages

    def _record(self, messages: list[dict[str, Any]]) -> None:
        self.transcript.extend(("bot", m["text"]) for m in messages)

    def bot_text(self) -> str:
        return "\n".join(text for who, text in self.transcript if who == "bot")


def last_ask(messages: list[dict[str, Any]]) -> str | None:
    return next((m["ask"] for m in reversed(messages) if m.get("ask")), None)


@dataclass
class Persona:
    """Someone who opens with `opener` and answers each question (by its `ask`) in free text."""

    name: str
    opener: str
    answers: dict[str, str]
    expected: dict[str, Any] = field(default_factory=dict)

    def play(self, client: httpx.Client, max_messages: int = 17, source: str | None = None) -> ChatSession:
        session, messages = ChatSession.open(client, source)
        messages = session.say(self.opener)
        while session.sent < max_messages + 1:
            ask = last_ask(messages)
            if ask is None:
                break
            if ask == "consent":
                messages = session.say("oui")
            elif ask in self.answers:
                messages = session.say(self.answers[ask])
            else:
                raise AssertionError(f"{self.name}: unexpected question {ask!r}\n" + session.bot_text())
        return session
