"""Staff API: the day's appointments per place, marking them honoured, missed or cancelled, and the
call-back queue. Authenticated with the staff token (`Authorization: Bearer $STAFF_TOKEN`) until
staff accounts exist.

The handover summary appears only for appointments whose person said yes to sharing it.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.booking.service import BookingError, BookingService
from api.core.auth import bearer
from api.core.errors import error
from api.models import Appointment, CallbackRequest

router = APIRouter(prefix="/api/staff", tags=["staff"])


Staff = bearer("staff_token")


def booking(request: Request) -> BookingService:
    return request.app.state.booking


class StatusIn(BaseModel):
    status: Literal["honoured", "missed", "cancelled"]


def appointment_view(request: Request, row: Appointment) -> dict[str, Any]:
    territories = booking(request).territories
    territory = territories.get(row.territory_id)
    place = territory.places.get(row.place_id) if territory else None
    return {
        "id": row.id, "start": row.start.isoformat(), "end": row.end.isoformat(), "status": row.status,
        "territory": row.territory_id, "place": {"id": row.place_id, "name": place.name if place else row.place_id},
        "channel": row.channel, "reference": row.person_id[:6],
        "reminders": len(row.reminder_ids),
        "summary_shared": row.share_summary,
        "summary": row.summary if row.share_summary else None,
    }


def callback_view(request: Request, row: CallbackRequest) -> dict[str, Any]:
    vault = request.app.state.channels.vault
    phone = vault.decrypt(row.phone_enc) if row.phone_enc and vault is not None else None
    return {"id": row.id, "territory": row.territory_id, "channel": row.channel, "created_at": row.created_at.isoformat(),
            "preferred_times": row.preferred_times, "phone": phone, "status": row.status,
            "reference": row.person_id[:6]}


@router.get("/appointments", dependencies=[Staff])
async def appointments(request: Request, day: date, territory: str | None = None,
                       place: str | None = None) -> dict[str, Any]:
    """The appointments of one day (Paris time), by place then time."""
    rows = await booking(request).appointments_of_day(day.isoformat(), territory, place)
    return {"day": day.isoformat(), "appointments": [appointment_view(request, row) for row in rows]}


@router.post("/appointments/{appointment_id}/status", dependencies=[Staff])
async def mark(request: Request, appointment_id: str, body: StatusIn) -> Any:
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


@router.get("/callbacks", dependencies=[Staff])
async def callbacks(request: Request, territory: str | None = None,
                    status: Annotated[Literal["open", "done"], Query()] = "open") -> dict[str, Any]:
    rows = await booking(request).callbacks(territory, status)
    return {"callbacks": [callback_view(request, row) for row in rows]}


@router.post("/callbacks/{callback_id}/done", dependencies=[Staff])
async def callback_done(request: Request, callback_id: str) -> Any:
    row = await booking(request).callback_done(callback_id)
    if row is None:
        return error(404, "Cette demande de rappel est introuvable.", "unknown callback")
    return {"callback": callback_view(request, row)}
