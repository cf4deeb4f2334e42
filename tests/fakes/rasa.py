"""A stand-in for Rasa's HTTP API as an httpx.MockTransport, for `create_app(settings,
rasa_transport=FakeRasa().transport)`.

It answers `GET /status`, `PUT /conversations/<id>/tracker/events` (erasure) and
`POST /webhooks/rest/webhook` with what the actions send: `{"recipient_id", "custom": {"text",
"buttons", "ask"}}` for messages and `{"custom": {"control": {...}}}` for signals. The default script
is a tiny bot (greeting with choices, STOP, erasure with confirmation, a slow estimate, an echo);
pass `script=` to answer otherwise.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

Script = Callable[[str, str, dict[str, Any]], Awaitable[list[dict[str, Any]]] | list[dict[str, Any]]]

CONSENT_BUTTONS = [{"title": "Oui, d'accord", "payload": "/affirm"}, {"title": "Non merci", "payload": "/deny"},
                   {"title": "Parler à quelqu'un", "payload": "/ask_human"}]
ERASE_BUTTONS = [{"title": "Oui, tout effacer", "payload": "/affirm"}, {"title": "Non, garder", "payload": "/deny"}]


def say(sender: str, text: str, buttons: list[dict[str, str]] | None = None, ask: str | None = None) -> dict[str, Any]:
    return {"recipient_id": sender, "custom": {"text": text, "buttons": buttons or [], "ask": ask}}


def control(sender: str, kind: str, **data: Any) -> dict[str, Any]:
    return {"recipient_id": sender, "custom": {"control": {"type": kind, **data}}}


class FakeRasa:
    def __init__(self, script: Script | None = None):
        self.script = script or self.default_script
        self.received: list[tuple[str, str, dict[str, Any]]] = []
        self.erased: list[str] = []
        self.rewound: list[str] = []           # senders whose last turn was undone (`rewind` event)
        self.down = False
        self.actions_down = False              # the action server's /health does not answer
        self.empty = False                     # answers [] (what Rasa does when its action server fails)
        self._running = asyncio.Event()        # cleared by freeze(): every request hangs (SIGSTOP)
        self._running.set()
        self.slow_gate = asyncio.Event()       # « calcul » waits for this
        self._erase_pending: set[str] = set()

    def freeze(self) -> None:
        self._running.clear()

    def thaw(self) -> None:
        self._running.set()

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def messages(self) -> list[str]:
        return [message for _, message, _ in self.received]

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        await self._running.wait()
        if request.url.path == "/health":             # the action server's probe
            if self.actions_down:
                raise httpx.ConnectError("action server stand-in is down", request=request)
            return httpx.Response(200, json={"status": "ok"})
        if self.down:
            raise httpx.ConnectError("Rasa stand-in is down", request=request)
        if request.method == "GET" and request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "m"})
        if request.method == "POST" and request.url.path.endswith("/tracker/events"):
            self.rewound.append(request.url.path.split("/")[2])
            return httpx.Response(200, json={})
        if request.method == "PUT" and request.url.path.startswith("/conversations/"):
            self.erased.append(request.url.path.split("/")[2])
            return httpx.Response(200, json={})
        if request.method == "POST" and request.url.path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            sender, message, metadata = body["sender"], body["message"], body.get("metadata") or {}
            self.received.append((sender, message, metadata))
            if self.empty:
                return httpx.Response(200, json=[])
            items = self.script(sender, message, metadata)
            if asyncio.iscoroutine(items):
                items = await items
            return httpx.Response(200, json=items)
        return httpx.Response(404, json={})

    async def default_script(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        folded = message.strip().lower()
        if sender in self._erase_pending and folded in {"/affirm", "oui"}:
            self._erase_pending.discard(sender)
            return [say(sender, "C'est fait, j'ai tout effacé."), control(sender, "erase")]
        self._erase_pending.discard(sender)
        if folded == "/greet":
            return [say(sender, "Bonjour ! Je suis l'assistant."),
                    say(sender, "On regarde ensemble vos droits ?", CONSENT_BUTTONS, "consent")]
        if folded == "/stop":
            return [say(sender, "C'est noté, je ne vous écris plus."), control(sender, "stop")]
        if folded == "/delete_data":
            self._erase_pending.add(sender)
            return [say(sender, "Voulez-vous vraiment effacer toutes vos réponses ?", ERASE_BUTTONS)]
        if folded == "/affirm":
            return [say(sender, "Merci ! Quel âge avez-vous ?", ask="age")]
        if folded == "calcul":
            await self.slow_gate.wait()
            return [say(sender, "Voici mon estimation : 300 € par mois.")]
        return [say(sender, f"Reçu : {message}")]


class FakeRasaReplicas:
    """Several FakeRasa behind one transport, one per replica URL (`RASA_URLS`), dispatched on the
    request's origin; the action server's `/health` (any other origin) is answered by `actions`.
    `replicas[i].down = True` is a replica killed (connection refused), `.freeze()` one stopped."""

    def __init__(self, urls: list[str], script: Script | None = None):
        self.urls = urls
        self.replicas = [FakeRasa(script) for _ in urls]
        self.actions = FakeRasa()
        self._by_origin = {httpx.URL(url).netloc: fake for url, fake in zip(urls, self.replicas)}

    @property
    def transport(self) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            return await self._by_origin.get(request.url.netloc, self.actions)._handle(request)
        return httpx.MockTransport(handle)

    def handled_by(self, sender: str) -> list[int]:
        """The indexes of the replicas that received a message of `sender`, in index order."""
        return [i for i, fake in enumerate(self.replicas) if any(s == sender for s, _, _ in fake.received)]

    def messages(self) -> list[str]:
        return [message for fake in self.replicas for message in fake.messages()]
