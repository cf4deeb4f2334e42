"""HTTP client for the internal Rasa server (REST channel and HTTP API, never public)."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

from channels.messages import BotTurn, parse_rasa_output

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa is not answering (still starting, or down)."""


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 30.0, transport: httpx.AsyncBaseTransport | None = None,
                 auth_token: str | None = None):
        # Rasa's HTTP API (`--auth-token`) and our REST channel (bot/rest_channel.py) read `?token=`.
        params = {"token": auth_token} if auth_token else None
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport, params=params)
        self._ready = False
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def ready(self) -> bool:
        return self._ready

    async def check_ready(self) -> bool:
        """True once Rasa answers and has a model loaded."""
        try:
            response = await self._http.get("/status", timeout=3.0)
            self._ready = response.status_code == 200 and bool(response.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            self._ready = False
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
                response = await self._http.post(
                    "/webhooks/rest/webhook",
                    json={"sender": sender, "message": text, "metadata": metadata or {}},
                )
                response.raise_for_status()
                items = response.json()
            except (httpx.HTTPError, ValueError) as error:
                self._ready = False
                log.warning("Rasa did not answer: %s", type(error).__name__)
                raise RasaUnavailable(str(error)) from error
        return parse_rasa_output(items if isinstance(items, list) else [])

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
