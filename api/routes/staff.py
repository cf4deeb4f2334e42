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
from sqlmodel import select

from api.booking.service import BookingError, BookingService
from api.core.errors import error
from api.core.limits import STAFF_LOGINS, client_address, too_many
from api.models import Appointment, AuditEntry, CallbackRequest
from api.staff.access import (COOKIE, Staff, StaffDenied, audit, clear_cookie, role, say, set_cookie,
                              territory_for)
from api.staff.accounts import Principal, authenticate, close_session, open_session

router = APIRouter(prefix="/api/staff", tags=["staff"])


def booking(request: Request) -> BookingService:
    return request.app.state.booking


class LoginIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class StatusIn(BaseModel):
    status: Literal["honoured", "missed", "cancelled"]


@router.post("/session")
async def sign_in(request: Request, body: LoginIn, response: Response) -> Any:
    """200 and the session cookie; 401, the same answer whether the email exists or not."""
    limits = request.app.state.limits
    verdict = await limits.hit(STAFF_LOGINS, limits.identifier(STAFF_LOGINS, client_address(request)))
    if not verdict.allowed:
        return too_many(STAFF_LOGINS, verdict)
    db = request.app.state.db
    user = await db.run(authenticate, body.email, body.password)
    if user is None:
        return error(401, say("login_failed"), "wrong email or password, or account locked")
    token, _ = await db.run(open_session, user)
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


def appointment_view(request: Request, row: Appointment) -> dict[str, Any]:
    territory = booking(request).territories.get(row.territory_id)
    place = territory.places.get(row.place_id) if territory else None
    return {
        "id": row.id, "start": row.start.isoformat(), "end": row.end.isoformat(), "status": row.status,
        "territory": row.territory_id, "place": {"id": row.place_id, "name": place.name if place else row.place_id},
        "channel": row.channel, "reference": row.person_id[:6], "reminders": len(row.reminder_ids),
        "summary_shared": row.share_summary and row.summary is not None,
    }


def callback_view(request: Request, row: CallbackRequest) -> dict[str, Any]:
    vault = request.app.state.channels.vault
    phone = vault.decrypt(row.phone_enc) if row.phone_enc and vault is not None else None
    return {"id": row.id, "territory": row.territory_id, "channel": row.channel, "created_at": row.created_at.isoformat(),
            "preferred_times": row.preferred_times, "phone": phone, "status": row.status,
            "reference": row.person_id[:6]}


async def own_appointment(request: Request, principal: Principal, appointment_id: str) -> Appointment:
    row = await booking(request).appointment(appointment_id)
    if row is None:
        raise StaffDenied(404, "appointment_unknown")
    territory_for(principal, row.territory_id)
    return row


@router.get("/appointments")
async def appointments(request: Request, principal: Staff, day: date, territory: str | None = None,
                       place: str | None = None,
                       days: Annotated[int, Query(ge=1, le=31)] = 1) -> dict[str, Any]:
    """The appointments of `days` days from `day` (Paris time), by start; the summary itself is read one
    at a time (`/appointments/{id}/summary`), so that each view is audited."""
    territory = territory_for(principal, territory)
    rows = await booking(request).appointments_of_day(day.isoformat(), territory, place, days)
    return {"day": day.isoformat(), "days": days, "appointments": [appointment_view(request, row) for row in rows]}


@router.get("/appointments/{appointment_id}/summary")
async def summary(request: Request, principal: Staff, appointment_id: str) -> Any:
    row = await own_appointment(request, principal, appointment_id)
    if not principal.sees_summaries:
        raise StaffDenied(403, "no_summaries")
    if not row.share_summary or row.summary is None:
        raise StaffDenied(404, "summary_not_shared")
    await request.app.state.db.run(audit, principal, "view_summary", row.territory_id, row.id)
    return {"appointment": appointment_view(request, row), "summary": row.summary}


@router.post("/appointments/{appointment_id}/status")
async def mark(request: Request, principal: Staff, appointment_id: str, body: StatusIn) -> Any:
    await own_appointment(request, principal, appointment_id)
    try:
        row = await booking(request).cancel(appointment_id, None, body.status)
    except BookingError as failure:
        return error(404, failure.fr, failure.reason)
    told = False
    if body.status == "cancelled":
        reminders = request.app.state.reminders
        await reminders.withdraw(row.reminder_ids)
        told = await reminders.tell_cancelled_by_team(row, booking(request).territories.slot(row.slot_id))
    await booking(request).forget_contact(row.id)
    return {"appointment": appointment_view(request, row), "person_told": told}


@router.get("/callbacks")
async def callbacks(request: Request, principal: Staff, territory: str | None = None,
                    status: Annotated[Literal["open", "done"], Query()] = "open") -> dict[str, Any]:
    rows = await booking(request).callbacks(territory_for(principal, territory), status)
    return {"callbacks": [callback_view(request, row) for row in rows]}


@router.post("/callbacks/{callback_id}/done")
async def callback_done(request: Request, principal: Staff, callback_id: str) -> Any:
    found = await booking(request).callback(callback_id)
    if found is None:
        raise StaffDenied(404, "callback_unknown")
    territory_for(principal, found.territory_id)
    row = await booking(request).callback_done(callback_id)
    return {"callback": callback_view(request, row)}


@router.get("/audit", dependencies=[role("coordinator")])
async def audit_log(request: Request, principal: Staff, territory: str | None = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Who viewed which summary, newest first: for coordinators (their territory) and admins."""
    territory = territory_for(principal, territory)

    def read(session):  # noqa: ANN001, ANN202
        query = select(AuditEntry).order_by(AuditEntry.at.desc()).limit(limit)
        if territory is not None:
            query = query.where(AuditEntry.territory_id == territory)
        return session.exec(query).all()

    rows = await request.app.state.db.run(read)
    return {"entries": [{"at": row.at.isoformat(), "email": row.email, "action": row.action,
                         "territory": row.territory_id, "appointment": row.appointment_id} for row in rows]}
