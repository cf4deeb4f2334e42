"""Errors as clear French sentences (with an English gloss for developers). Never a bare 500."""
from __future__ import annotations

from fastapi.responses import JSONResponse


def error(status: int, fr: str, en: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": fr, "en": en}, headers=headers)


RASA_STARTING = (
    "L'assistant est en train de démarrer. Réessayez dans une minute, votre message n'est pas perdu.",
    "The assistant is starting; retry in a minute.",
)
