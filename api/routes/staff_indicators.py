"""The committee's indicators (`../shared/spec/staff.md`, « Indicators »), their monthly series and the
7-day follow-up, from api/staff/indicators.py.

- `/api/staff/indicators` and `/api/staff/indicators/series`: coordinators (their territory) and admins
  (a territory, or every one when none is named); agents get 403.
- `/api/staff/followup`: every staff member, for their territory (admins: as above).
- The period is `from` and `to`, Paris days, both included, at most `MAX_DAYS`: 422 in French otherwise.
- The indicators as CSV with `Accept: text/csv` (or `format=csv`, for a download link).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.core.errors import error
from api.staff import indicators
from api.staff.access import Staff, StaffDenied, role, say, territory_for
from api.staff.accounts import Principal

router = APIRouter(prefix="/api/staff", tags=["staff"])

MAX_DAYS = 731                      # two years, a leap day included
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
From = Annotated[str | None, Query(alias="from", max_length=10, description="first Paris day, YYYY-MM-DD")]
To = Annotated[str | None, Query(alias="to", max_length=10, description="last Paris day, YYYY-MM-DD")]
Territory = Annotated[str | None, Query(max_length=64)]


class BadPeriod(ValueError):
    def __init__(self, key: str, en: str):
        super().__init__(en)
        self.key, self.en = key, en


def period(start: str | None, end: str | None) -> tuple[date, date]:
    if not start or not end:
        raise BadPeriod("period_missing", "from and to are required (YYYY-MM-DD)")
    try:
        if not (DAY.match(start) and DAY.match(end)):
            raise ValueError
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise BadPeriod("period_invalid", "from and to must be real days written YYYY-MM-DD") from None
    if first > last:
        raise BadPeriod("period_reversed", "from must not be after to")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadPeriod("period_too_long", f"a period has at most {MAX_DAYS} days")
    return first, last


def territory_asked(request: Request, principal: Principal, territory: str | None) -> str | None:
    chosen = territory_for(principal, territory)
    if chosen is not None and request.app.state.territories.get(chosen) is None:
        raise StaffDenied(422, "territory_unknown")
    return chosen


async def compute(request: Request, principal: Principal, territory: str | None, start: str | None,
                  end: str | None, work: Callable[..., dict[str, Any]]) -> dict[str, Any] | JSONResponse:
    chosen = territory_asked(request, principal, territory)
    try:
        first, last = period(start, end)
    except BadPeriod as bad:
        return error(422, say(bad.key), bad.en)
    return await request.app.state.db.run(work, chosen, first, last)


def wants_csv(request: Request, as_: str | None) -> bool:
    if as_ is not None:
        return as_ == "csv"
    return "text/csv" in request.headers.get("accept", "").lower()


@router.get("/indicators", dependencies=[role("coordinator")])
async def figures(request: Request, principal: Staff, territory: Territory = None,
                  start: From = None, end: To = None,
                  as_: Annotated[Literal["json", "csv"] | None, Query(alias="format")] = None) -> Any:
    found = await compute(request, principal, territory, start, end, indicators.figures)
    if isinstance(found, Response) or not wants_csv(request, as_):
        return found
    name = f"indicateurs-{found['territory'] or 'tous'}-{found['from']}-{found['to']}.csv"
    return Response(indicators.to_csv(found), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/indicators/series", dependencies=[role("coordinator")])
async def series(request: Request, principal: Staff, territory: Territory = None,
                 start: From = None, end: To = None) -> Any:
    return await compute(request, principal, territory, start, end, indicators.series)


@router.get("/followup")
async def follow_up(request: Request, principal: Staff, territory: Territory = None,
                    start: From = None, end: To = None) -> Any:
    return await compute(request, principal, territory, start, end, indicators.follow_up)
