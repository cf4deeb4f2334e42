"""Rasa's REST channel (`/webhooks/rest/webhook`, the way the API talks to the bot), refusing a call
without the token: the built-in one takes none, so whoever reached Rasa could talk as any sender.
The token is RASA_AUTH_TOKEN, the one of Rasa's HTTP API, sent as `?token=` (api/rasa_client.py).

The built-in channel also logs the person's message text when a turn is cancelled (the API gave up
waiting) or fails; here both are caught first and logged without it: the type and the frames only."""
from __future__ import annotations

import hmac
import logging
import traceback
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

log = logging.getLogger(__name__)


class TokenRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"   # the same webhook path and input channel name as the built-in channel

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("bot/credentials.yml: the REST channel needs a token (RASA_AUTH_TOKEN)")
        self.token = token

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TokenRestInput:
        return cls(str((credentials or {}).get("token") or ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def without_text_in_logs(message: UserMessage) -> Any:
            try:
                return await on_new_message(message)
            except CancelledError:
                log.error("rest channel: turn cancelled (the caller stopped waiting)")
            except Exception as error:  # noqa: BLE001  (logged without its message: it may quote the text)
                frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
                log.error("rest channel: turn failed: %s\n%s", type(error).__name__, frames)
            return None

        webhook = super().blueprint(without_text_in_logs)

        @webhook.middleware("request")
        async def require_token(request: Request) -> Any:
            if not hmac.compare_digest(request.args.get("token", "").encode(), self.token.encode()):
                return response.json({"error": "token required"}, status=401)
            return None

        return webhook
