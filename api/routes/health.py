"""Health: `/health` answers as soon as the process runs; `/health/ready` only when it can chat."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["health"])


def _status(request: Request) -> dict[str, str]:
    state = request.app.state
    try:
        with state.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001
        database = "unavailable"
    return {
        "api": "ok",
        "database": database,
        "rasa": "ready" if state.rasa.ready else "starting",
        "eligibility": "ready" if state.eligibility.ready else "loading",
    }


@router.get("/health")
async def health(request: Request) -> dict[str, str]:
    return _status(request)


@router.get("/health/ready")
async def ready(request: Request) -> JSONResponse:
    status = _status(request)
    is_ready = status["database"] == "ok" and status["rasa"] == "ready" and status["eligibility"] == "ready"
    if not is_ready:
        status["message"] = "L'assistant démarre. Réessayez dans une minute."
    return JSONResponse(status, status_code=200 if is_ready else 503)
