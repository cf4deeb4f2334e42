"""The agenda and the call-back queue, for the staff API (api/routes/staff.py) and the staff pages
(api/staff/pages.py) alike: what one appointment or call-back shows, reading a handover summary (each
view audited), marking an appointment (a cancellation is told to the person on their own channel).
"""
from __future__ import annotations

from typing import Any

from starlette.datastructures import State

from api.booking.service import BookingError, BookingService
from api.models import Appointment, CallbackRequest
from api.staff.access import StaffDenied, audit, territory_for
from api.staff.accounts import Principal

STATUSES = ("honoured", "missed", "cancelled")


def appointment_view(state: State, row: Appointment) -> dict[str, Any]:
    booking: BookingService = state.booking
    territory = booking.territories.get(row.territory_id)
    place = territory.places.get(row.place_id) if territory else None
    return {
        "id": row.id, "start": row.start.isoformat(), "end": row.end.isoformat(), "status": row.status,
        "territory": row.territory_id, "place": {"id": row.place_id, "name": place.name if place else row.place_id},
        "channel": row.channel, "reference": row.person_id[:6], "reminders": len(row.reminder_ids),
        "summary_shared": row.share_summary and row.summary is not None,
    }


def callback_view(state: State, row: CallbackRequest) -> dict[str, Any]:
    vault = state.channels.vault
    phone = vault.decrypt(row.phone_enc) if row.phone_enc and vault is not None else None
    return {"id": row.id, "territory": row.territory_id, "channel": row.channel, "created_at": row.created_at.isoformat(),
            "preferred_times": row.preferred_times, "phone": phone, "status": row.status,
            "reference": row.person_id[:6]}


async def own_appointment(state: State, principal: Principal, appointment_id: str) -> Appointment:
    """The appointment, if it is in the member's territory (404 / 403 otherwise)."""
    row = await state.booking.appointment(appointment_id)
    if row is None:
        raise StaffDenied(404, "appointment_unknown")
    territory_for(principal, row.territory_id)
    return row


async def read_summary(state: State, principal: Principal, appointment_id: str) -> tuple[Appointment, dict]:
    """The handover summary, for a member allowed to read it; the view is written to the audit log."""
    row = await own_appointment(state, principal, appointment_id)
    if not principal.sees_summaries:
        raise StaffDenied(403, "no_summaries")
    if not row.share_summary or row.summary is None:
        raise StaffDenied(404, "summary_not_shared")
    await state.db.run(audit, principal, "view_summary", row.territory_id, row.id)
    return row, row.summary


async def mark(state: State, principal: Principal, appointment_id: str, status: str) -> tuple[Appointment, bool]:
    """Mark an appointment honoured, missed or cancelled. Cancelling frees the seat, withdraws the
    reminders and tells the person on their channel; returns the row and whether they were told."""
    await own_appointment(state, principal, appointment_id)
    booking: BookingService = state.booking
    try:
        row = await booking.cancel(appointment_id, None, status)
    except BookingError as failure:
        raise StaffDenied(404, "appointment_unknown") from failure
    told = False
    if status == "cancelled":
        await state.reminders.withdraw(row.reminder_ids)
        told = await state.reminders.tell_cancelled_by_team(row, booking.territories.slot(row.slot_id))
    await booking.forget_contact(row.id)
    return row, told


async def callback_done(state: State, principal: Principal, callback_id: str) -> CallbackRequest:
    """« Fait »: the call-back is closed and its number wiped."""
    found = await state.booking.callback(callback_id)
    if found is None:
        raise StaffDenied(404, "callback_unknown")
    territory_for(principal, found.territory_id)
    return await state.booking.callback_done(callback_id)
