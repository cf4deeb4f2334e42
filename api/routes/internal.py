"""Internal routes for the action server (never public: the internal token is required).

The action server knows a person only by their pseudonym (Rasa's sender id). For reminders on SMS
or Telegram, the API finds the number or chat id among the addresses of recent inbound messages
(api/core/shared.py); on the web, a phone number is given only when the person asked
for an SMS reminder.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from api import visits
from api.booking.reminders import Reminders
from api.booking.service import (AlreadyBooked, BookingError, BookingService, Reach, SlotFull, paris_day,
                                 place_json)
from api.core.auth import bearer
from api.core.errors import error
from api.core.limits import BOOKINGS, CALLBACKS, RateLimits, too_many
from api.core.phones import sms_number
from api.models import Appointment
from api.territories import Slot



async def not_through_a_proxy(request: Request) -> None:
    """The action server calls the API directly; a request that came through the public proxy
    (which adds X-Forwarded-For) is refused as if the route did not exist (docker/Caddyfile refuses
    /internal/* too: this holds if a path trick slips past it)."""
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        raise HTTPException(status_code=404)


router = APIRouter(prefix="/internal", include_in_schema=False, dependencies=[Depends(not_through_a_proxy)])


Internal = bearer("internal_api_token")


def booking(request: Request) -> BookingService:
    return request.app.state.booking


class BookIn(BaseModel):
    person_id: str = Field(min_length=1, max_length=64)
    channel: str = Field(pattern="^(web|sms|telegram)$")
    slot_id: str = Field(min_length=1, max_length=160)
    share_summary: bool = False
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 .-]{5,19}$")   # a mobile for SMS: api/core/phones.py
    notes: dict[str, list[str]] = Field(default_factory=dict)


class PersonIn(BaseModel):
    person_id: str = Field(min_length=1, max_length=64)
    channel: str | None = Field(default=None, pattern="^(web|sms|telegram)$")


class CallbackIn(BaseModel):
    person_id: str = Field(min_length=1, max_length=64)
    channel: str = Field(pattern="^(web|sms|telegram)$")
    commune: str | None = Field(default=None, max_length=5)
    preferred_times: str = Field(default="dès que possible", max_length=200)
    phone: str | None = Field(default=None, pattern=r"^\+33[1-9]\d{8}$")


def appointment_json(service: BookingService, appointment: Appointment, slot: Slot,
                     reminders: int | None = None) -> dict[str, Any]:
    territory = service.territories.get(slot.territory_id)
    body = {"id": appointment.id, "start": slot.start.isoformat(), "end": slot.end.isoformat(),
            "status": appointment.status, "label": slot.label, "place": place_json(slot.place),
            "what_to_bring": list(territory.what_to_bring) if territory else []}
    if reminders is not None:
        body["reminders"] = reminders
    return body


REMINDER_KINDS = ("reminder_48h", "reminder_morning")
PHONE_CONFIRM = "phone_confirm"       # « Répondez OUI pour recevoir les rappels » (outbox kind)


async def reach(request: Request, person_id: str, channel: str, phone: str | None) -> Reach | None:
    """Where to send a reminder: the person's own SMS number or Telegram chat, or the phone given on
    the web (a mobile: see api/core/phones.py). None when there is no way (web without phone, a
    landline, or the address is no longer known)."""
    runtime = request.app.state.channels
    if phone:
        number = sms_number(phone)
        if number is None:
            return None
        return Reach("sms", runtime.conversations.pseudonymiser.pseudonym("sms", number), number)
    if channel in ("sms", "telegram"):
        address = await runtime.address(channel, person_id)
        if address:
            return Reach(channel, person_id, address)
    return None


@router.get("/territory", dependencies=[Internal])
async def territory(request: Request, commune: Annotated[str, Query(max_length=5)] = "") -> dict[str, Any]:
    found = booking(request).territory_for(commune)
    national = " ".join(str(request.app.state.contacts["national"]["text"]).split())
    if found is None:
        return {"territory": None, "contact": national}
    # texts say « ... : {contact}. »: the number first, then when to call, without the final full stop
    when_to_call = " ".join(found.contact.split()).rstrip(". ")
    return {"territory": {"id": found.id, "name": found.name, "phone": found.phone},
            "contact": f"{found.phone}. {when_to_call}"}


@router.get("/slots", dependencies=[Internal])
async def slots(request: Request, commune: Annotated[str, Query(max_length=5)] = "",
                after: str | None = None, limit: Annotated[int, Query(ge=1, le=10)] = 3) -> dict[str, Any]:
    service = booking(request)
    found = service.territory_for(commune)
    if found is None:
        return {"slots": []}
    start = None
    if after:
        try:
            start = datetime.fromisoformat(after.replace("Z", "+00:00"))
        except ValueError:
            return error(422, "La date « after » n'est pas valide.", "after must be an ISO datetime")
        if start.utcoffset() is None:
            return error(422, "La date « after » doit avoir un fuseau horaire.", "after must be aware")
    return {"slots": await service.free_slots(found, start, limit)}


@router.post("/appointments", dependencies=[Internal], status_code=201)
async def book(request: Request, body: BookIn) -> Any:
    """Book a seat. Refused: a second upcoming appointment of the person or of the phone number (422,
    « already_booked »), a burst of bookings from one conversation or one client address (429).
    A phone given on the web gets reminders only once it answers OUI to a confirmation SMS."""
    service = booking(request)
    outbox = request.app.state.outbox
    to = await reach(request, body.person_id, body.channel, body.phone)
    web_phone = body.phone is not None and to is not None
    if web_phone and await outbox.has_waiting("sms", to.person_id, REMINDER_KINDS):
        failure = AlreadyBooked()                                     # that number already has one coming
        return error(422, failure.fr, failure.reason)
    limits: RateLimits = request.app.state.limits
    for identifier in (body.person_id, limits.web_address(body.person_id)):
        verdict = await limits.hit(BOOKINGS, identifier) if identifier else None
        if verdict is not None and not verdict.allowed:
            return too_many(BOOKINGS, verdict)
    try:
        appointment, slot = await service.book(body.person_id, body.channel, body.slot_id, body.share_summary,
                                               body.notes)
    except SlotFull as full:
        return error(409, full.fr, full.reason)
    except BookingError as failure:
        return error(422, failure.fr, failure.reason)
    await request.app.state.db.run(visits.booked, body.channel, body.person_id, slot.territory_id, service.clock())
    reminders: Reminders = request.app.state.reminders
    if to is not None and not appointment.reminder_ids:
        appointment.reminder_ids = await reminders.for_appointment(appointment.id, slot, to, held=web_phone)
        if web_phone and appointment.reminder_ids:
            await reminders.ask_confirmation(to, slot)
    await reminders.withdraw_follow_up(body.channel, body.person_id)   # a booking makes it pointless
    answer = appointment_json(service, appointment, slot, len(appointment.reminder_ids))
    if body.phone is not None:   # added to the answer: the reminders wait for a OUI, or the number is no mobile
        answer["reminder_phone"] = "confirmation_sent" if web_phone else "not_mobile"
    return {"appointment": answer}


@router.get("/appointments/upcoming", dependencies=[Internal])
async def upcoming(request: Request, person_id: Annotated[str, Query(max_length=64)]) -> dict[str, Any]:
    service = booking(request)
    found = await service.upcoming(person_id)
    if found is None:
        return {"appointment": None}
    appointment, slot = found
    return {"appointment": appointment_json(service, appointment, slot)}


@router.post("/appointments/{appointment_id}/cancel", dependencies=[Internal])
async def cancel(request: Request, appointment_id: str, body: PersonIn) -> Any:
    try:
        appointment = await booking(request).cancel(appointment_id, body.person_id)
    except BookingError as failure:
        return error(404, failure.fr, failure.reason)
    await request.app.state.reminders.withdraw(appointment.reminder_ids)
    return {"appointment": {"id": appointment.id, "status": appointment.status}}


@router.post("/callbacks", dependencies=[Internal], status_code=201)
async def callback(request: Request, body: CallbackIn) -> Any:
    service = booking(request)
    found = service.territory_for(body.commune)
    if found is None:
        return error(422, "Il n'y a pas d'équipe pour cette commune.", "commune outside every territory")
    verdict = await request.app.state.limits.hit(CALLBACKS, body.person_id)
    if not verdict.allowed:
        return too_many(CALLBACKS, verdict)
    phone = body.phone
    if phone is None and body.channel == "sms":
        phone = await request.app.state.channels.address("sms", body.person_id)
    vault = request.app.state.channels.vault
    phone_enc = vault.encrypt(phone) if phone and vault is not None else None
    contact_person_id = (request.app.state.conversations.pseudonymiser.pseudonym("sms", phone)
                         if phone and phone_enc is not None else None)
    row = await service.request_callback(body.person_id, body.channel, found, body.preferred_times, phone_enc,
                                         contact_person_id)
    return {"callback": {"id": row.id, "territory": found.id, "phone_known": phone_enc is not None}}


@router.post("/followups", dependencies=[Internal], status_code=202)
async def follow_up(request: Request, body: PersonIn) -> dict[str, Any]:
    """One message 7 days after a result, unless the person books meanwhile. A newer result moves it."""
    service = booking(request)
    channel = body.channel or "web"
    to = await reach(request, body.person_id, channel, None)
    if to is None:
        return {"scheduled": False}
    if await service.upcoming(body.person_id) is not None:
        return {"scheduled": False}
    at = await request.app.state.reminders.follow_up(to)
    if at is None:
        return {"scheduled": False}
    return {"scheduled": True, "at": at.isoformat(), "day": paris_day(at)}
