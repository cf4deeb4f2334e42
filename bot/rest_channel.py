"""Rasa's REST channel (`/webhooks/rest/webhook`, the way the API talks to the bot), refusing a call
without the token: the built-in one takes none, so whoever reached Rasa could talk as any sender.
The token is RASA_AUTH_TOKEN, the one of Rasa's HTTP API, sent as `?token=` (api/rasa_client.py)."""
from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request


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
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def require_token(request: Request) -> Any:
            if not hmac.compare_digest(request.args.get("token", "").encode(), self.token.encode()):
                return response.json({"error": "token required"}, status=401)
            return None

        return webhook
