"""HTTP client for the internal Rasa server (REST channel and HTTP API, never public).

A turn may take long when it is legitimately busy (an estimate), but not when a part is frozen: a
turn still running after `probe_after` seconds has Rasa (`GET /status`) and the action server
(`GET /health`) probed, each within `probe_timeout`; one that does not answer ends the turn at once
(`RasaUnavailable`), and so does an empty turn while the action server is down (Rasa answers [] when
its actions fail): that turn is undone in the tracker, so that the message can be tried again. Every
failure counts in the `rasa` circuit breaker (api/faults.py): while it is open, no call is made."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

from api.faults import RASA, BreakerOpen, Breakers
from channels.messages import BotTurn, parse_rasa_output

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa is not answering (still starting, or down)."""


class EmptyTurn(RasaUnavailable):
    """Rasa answered nothing at all: its action server failed (a failure, not silence)."""


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 30.0, transport: httpx.AsyncBaseTransport | None = None,
                 auth_token: str | None = None, *, actions_url: str | None = None, probe_after: float = 2.0,
                 probe_timeout: float = 3.0, breakers: Breakers | None = None):
        # Rasa's HTTP API (`--auth-token`) and our REST channel (bot/rest_channel.py) read `?token=`.
        params = {"token": auth_token} if auth_token else None
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport, params=params)
        self.timeout = timeout
        self.actions_url = actions_url.rstrip("/") if actions_url else None
        self.probe_after = probe_after
        self.probe_timeout = probe_timeout
        self.breakers = breakers or Breakers()
        self._ready = False
        self._was_ready = False
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def was_ready(self) -> bool:
        """Rasa has been up once: later failures are faults, not a start-up to wait for."""
        return self._was_ready

    async def check_ready(self) -> bool:
        """True once Rasa answers and has a model loaded."""
        try:
            response = await self._http.get("/status", timeout=3.0)
            self._ready = response.status_code == 200 and bool(response.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            self._ready = False
        self._was_ready = self._was_ready or self._ready
        return self._ready

    async def wait_ready(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not await self.check_ready():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.5)
        return True

    def _lock(self, sender: str) -> asyncio.Lock:
        return self._locks.setdefault(sender, asyncio.Lock())

    async def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> BotTurn:
        """Send one message of one person and return the bot's turn. Messages of one person are
        processed one at a time, in order."""
        async with self._lock(sender):
            try:
                turn = await self.breakers.call(RASA, lambda: self._turn(sender, text, metadata))
            except BreakerOpen as error:
                raise RasaUnavailable("circuit open") from error
            except (httpx.HTTPError, ValueError, TimeoutError) as error:
                self._ready = False
                log.warning("Rasa did not answer: %s", type(error).__name__)
                raise RasaUnavailable(type(error).__name__) from error
        return turn

    async def _turn(self, sender: str, text: str, metadata: dict[str, Any] | None) -> BotTurn:
        request = asyncio.ensure_future(self._http.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": text, "metadata": metadata or {}}))
        try:
            response = await self._watch(request)
        finally:
            if not request.done():
                request.cancel()
        response.raise_for_status()
        items = response.json()
        turn = parse_rasa_output(items if isinstance(items, list) else [])
        if not turn.messages and not turn.controls and await self.broken_part() is not None:
            log.warning("Rasa answered an empty turn, its action server is down: turn undone")
            await self._rewind(sender)
            raise EmptyTurn("empty turn")
        return turn

    async def _rewind(self, sender: str) -> None:
        """Undo the failed turn in the tracker (Rasa's `rewind` event: back to before the message),
        so that the message, tried again later, meets the conversation as it was. Best effort."""
        try:
            await asyncio.wait_for(self._http.post(f"/conversations/{sender}/tracker/events",
                                                   json={"event": "rewind"}), self.probe_timeout)
        except (httpx.HTTPError, TimeoutError) as error:
            log.warning("Failed turn not undone (%s)", type(error).__name__)

    async def _watch(self, request: asyncio.Future) -> httpx.Response:
        """The response, unless a probe finds Rasa or the action server frozen or gone first."""
        deadline = time.monotonic() + self.timeout
        wait = self.probe_after
        while True:
            remaining = deadline - time.monotonic()
            done, _ = await asyncio.wait({request}, timeout=max(0.0, min(wait, remaining)))
            if done:
                return request.result()
            if remaining <= wait:
                raise TimeoutError("turn too long")
            broken = await self.broken_part()
            if broken:
                log.warning("%s does not answer: turn abandoned", broken)
                raise TimeoutError(f"{broken} frozen")
            wait = self.probe_timeout

    async def broken_part(self) -> str | None:
        """"rasa" or "actions" when it does not answer a probe in time; None when both answer."""
        probes = [("rasa", self._http.build_request("GET", "/status"))]
        if self.actions_url:
            probes.append(("actions", self._http.build_request("GET", f"{self.actions_url}/health")))

        async def alive(request: httpx.Request) -> bool:
            try:
                response = await asyncio.wait_for(self._http.send(request), self.probe_timeout)
                return response.status_code < 500
            except (httpx.HTTPError, TimeoutError):
                return False

        answers = await asyncio.gather(*(alive(request) for _, request in probes))
        for (name, _), answered in zip(probes, answers):
            if not answered:
                return name
        return None

    async def erase(self, sender: str) -> None:
        """Forget a conversation entirely: replace its tracker with an empty one."""
        async with self._lock(sender):
            try:
                response = await self._http.put(f"/conversations/{sender}/tracker/events", json=[])
                response.raise_for_status()
            except httpx.HTTPError as error:
                raise RasaUnavailable(str(error)) from error

    async def aclose(self) -> None:
        await self._http.aclose()
