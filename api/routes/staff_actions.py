"""Staff API for outreach actions (`../shared/spec/staff.md`): create one (its code, links and SMS
keyword), list them by territory and period, record what was done in person, and print its QR code,
poster and cards.

Every route needs a staff session (401 without); an action of another territory is 403 (admins see
every territory); an unknown code is 404. Refused fields get 422 with a French sentence.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, StrictInt

from api.core.errors import error
from api.models import OutreachAction
from api.staff import actions, posters
from api.staff.access import Staff, StaffDenied, territory_for
from api.staff.accounts import Principal

router = APIRouter(prefix="/api/staff", tags=["staff"])
NOT_KEPT = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class ActionIn(BaseModel):
    """Checked by api/staff/actions.py, each refusal with its own French sentence."""

    territory: str | None = None
    place: str
    date: str = Field(description="YYYY-MM-DD")
    kind: str = Field(description=", ".join(actions.ACTION_KINDS))
    hours: str | None = Field(default=None, description="« 9h-12h »")
    team: list[str] = Field(default_factory=list)


class CountsIn(BaseModel):
    people_met: StrictInt
    rights_checks_on_site: StrictInt


def refused(failure: actions.ActionError) -> Response:
    return error(failure.status, failure.fr, failure.key)


async def own_action(request: Request, principal: Principal, code: str) -> OutreachAction:
    action = await request.app.state.db.run(actions.find, code)
    if action is None:
        raise StaffDenied(404, "action_unknown")
    territory_for(principal, action.territory_id)
    return action


def described(request: Request, action: OutreachAction) -> dict[str, Any]:
    return actions.describe(request.app.state.settings, action)


@router.post("/actions", status_code=201)
async def create_action(request: Request, principal: Staff, body: ActionIn) -> Any:
    """201 with the contract's `code`, `chat_url`, `qr_svg_url`, `poster_url`, `telegram_link`,
    `sms_keyword`, and the stored fields."""
    territory = territory_for(principal, body.territory)
    try:
        draft = actions.check(request.app.state.territories, territory, body.place, body.date, body.kind,
                              body.hours, body.team)
        action = await request.app.state.db.run(actions.create, draft, principal.user_id)
    except actions.ActionError as failure:
        return refused(failure)
    return described(request, action)


@router.get("/actions")
async def list_actions(request: Request, principal: Staff, territory: str | None = None,
                       start: Annotated[date | None, Query(alias="from")] = None,
                       end: Annotated[date | None, Query(alias="to")] = None) -> Any:
    """The actions of a territory (one's own by default; an admin without `territory`: all), latest first."""
    territory = territory_for(principal, territory)
    if start is not None and end is not None and start > end:
        return refused(actions.ActionError("action_period_invalid"))
    rows = await request.app.state.db.run(actions.listing, territory, start, end)
    return {"territory": territory, "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None, "actions": [described(request, row) for row in rows]}


@router.get("/actions/{code}")
async def get_action(request: Request, principal: Staff, code: str) -> dict[str, Any]:
    return described(request, await own_action(request, principal, code))


@router.put("/actions/{code}/counts")
async def set_counts(request: Request, principal: Staff, code: str, body: CountsIn) -> Any:
    """What staff did in person: people met, rights checked on the spot (whole numbers, 0 to 10 000)."""
    await own_action(request, principal, code)
    try:
        action = await request.app.state.db.run(actions.set_counts, code, body.people_met,
                                                body.rights_checks_on_site)
    except actions.ActionError as failure:
        return refused(failure)
    if action is None:
        raise StaffDenied(404, "action_unknown")
    return described(request, action)


@router.get("/actions/{code}/qr.svg")
async def qr_svg(request: Request, principal: Staff, code: str) -> Response:
    action = await own_action(request, principal, code)
    return Response(posters.qr_svg(chat_url(request, action)), media_type="image/svg+xml", headers=NOT_KEPT)


@router.get("/actions/{code}/qr.png")
async def qr_png(request: Request, principal: Staff, code: str) -> Response:
    action = await own_action(request, principal, code)
    return Response(posters.qr_png(chat_url(request, action)), media_type="image/png", headers=NOT_KEPT)


@router.get("/actions/{code}/poster.pdf")
async def poster(request: Request, principal: Staff, code: str) -> Response:
    """The A4 poster: QR code, chat address, SMS keyword, Telegram link, next permanence, phone."""
    return await pdf(request, await own_action(request, principal, code), "poster", posters.poster_pdf)


@router.get("/actions/{code}/cards.pdf")
async def cards(request: Request, principal: Staff, code: str) -> Response:
    """An A4 sheet of 8 cards to hand out, with cut marks."""
    return await pdf(request, await own_action(request, principal, code), "cards", posters.cards_pdf)


def chat_url(request: Request, action: OutreachAction) -> str:
    return actions.links(request.app.state.settings, action)["chat_url"]


async def pdf(request: Request, action: OutreachAction, part: str,
              render: Callable[[posters.Facts], bytes]) -> Response:
    facts = posters.gather(request.app.state.settings, request.app.state.territories, action)
    body = await asyncio.to_thread(render, facts)
    disposition = f'inline; filename="{posters.file_name(part, action.code)}"'
    return Response(body, media_type="application/pdf",
                    headers={**NOT_KEPT, "Content-Disposition": disposition})
