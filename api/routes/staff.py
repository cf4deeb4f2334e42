"""Staff API (`../shared/spec/staff.md`): sign in and out, the agenda (appointments of a day or a week,
by place; marked honoured, missed or cancelled), the handover summary (each view is written to the audit
log), the call-back queue. Outreach actions and indicators have their own routers (api/staff/).

Every route needs a staff session (api/staff/access.py): 401 without one, 403 for another territory.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from api.core.errors import error
from api.core.limits import STAFF_LOGINS, too_many
from api.staff import agenda
from api.staff.access import (COOKIE, LoginRefused, Staff, audit_entries, clear_cookie, log_in, role, say,
                              set_cookie, territory_for)
from api.staff.accounts import close_session
from api.staff.agenda import appointment_view, callback_view

router = APIRouter(prefix="/api/staff", tags=["staff"])


class LoginIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class StatusIn(BaseModel):
    status: Literal["honoured", "missed", "cancelled"]


@router.post("/session")
async def sign_in(request: Request, body: LoginIn, response: Response) -> Any:
    """200 and the session cookie; 401, the same answer whether the email exists or not."""
    try:
        user, token = await log_in(request, body.email, body.password)
    except LoginRefused as refused:
        if refused.verdict is not None:
            return too_many(STAFF_LOGINS, refused.verdict)
        return error(401, say("login_failed"), "wrong email or password, or account locked")
    set_cookie(request, response, token)
    return {"email": user.email, "role": user.role, "territory": user.territory_id}


@router.delete("/session")
async def sign_out(request: Request, principal: Staff, response: Response) -> dict[str, bool]:
    await request.app.state.db.run(close_session, request.cookies[COOKIE])
    clear_cookie(response)
    return {"signed_out": True}


@router.get("/me")
async def me(principal: Staff) -> dict[str, Any]:
    return {"email": principal.email, "role": principal.role, "territory": principal.territory_id,
            "summaries": principal.sees_summaries}


@router.get("/appointments")
async def appointments(request: Request, principal: Staff, day: date, territory: str | None = None,
                       place: str | None = None,
                       days: Annotated[int, Query(ge=1, le=31)] = 1) -> dict[str, Any]:
    """The appointments of `days` days from `day` (Paris time), by start; the summary itself is read one
    at a time (`/appointments/{id}/summary`), so that each view is audited."""
    territory = territory_for(principal, territory)
    rows = await request.app.state.booking.appointments_of_day(day.isoformat(), territory, place, days)
    return {"day": day.isoformat(), "days": days,
            "appointments": [appointment_view(request.app.state, row) for row in rows]}


@router.get("/appointments/{appointment_id}/summary")
async def summary(request: Request, principal: Staff, appointment_id: str) -> Any:
    row, shared = await agenda.read_summary(request.app.state, principal, appointment_id)
    return {"appointment": appointment_view(request.app.state, row), "summary": shared}


@router.post("/appointments/{appointment_id}/status")
async def mark(request: Request, principal: Staff, appointment_id: str, body: StatusIn) -> Any:
    row, told = await agenda.mark(request.app.state, principal, appointment_id, body.status)
    return {"appointment": appointment_view(request.app.state, row), "person_told": told}


@router.get("/callbacks")
async def callbacks(request: Request, principal: Staff, territory: str | None = None,
                    status: Annotated[Literal["open", "done"], Query()] = "open") -> dict[str, Any]:
    rows = await request.app.state.booking.callbacks(territory_for(principal, territory), status)
    return {"callbacks": [callback_view(request.app.state, row) for row in rows]}


@router.post("/callbacks/{callback_id}/done")
async def callback_done(request: Request, principal: Staff, callback_id: str) -> Any:
    row = await agenda.callback_done(request.app.state, principal, callback_id)
    return {"callback": callback_view(request.app.state, row)}


@router.get("/audit", dependencies=[role("coordinator")])
async def audit_log(request: Request, principal: Staff, territory: str | None = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Who viewed which summary, newest first: for coordinators (their territory) and admins."""
    rows = await request.app.state.db.run(audit_entries, territory_for(principal, territory), limit)
    return {"entries": [{"at": row.at.isoformat(), "email": row.email, "action": row.action,
                         "territory": row.territory_id, "appointment": row.appointment_id} for row in rows]}
