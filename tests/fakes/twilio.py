"""A local stand-in for Twilio's REST API (Messages.json), and helpers to sign webhooks like Twilio.

    twilio = FakeTwilio().start()       # settings: TWILIO_API_BASE_URL=twilio.url
    ...                                 # the API sends SMS: twilio.messages
    twilio.fail_next(503)               # the next send gets a 503
    twilio.stop()
"""
from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from tests.fakes.http import LocalServer, json_response, wait_until

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-twilio-auth-token"
FROM_NUMBER = "+33700000001"


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature for a POST of `params` to `url`."""
    return RequestValidator(token).compute_signature(url, params)


def inbound_params(number: str, body: str, sid: str | None = None, **extra: str) -> dict[str, str]:
    """Twilio's form fields for an SMS received from `number`."""
    return {"MessageSid": sid or "SM" + secrets.token_hex(16), "SmsSid": sid or "", "AccountSid": ACCOUNT_SID,
            "From": number, "To": FROM_NUMBER, "Body": body, "NumMedia": "0", "NumSegments": "1",
            "FromCountry": "FR", **extra}


def signed_request(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> tuple[bytes, dict[str, str]]:
    """Body and headers of a webhook request as Twilio sends it."""
    return urlencode(params).encode(), {"Content-Type": "application/x-www-form-urlencoded",
                                         "X-Twilio-Signature": sign(url, params, token)}


class FakeTwilio:
    """Receives `POST /2010-04-01/Accounts/{sid}/Messages.json` and records each message."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN,
                 on_message: Callable[[dict[str, str]], None] | None = None, port: int = 0):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.on_message = on_message
        self.messages: list[dict[str, str]] = []
        self.requests = 0
        self._failures: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server = LocalServer(self._handle, port)

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> FakeTwilio:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def fail_next(self, status: int = 503, times: int = 1, code: int | None = None,
                  headers: dict[str, str] | None = None) -> None:
        """The next `times` sends get this HTTP status (with Twilio's error `code` in the body)."""
        with self._lock:
            body = {"code": code or status, "message": "stand-in failure", "status": status}
            self._failures.extend([(status, body, headers or {})] * times)

    def bodies(self, to: str | None = None) -> list[str]:
        with self._lock:
            return [m["Body"] for m in self.messages if to is None or m["To"] == to]

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, str]]:
        await wait_until(lambda: len(self.messages) >= count, timeout, f"{count} SMS at the stand-in")
        with self._lock:
            return list(self.messages)

    def _handle(self, method: str, path: str, headers: dict[str, str], params: dict[str, Any]):  # noqa: ANN202
        expected = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        if method != "POST" or path != expected:
            return json_response(404, {"code": 20404, "message": "not found"})
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if headers.get("Authorization") != f"Basic {credentials}":
            return json_response(401, {"code": 20003, "message": "Authenticate"})
        with self._lock:
            self.requests += 1
            if self._failures:
                status, body, extra = self._failures.pop(0)
                return json_response(status, body, extra)
            sid = "SM" + secrets.token_hex(16)
            message = {"sid": sid, **{k: str(v) for k, v in params.items()}}
            self.messages.append(message)
        if self.on_message:
            self.on_message(message)
        return json_response(201, {"sid": sid, "status": "queued", "to": params.get("To"),
                                   "from": params.get("From"), "body": params.get("Body")})
