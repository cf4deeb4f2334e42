"""Health: `/health` answers as soon as the process runs; `/health/ready` only when it can chat.

The database is checked with `SELECT 1` in a worker thread, within DATABASE_TIMEOUT_SECONDS: a hung
database never blocks the event loop nor this answer. `/health/ready` is what compose and a load
balancer use: ready once the database answers and Rasa and the simulation process have started.
A part that fails later (`"rasa": "down"`, an open breaker) does not make the API unready: it still
answers every channel (the fault message) and keeps SMS and Telegram messages to answer them later.
With several Rasa replicas (RASA_URLS), `rasa` is "ready" while one of them is, `breakers.rasa` is
"closed" while one replica's breaker is, and `rasa_replicas` gives each one: its index in RASA_URLS
(not its internal URL: /health is public), status (ready, down, starting) and breaker.
"""
from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlmodel import Session

router = APIRouter(tags=["health"])


def _ping(session: Session) -> None:
    session.execute(text("SELECT 1"))


async def _database(request: Request) -> str:
    state = request.app.state
    try:
        await asyncio.wait_for(state.db.run(_ping), timeout=state.settings.database_timeout_seconds)
        return "ok"
    except Exception:  # noqa: BLE001  (timeout, connection refused...)
        return "unavailable"


async def _status(request: Request) -> dict[str, Any]:
    state = request.app.state
    replicas = state.rasa.status()
    statuses = {replica["status"] for replica in replicas}
    rasa = next(status for status in ("ready", "down", "starting") if status in statuses)
    return {
        "api": "ok",
        "database": await _database(request),
        "rasa": rasa,
        "eligibility": "ready" if state.eligibility.ready else "loading",
        "breakers": {"rasa": state.rasa.breaker_state(), "eligibility": state.breakers.state("eligibility")},
        "rasa_replicas": replicas,
    }


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    return await _status(request)


@router.get("/health/ready")
async def ready(request: Request) -> JSONResponse:
    status = await _status(request)
    started = request.app.state.rasa.was_ready and status["eligibility"] == "ready"
    is_ready = status["database"] == "ok" and started
    if not is_ready:
        status["message"] = ("L'assistant démarre. Réessayez dans une minute." if not started
                             else "La base de données ne répond pas. Réessayez dans une minute.")
    return JSONResponse(status, status_code=200 if is_ready else 503)
