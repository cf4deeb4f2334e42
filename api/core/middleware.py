"""Request hygiene before any route: bodies over MAX_BODY_BYTES are refused with 413 (by their
Content-Length, or while they stream without one), and text is made safe to pass on.

The whole body (at most MAX_BODY_BYTES) is read here before the route runs, then handed to it
unchanged: a route never parses a body that is too large.
"""
from __future__ import annotations

import re
from typing import Any

from api.core.errors import error

TOO_LARGE = ("Le message est trop long. Envoyez un message plus court.", "Request body too large.")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")   # control characters but newline and tab
_SURROGATE = re.compile(r"[\ud800-\udfff]")          # in a Python str, a surrogate is always a lone one


class BodyLimitMiddleware:
    """Pure ASGI: 413 (French JSON error) for a body larger than `max_bytes`, before the app sees it."""

    def __init__(self, app: Any, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()                   # then the disconnect, when it comes

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: dict[str, Any], receive: Any, send: Any) -> None:
        response = error(413, *TOO_LARGE, headers={"Connection": "close"})
        await response(scope, receive, send)


def _content_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def has_lone_surrogate(value: Any) -> bool:
    """True when a string (or any string inside a JSON value) holds half of a UTF-16 pair, which no
    UTF-8 text can carry (JSON « \\ud800 »)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


def clean_text(text: str) -> str:
    """Text safe to pass on: lone surrogates replaced (U+FFFD), NUL and control characters removed
    (newlines and tabs kept; a Windows line end becomes a newline)."""
    text = _SURROGATE.sub("\ufffd", text)
    return _CONTROL.sub("", text.replace("\r\n", "\n"))
