"""A local stand-in for the Telegram Bot API (`/bot<token>/<method>`), and builders of Update JSON.

    telegram = FakeTelegram().start()   # settings: TELEGRAM_API_BASE_URL=telegram.url
    telegram.calls("sendMessage")       # what the bot sent
    telegram.fail_next("sendMessage", 429, retry_after=7)
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from tests.fakes.http import LocalServer, json_response, wait_until

BOT_TOKEN = "123456:TEST-token_for-the-stand-in"
_update_ids = itertools.count(1000)


def message_update(chat_id: int, text: str | None, update_id: int | None = None, chat_type: str = "private",
                   **message: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": next(_update_ids), "date": int(time.time()),
                            "chat": {"id": chat_id, "type": chat_type, "first_name": "Test"},
                            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"}, **message}
    if text is not None:
        body["text"] = text
    return {"update_id": update_id if update_id is not None else next(_update_ids), "message": body}


def callback_update(chat_id: int, data: str, query_id: str = "cbq-1", update_id: int | None = None) -> dict[str, Any]:
    return {"update_id": update_id if update_id is not None else next(_update_ids),
            "callback_query": {
                "id": query_id, "chat_instance": "ci-1", "data": data,
                "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
                "message": {"message_id": 1, "date": int(time.time()), "text": "question",
                            "chat": {"id": chat_id, "type": "private", "first_name": "Test"}}}}


class FakeTelegram:
    """Answers the Bot API methods the assistant uses, recording each call (method, params)."""

    def __init__(self, token: str = BOT_TOKEN):
        self.token = token
        self._calls: list[tuple[str, dict[str, Any]]] = []
        self._failures: dict[str, list[tuple[int, str, int | None]]] = {}
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1)
        self._server = LocalServer(self._handle)

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> FakeTelegram:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def fail_next(self, method: str, status: int, description: str = "stand-in failure",
                  retry_after: int | None = None) -> None:
        with self._lock:
            self._failures.setdefault(method, []).append((status, description, retry_after))

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [params for name, params in self._calls if method is None or name == method]

    def texts(self) -> list[str]:
        return [call["text"] for call in self.calls("sendMessage")]

    async def wait_for(self, method: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        await wait_until(lambda: len(self.calls(method)) >= count, timeout, f"{count} {method} calls")
        return self.calls(method)

    def _handle(self, method: str, path: str, headers: dict[str, str], params: dict[str, Any]):  # noqa: ANN202
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return json_response(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        name = path[len(prefix):]
        params = {k: _decode(v) for k, v in params.items()}
        with self._lock:
            failures = self._failures.get(name)
            if failures:
                status, description, retry_after = failures.pop(0)
                body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
                if retry_after is not None:
                    body["parameters"] = {"retry_after": retry_after}
                return json_response(status, body)
            self._calls.append((name, params))
        if name == "getMe":
            result: Any = {"id": 123456, "is_bot": True, "first_name": "Assistant", "username": "assistant_bot"}
        elif name == "sendMessage":
            result = {"message_id": next(self._message_ids), "date": int(time.time()),
                      "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": params.get("text", "")}
        else:
            result = True
        return json_response(200, {"ok": True, "result": result})


def _decode(value: Any) -> Any:
    """python-telegram-bot sends nested objects (reply_markup, allowed_updates) as JSON strings."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
