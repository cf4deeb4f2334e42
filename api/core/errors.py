"""Errors as clear French sentences (with an English gloss for developers). Never a bare 500."""
from __future__ import annotations

import logging
import traceback

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def error(status: int, fr: str, en: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": fr, "en": en}, headers=headers)


RASA_STARTING = (
    "L'assistant est en train de démarrer. Réessayez dans une minute, votre message n'est pas perdu.",
    "The assistant is starting; retry in a minute.",
)
UNEXPECTED = ("Un problème technique est survenu. Réessayez dans un instant.", "Unexpected error.")


def log_unexpected(log: logging.Logger, exc: BaseException) -> None:
    """Log an unexpected error by its type and frames, never its message: a database error quotes
    the row it refused (PostgreSQL's DETAIL), others quote an income or a text."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("Unexpected error: %s\n%s", type(exc).__name__, frames)


class UnexpectedErrors:
    """ASGI middleware: an unexpected exception becomes the French 503 here, so that it never reaches
    Starlette's last-resort handler, which re-raises it to the server to be logged with its message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # noqa: BLE001
            log_unexpected(logging.getLogger("api"), exc)
            if not started:
                await error(503, *UNEXPECTED)(scope, receive, send)
