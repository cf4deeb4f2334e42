"""Play personas through the web chat API (POST /api/chat, POST /api/chat/{id}/messages), a few at a
time, and keep what each conversation sent to the eligibility service (through the recording proxy)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable

import httpx

from tests.fidelity.compare import compare
from tests.fidelity.persona import SCREENING_ASKS, Persona, Reply
from tests.fidelity.proxy import Recorder
from tests.fidelity.truth import Truth

PSEUDONYM_KEY = "test-pseudonym-key-0123456789abcdef"     # tests/stack.py
MAX_MESSAGES = 40
SAME_QUESTION = 5            # the same question this many times in a row: a loop, the conversation stops
AFTER_RESULT_ASKS = SCREENING_ASKS - {"consent"}        # booking questions end the conversation


def sender_of(conversation_id: str, key: str = PSEUDONYM_KEY) -> str:
    from api.core.security import Pseudonymiser
    return Pseudonymiser(key).pseudonym("web", conversation_id)


@dataclass
class Played:
    truth: Truth
    persona: Persona
    conversation_id: str = ""
    sender: str = ""
    transcript: list[dict[str, Any]] = field(default_factory=list)
    households: list[dict[str, Any]] = field(default_factory=list)   # every eligibility request, in order
    outcome: str = ""            # estimated, stalled, message cap, error: ...
    sent: int = 0
    silent_replies: int = 0      # messages the assistant answered with nothing at all
    seconds: float = 0.0
    differences: list[dict[str, Any]] = field(default_factory=list)

    @property
    def estimated(self) -> bool:
        return bool(self.households) and self.households[-1]["status"] == 200 and not self.outcome.startswith("error")

    @property
    def status(self) -> str:
        if not self.estimated:
            return "never estimated"
        return "exact" if not self.differences else "different"

    def labels(self) -> set[str]:
        return {d["label"] for d in self.differences}

    def report(self, with_transcript: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": self.truth.id, "category": self.truth.category, "status": self.status, "outcome": self.outcome,
            "messages": self.sent, "silent_replies": self.silent_replies, "seconds": round(self.seconds, 1), "conversation_id": self.conversation_id,
            "unexpected_questions": self.persona.unexpected, "differences": self.differences,
            "asked_again": {k: v for k, v in self.persona.asked.items() if v > 1},
            "correction": self.persona.script.correction and {
                "field": self.persona.script.correction[0], "wrong": self.persona.script.correction[1],
                "planned": self.persona.script.correction[2], "said_at": self.persona.correction_given_at},
        }
        entry.update(said=self.persona.said, households_sent=self.households)
        if with_transcript:
            entry.update(truth=self.truth.as_dict(), transcript=self.transcript)
        return entry

    @classmethod
    def from_report(cls, entry: dict[str, Any]) -> "Played":
        """A conversation of a stored report, its truth generated again from its id (`p<seed>-<index>`),
        to compare again without playing again (python -m tests.fidelity --recompare REPORT)."""
        from tests.fidelity.truth import generate_one
        seed, index = entry["id"][1:].split("-")
        truth = generate_one(int(seed), int(index))
        persona = Persona(truth)
        persona.said = entry["said"]
        persona.unexpected = entry["unexpected_questions"]
        persona.asked = {k: v for k, v in entry["asked_again"].items()}
        persona.correction_given_at = (entry.get("correction") or {}).get("said_at")
        played = cls(truth=truth, persona=persona, conversation_id=entry["conversation_id"],
                     transcript=entry.get("transcript", []), households=entry["households_sent"],
                     outcome=entry["outcome"], sent=entry["messages"], silent_replies=entry["silent_replies"],
                     seconds=entry["seconds"])
        if played.households:
            played.differences = compare(truth, persona.said, played.households[-1]["body"])
        return played


def _last_ask(messages: list[dict[str, Any]]) -> tuple[str | None, dict[str, Any]]:
    for message in reversed(messages):
        if message.get("ask"):
            return message["ask"], message
    return None, {}


def play(truth: Truth, client: httpx.Client, recorder: Recorder, max_messages: int = MAX_MESSAGES) -> Played:
    started = time.monotonic()
    persona = Persona(truth)
    played = Played(truth=truth, persona=persona)

    def bot(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for m in messages:
            entry = {"who": "bot", "text": m.get("text", ""), "ask": m.get("ask")}
            if m.get("buttons"):
                entry["buttons"] = [f"{b.get('title')} = {b.get('payload')}" for b in m["buttons"]]
            played.transcript.append(entry)
        return messages

    def say(reply: Reply) -> list[dict[str, Any]]:
        body = {"text": reply.text} if reply.text is not None else {"payload": reply.payload}
        played.transcript.append({"who": "person", "text": reply.shown()})
        played.sent += 1
        response = client.post(f"/api/chat/{played.conversation_id}/messages", json=body)
        response.raise_for_status()
        messages = response.json()["messages"]
        if not messages:
            played.silent_replies += 1
            played.transcript.append({"who": "bot", "text": "(no reply)", "ask": None})
        return bot(messages)

    try:
        response = client.post("/api/chat", json={"source": None})
        response.raise_for_status()
        opened = response.json()
        played.conversation_id = opened["conversation_id"]
        played.sender = sender_of(played.conversation_id)
        bot(opened["messages"])
        messages = say(Reply(text=persona.opener()))
        last_seen: str | None = None
        silent = 0
        in_a_row = 0
        after_result_at: int | None = None     # estimates seen when the correction after the result was sent
        while True:
            estimates = recorder.of(played.sender)
            ask, message = _last_ask(messages)
            if estimates:
                if after_result_at is None and persona.pending_correction():
                    after_result_at = len(estimates)
                    messages = say(Reply(text=persona.correction("after_result")))
                    continue
                if after_result_at is None or len(estimates) > after_result_at:
                    played.outcome = "estimated"
                    break
                if ask is None or ask not in AFTER_RESULT_ASKS:
                    played.outcome = "estimated (the correction after the result sent nothing new)"
                    break
            if played.sent >= max_messages:
                played.outcome = "message cap"
                break
            if ask is None:
                silent += 1
                if silent >= 3:
                    played.outcome = "stalled (no question, no estimate)"
                    break
                reply = persona.answer(last_seen, {}, plain=True) if last_seen else Reply(text="oui")
            else:
                silent = 0
                in_a_row = in_a_row + 1 if ask == last_seen else 1
                if in_a_row >= SAME_QUESTION:
                    played.outcome = f"loop: « {ask} » asked {in_a_row} times in a row"
                    break
                last_seen = ask
                reply = persona.answer(ask, message)
            messages = say(reply)
    except (httpx.HTTPError, ValueError, KeyError) as error:
        played.outcome = f"error: {type(error).__name__}: {error}"[:300]
    if played.sender:
        played.households = [{"body": r.body, "status": r.status} for r in recorder.of(played.sender)]
    if played.households:
        played.differences = compare(truth, persona.said, played.households[-1]["body"])
    played.seconds = time.monotonic() - started
    return played


def play_all(truths: list[Truth], api_url: str, recorder: Recorder, concurrency: int = 4,
             max_messages: int = MAX_MESSAGES, deadline: float | None = None,
             progress: Callable[[int, int, Played], None] | None = None) -> tuple[list[Played], list[Truth]]:
    """Play every persona (`concurrency` at a time). Personas not started before `deadline`
    (time.monotonic()) are returned apart, not played."""
    local = threading.local()
    skipped: list[Truth] = []

    def one(truth: Truth) -> Played | None:
        if deadline is not None and time.monotonic() > deadline:
            skipped.append(truth)
            return None
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=api_url, timeout=120)
        return play(truth, local.client, recorder, max_messages)

    played: list[Played] = []
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(one, t) for t in truths]
        for done, future in enumerate(as_completed(futures), 1):
            result = future.result()
            if result is not None:
                played.append(result)
                if progress:
                    progress(done, len(truths), result)
    order = {t.id: i for i, t in enumerate(truths)}
    played.sort(key=lambda p: order[p.truth.id])
    return played, skipped
