"""The API (create_app) wired to the stand-ins: a temporary SQLite database, a fake Rasa
(httpx.MockTransport), and local Twilio and Telegram servers. Used by the channel tests.

    async with running(make_settings(tmp_path, twilio, telegram), FakeRasa()) as api:
        response = await api.sms("+33612345678", "Bonjour")
"""
from __future__ import annotations

import asyncio
import base64
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import select

from api.core.config import Settings
from api.main import create_app
from api.models import Conversation, OutboxMessage
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.rasa import FakeRasa

PUBLIC = "https://assistant.example.org"     # what Twilio and Telegram call, in front of the proxy
INTERNAL = "http://10.0.0.7:8000"             # what the API itself sees behind the proxy
TELEGRAM_SECRET = "telegram-webhook-secret_0123456789"
PSEUDONYM_KEY = "test-pseudonym-key-0123456789abcdef"
ENCRYPTION_KEY = base64.urlsafe_b64encode(b"e" * 32).decode()


def make_settings(tmp_path: Path, twilio: Any, telegram: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path}/t.db",
        tracker_store_url=f"sqlite:///{tmp_path}/trackers.db",
        public_base_url=PUBLIC,
        pseudonym_key=PSEUDONYM_KEY,
        data_encryption_key=ENCRYPTION_KEY,
        rasa_ready_wait_seconds=0,
        eligibility_load=False,
        twilio_account_sid=tw.ACCOUNT_SID,
        twilio_auth_token=tw.AUTH_TOKEN,
        twilio_from_number=tw.FROM_NUMBER,
        twilio_api_base_url=twilio.url,
        sms_sync_reply_seconds=5.0,
        telegram_bot_token=tg.BOT_TOKEN,
        telegram_webhook_secret=TELEGRAM_SECRET,
        telegram_api_base_url=telegram.url,
        telegram_interim_seconds=5.0,
        outbox_poll_seconds=0.02,
        outbox_backoff_seconds=60.0,
        channel_drain_seconds=5.0,
    )
    values.update(overrides)
    return Settings(**values)


@dataclass
class Running:
    app: Any
    client: httpx.AsyncClient
    settings: Settings

    @property
    def runtime(self) -> Any:
        return self.app.state.channels

    @property
    def outbox(self) -> Any:
        return self.app.state.outbox

    async def sms(self, number: str, body: str, sid: str | None = None, token: str = tw.AUTH_TOKEN,
                  path: str = "/webhooks/twilio", **extra: str) -> httpx.Response:
        """Post an SMS to the webhook, signed like Twilio (over the public address)."""
        params = tw.inbound_params(number, body, sid, **extra)
        content, headers = tw.signed_request(PUBLIC + path, params, token)
        return await self.client.post(path, content=content, headers=headers)

    async def telegram(self, update: dict[str, Any] | bytes, secret: str | None = TELEGRAM_SECRET) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        content = update if isinstance(update, bytes) else httpx.Request("POST", "/", json=update).content
        return await self.client.post("/webhooks/telegram", content=content, headers=headers)

    async def db(self, work: Any, *args: Any) -> Any:
        return await self.app.state.db.run(work, *args)

    async def conversations(self) -> list[Conversation]:
        return await self.db(lambda s: list(s.exec(select(Conversation)).all()))

    async def outbox_rows(self) -> list[OutboxMessage]:
        return await self.db(lambda s: list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()))

    async def settled_outbox(self, timeout: float = 10.0) -> list[OutboxMessage]:
        """The outbox rows once none is pending any more (the worker recorded every outcome)."""
        rows: list[OutboxMessage] = []

        async def settled() -> bool:
            nonlocal rows
            rows = await self.outbox_rows()
            return all(row.status != "pending" for row in rows)

        deadline = asyncio.get_running_loop().time() + timeout
        while not await settled():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("outbox rows still pending")
            await asyncio.sleep(0.01)
        return rows


@asynccontextmanager
async def running(settings: Settings, rasa: FakeRasa) -> AsyncIterator[Running]:
    """The API with its lifespan (migrations, outbox worker), called in-process like through a proxy."""
    app = create_app(settings, rasa_transport=rasa.transport)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=INTERNAL) as client:
            yield Running(app, client, settings)


def twiml_messages(response: httpx.Response) -> list[str]:
    """The texts of the <Message> elements of a TwiML answer."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.text)
    assert root.tag == "Response"
    return [element.text or "" for element in root.iter("Message")]
