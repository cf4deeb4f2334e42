"""Telegram's webhook: `POST /webhooks/telegram` with the Update JSON.

The header X-Telegram-Bot-Api-Secret-Token must equal TELEGRAM_WEBHOOK_SECRET (constant-time; no
secret configured means everything is refused): otherwise 403 and nothing changes. Updates are
deduplicated on update_id (api/gateway/runtime.py). An update that cannot be read still gets 200, so
Telegram does not send it again forever; it is logged without its content and dropped. Every
button press gets its answerCallbackQuery.
"""
from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response

from channels.base import http_error as error, same_secret
from channels.telegram.adapter import TelegramAdapter

log = logging.getLogger(__name__)
router = APIRouter(tags=["telegram"], include_in_schema=False)


@router.post("/webhooks/telegram")
async def telegram_update(request: Request) -> Response:
    """One Update from Telegram."""
    settings = request.app.state.settings
    if not same_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token"), settings.telegram_webhook_secret):
        log.warning("Telegram webhook refused: wrong or missing secret")
        return error(403, "Secret absent ou faux.", "Missing or wrong X-Telegram-Bot-Api-Secret-Token.")
    runtime = request.app.state.channels
    adapter: TelegramAdapter = runtime.adapter("telegram")
    update = adapter.parse(await request.body())
    if update is None:
        log.warning("Telegram update dropped: not a readable Update")
        return Response(status_code=200)
    if update.callback_query is not None:
        await adapter.answer_callback(update.callback_query.id)
    inbound = adapter.normalise(update)
    if inbound is None:
        log.info("Telegram update ignored (not a private message or a known button)")
        return Response(status_code=200)
    if not runtime.ready:
        return error(503, "Telegram n'est pas configuré.", "DATA_ENCRYPTION_KEY is not set.")
    await runtime.receive(adapter, inbound, interim_after=settings.telegram_interim_seconds)
    return Response(status_code=200)
