"""Client of the API, for the action server. Kept out of the action code (one place for URLs,
timeouts and errors)."""
from __future__ import annotations

import os
from typing import Any

import aiohttp

API_URL = os.environ.get("API_URL", "http://127.0.0.1:8000")
# The month to estimate; empty means the current month (set in tests and demos for fixed figures).
ESTIMATE_PERIOD = os.environ.get("ESTIMATE_PERIOD", "")
# An estimate waits for the simulation process (its own timeout is 8 s, then 503); the internal routes
# are database reads and writes. Past these, the action says so instead of holding the turn.
TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("ELIGIBILITY_TIMEOUT_SECONDS", "12")))
INTERNAL_TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("INTERNAL_API_TIMEOUT_SECONDS", "5")))


INTERNAL_TOKEN = os.environ.get("INTERNAL_API_TOKEN", "")


class ApiError(RuntimeError):
    pass


class SlotTaken(ApiError):
    """The chosen slot was booked by someone else in the meantime (409)."""


class Refused(ApiError):
    """The API refused with a sentence meant for the person (422 already_booked, 429 too many): `fr`."""

    def __init__(self, fr: str) -> None:
        super().__init__(fr)
        self.fr = fr


class TownNotCovered(ApiError):
    """The eligibility service does not cover the person's town (an overseas collectivity with its
    own rules): `fr` is its French explanation."""

    def __init__(self, fr: str) -> None:
        super().__init__(fr)
        self.fr = fr


async def _internal(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """Call the API's internal routes (appointments, callbacks), with the internal token."""
    headers = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
    try:
        async with aiohttp.ClientSession(timeout=INTERNAL_TIMEOUT, headers=headers) as session:
            async with session.request(method, f"{API_URL}{path}", **kwargs) as response:
                body = await response.json(content_type=None)
                if response.status == 409:
                    raise SlotTaken(str(body))
                detail = body.get("detail") if isinstance(body, dict) else None
                refused = response.status == 429 or (response.status == 422 and body.get("en") == "already_booked")
                if refused and isinstance(detail, str) and detail:
                    raise Refused(detail)
                if response.status >= 300:
                    raise ApiError(f"{path} answered {response.status}")
                return body or {}
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise ApiError(str(error)) from error


async def territory(commune: str) -> dict[str, Any]:
    return await _internal("GET", "/internal/territory", params={"commune": commune})


async def slots(commune: str, after: str | None = None, limit: int = 3) -> dict[str, Any]:
    params = {"commune": commune, "limit": str(limit)}
    if after:
        params["after"] = after
    return await _internal("GET", "/internal/slots", params=params)


async def book(person_id: str, channel: str, slot_id: str, share_summary: bool,
               phone: str | None, notes: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Book a seat; `notes` (worries, questions) go into the handover summary (the API keeps a
    summary only when it is shared)."""
    body: dict[str, Any] = {"person_id": person_id, "channel": channel, "slot_id": slot_id,
                            "share_summary": share_summary}
    if phone:
        body["phone"] = phone
    if notes:
        body["notes"] = notes
    return (await _internal("POST", "/internal/appointments", json=body))["appointment"]


async def upcoming(person_id: str) -> dict[str, Any] | None:
    return (await _internal("GET", "/internal/appointments/upcoming", params={"person_id": person_id})).get(
        "appointment")


async def cancel(appointment_id: str, person_id: str) -> None:
    await _internal("POST", f"/internal/appointments/{appointment_id}/cancel", json={"person_id": person_id})


async def callback(person_id: str, channel: str, commune: str | None, times: str, phone: str | None) -> None:
    body = {"person_id": person_id, "channel": channel, "commune": commune, "preferred_times": times}
    if phone:
        body["phone"] = phone
    await _internal("POST", "/internal/callbacks", json=body)


async def follow_up(person_id: str, channel: str) -> None:
    await _internal("POST", "/internal/followups", json={"person_id": person_id, "channel": channel})


async def estimate(household: dict[str, Any], conversation: str | None = None) -> dict[str, Any]:
    """POST /api/eligibility (see ../shared/spec/eligibility.md). `conversation` (the pseudonymous
    sender id) goes in the X-Conversation-Id header, to trace a request without personal data."""
    headers = {"X-Conversation-Id": conversation} if conversation else {}
    if INTERNAL_TOKEN:
        headers["Authorization"] = f"Bearer {INTERNAL_TOKEN}"   # the action server is not limited per address
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            body = {**household, "period": ESTIMATE_PERIOD} if ESTIMATE_PERIOD else household
            async with session.post(f"{API_URL}/api/eligibility", json=body, headers=headers) as response:
                body = await response.json(content_type=None)
                fields = {e.get("field") for e in (body or {}).get("errors") or []} if response.status == 422 else set()
                if fields == {"commune"}:
                    raise TownNotCovered(str(((body or {}).get("detail") or {}).get("fr") or ""))
                if response.status != 200:   # the fields only: a 422 body may echo amounts
                    raise ApiError(f"eligibility answered {response.status} (fields: {sorted(map(str, fields))})")
                return body
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise ApiError(str(error)) from error
