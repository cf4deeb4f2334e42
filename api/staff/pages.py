"""The staff pages under /staff/: server-rendered HTML (Jinja2 templates in templates/, one stylesheet in
static/), no script, under a strict Content-Security-Policy. They call the same service functions as the
staff API (api/staff/agenda.py, access.py, accounts.py), never the API over HTTP.

- Without a session a page redirects to the login page; a refusal (403, 404) is an HTML page in French.
- Every form of a signed-in member carries the session's CSRF token (`check_csrf`); the login and
  invitation forms, before any session, carry a double-submit token (a cookie and the same hidden field).
- Navigation shows only what the member's role may use; the routes check it again.
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import phonenumbers
from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session, select
from starlette.exceptions import HTTPException

from api.core.errors import log_unexpected
from api.core.limits import STAFF_LOGINS, TOO_MANY
from api.core.security import same_secret
from api.eligibility.explain import euros
from api.models import AuditEntry, OutreachAction, StaffInvite, StaffUser, utcnow
from api.routes.staff_actions import own_action
from api.routes.staff_indicators import BadPeriod, period, territory_asked
from api.staff import actions, agenda, charts, indicators, posters
from api.staff.access import (COOKIE, LoginRefused, Staff, StaffDenied, audit, audit_entries, check_csrf,
                              clear_cookie, log_in, role, same_site, say, set_cookie, territory_for)
from api.staff.accounts import (ROLES, AccountError, Principal, accept_invite, close_session, invite,
                                pending_invite, principal_of)
from api.staff.agenda import appointment_view, callback_view
from channels.web.router import Asset, load_assets
from knowledge import load
from knowledge.french import MONTHS, PARIS, spoken_day, spoken_time
from knowledge.vocabulary import ACTIVITIES, COUPLE_TYPES, HOUSING_STATUSES, INCOMES, UNKNOWN_FIELDS

log = logging.getLogger("api.staff.pages")

HERE = Path(__file__).resolve().parent
WORDS: dict[str, Any] = load("staff")["pages"]
FORM_COOKIE = "tzn_staff_form"
FORM_FOR = 2 * 3600
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` with a form
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
ASSETS: dict[str, Asset] = load_assets(HERE / "static")
COORDINATION = ("coordinator", "admin")
# (key, address, roles that see it; None: everyone)
NAV = [("home", "/staff/", None), ("agenda", "/staff/agenda", None), ("callbacks", "/staff/rappels", None),
       ("actions", "/staff/actions", None), ("dashboard", "/staff/tableau-de-bord", COORDINATION),
       ("team", "/staff/equipe", COORDINATION), ("audit", "/staff/journal", COORDINATION)]


class PageError(Exception):
    """A page that cannot be shown, with the key of its French sentence in `pages.errors`."""

    def __init__(self, status: int, key: str):
        super().__init__(key)
        self.status = status
        self.key = key


# -- French formats, for the templates --------------------------------------------------------------------
def paris(value: datetime | str) -> datetime:
    """A moment in Paris time; a naive one (SQLite keeps no zone) is UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(PARIS)


def french_day(value: date | datetime | str) -> str:
    """« jeudi 3 décembre 2026 »."""
    if isinstance(value, datetime) or (isinstance(value, str) and "T" in value):
        value = paris(value).date()
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{spoken_day(day)} {day.year}"


def french_hour(value: datetime | str) -> str:
    """« 14h », « 9h30 », in Paris time."""
    return spoken_time(paris(value).time())


def french_moment(value: datetime | str | None) -> str:
    """« 3 décembre 2026 à 14h05 »."""
    if value is None:
        return ""
    local = paris(value)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} à {local.hour}h{local.minute:02d}"


def shown_phone(number: str | None) -> str:
    """« 06 12 34 56 78 » for a French number, the international form otherwise."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, "FR")
    except phonenumbers.NumberParseException:
        return number
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 33
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(parsed, style)


def tel_href(number: str | None) -> str:
    return "tel:" + "".join(ch for ch in (number or "") if ch.isdigit() or ch == "+")


def shown_count(value: int | float | str | None) -> str:
    """« 1 234 », « < 5 » as it is; None (euros hidden for fewer than 5 people) as a dash."""
    if value is None:
        return "–"
    return f"{value:,.0f}".replace(",", "\u202f") if isinstance(value, int | float) else str(value)


def short_day(value: date | str) -> str:
    """« 30 novembre »."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[day.month - 1]}"


def unknown_label(answer: str) -> str:
    """The French name of an answer the person could not give (« rent » → « votre loyer »)."""
    for field in UNKNOWN_FIELDS.values():
        if field.get("question") == answer:
            return str(field["label"])
    return str(INCOMES.get(answer, {}).get("label", answer))


templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
templates.filters.update(day=french_day, hour=french_hour, moment=french_moment, euros=euros, phone=shown_phone,
                         tel=tel_href, count=shown_count, short_day=short_day,
                         unknown_label=unknown_label)
templates.globals.update(words=WORDS, say=say, activities=ACTIVITIES, housing_statuses=HOUSING_STATUSES,
                         couple_types=COUPLE_TYPES)


# -- answers -----------------------------------------------------------------------------------------------
def navigation(principal: Principal | None, path: str) -> list[dict[str, Any]]:
    if principal is None:
        return []
    items = []
    for key, href, roles in NAV:
        if roles is None or principal.role in roles:
            current = path == href if href == "/staff/" else path.startswith(href)
            items.append({"key": key, "href": href, "label": WORDS["nav"][key], "current": current})
    return items


def html(request: Request, template: str, principal: Principal | None = None, status: int = 200,
         **context: Any) -> HTMLResponse:
    note = request.query_params.get("note")
    body = templates.get_template(template).render(
        principal=principal, nav=navigation(principal, request.url.path),
        csrf=principal.csrf if principal else "", note=WORDS["notes"].get(note) if note else None,
        territory_names={t.id: t.name for t in request.app.state.territories.all()},
        territory_options=[(t.id, t.name) for t in request.app.state.territories.all()], **context)
    return HTMLResponse(body, status_code=status, headers={**HEADERS, "Cache-Control": "no-store"})


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return html(request, "error.html", status=status, message=message)


def go(path: str, note: str | None = None) -> RedirectResponse:
    """303 to a page of ours, with a note to show once."""
    if note:
        parts = urlsplit(path)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "note"] + [("note", note)]
        path = f"{parts.path}?{urlencode(query)}"
    return RedirectResponse(path, status_code=303, headers={"Cache-Control": "no-store"})


def local_path(value: str | None, default: str = "/staff/") -> str:
    """`value` if it is an address of the staff pages (never another site), else `default`."""
    if (value and value.startswith("/staff/") and "\\" not in value and "//" not in value
            and all(" " < ch < "\x7f" for ch in value) and not value.startswith("/staff/login")):
        return value
    return default


class PageRoute(APIRoute):
    """Answers of the pages: no session → the login page; a refusal or an error → a French HTML page
    (never the JSON of the API, never a 500)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except StaffDenied as denied:
                if denied.status_code == 401:
                    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    target = "/staff/login" + (f"?next={quote(back, safe='')}" if request.method == "GET" else "")
                    return RedirectResponse(target, status_code=303)
                return error_page(request, denied.status_code, str(denied.detail))
            except PageError as refused:
                return error_page(request, refused.status, WORDS["errors"][refused.key])
            except RequestValidationError:
                return error_page(request, 400, WORDS["errors"]["invalid"])
            except HTTPException as exc:
                key = "not_found" if exc.status_code == 404 else "invalid"
                return error_page(request, exc.status_code if exc.status_code < 500 else 400, WORDS["errors"][key])
            except Exception as exc:  # noqa: BLE001
                log_unexpected(log, exc)
                return error_page(request, 503, WORDS["errors"]["unexpected"])

        return page


router = APIRouter(prefix="/staff", include_in_schema=False, route_class=PageRoute)


async def posted(request: Request, principal: Principal) -> dict[str, str]:
    """The fields of a form a member sent, once its CSRF token is checked (403 otherwise)."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    check_csrf(principal, fields.get("csrf"))
    return fields


def today(request: Request) -> date:
    return paris(request.app.state.booking.clock()).date()


def chosen_territory(principal: Principal, value: str | None) -> str | None:
    """The territory a page is about: one's own, or for an admin the one chosen (None: all)."""
    return territory_for(principal, value or None)


# -- before a session: login, invitation ------------------------------------------------------------------
def form_token(request: Request, response: Response) -> str:
    """A double-submit token for a form shown before any session: in a cookie and in the form."""
    token = secrets.token_urlsafe(24)
    response.set_cookie(FORM_COOKIE, token, max_age=FORM_FOR, httponly=True, samesite="strict", path="/staff",
                        secure=request.app.state.settings.public_base_url.startswith("https://"))
    return token


def with_form_token(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    holder = Response()
    token = form_token(request, holder)
    response = html(request, template, status=status, form_token=token, **context)
    response.headers.append("set-cookie", holder.headers["set-cookie"])
    return response


async def pre_session_form(request: Request) -> tuple[dict[str, str], bool]:
    """The fields of a login or invitation form, and whether its double-submit token is right."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    fresh = same_site(request) and same_secret(fields.get("form_token"), request.cookies.get(FORM_COOKIE))
    return fields, fresh


async def current(request: Request) -> Principal | None:
    token = request.cookies.get(COOKIE)
    return await request.app.state.db.run(principal_of, token) if token else None


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:  # noqa: A002
    if await current(request) is not None:
        return go(local_path(next))
    return with_form_token(request, "login.html", email="", next=local_path(next, ""), errors={})


@router.post("/login")
async def login(request: Request) -> Response:
    fields, fresh = await pre_session_form(request)
    email, password = fields.get("email", "").strip()[:254], fields.get("password", "")[:1024]
    again = {"email": email, "next": local_path(fields.get("next"), "")}
    if not fresh:
        return with_form_token(request, "login.html", 403, errors={"form": WORDS["errors"]["form_expired"]}, **again)
    if not email or not password:
        return with_form_token(request, "login.html", 422, errors={"form": WORDS["errors"]["login_fields"]},
                               **again)
    try:
        _, token = await log_in(request, email, password)
    except LoginRefused as refused:
        if refused.verdict is not None:
            response = with_form_token(request, "login.html", 429, errors={"form": TOO_MANY[STAFF_LOGINS][0]},
                                       **again)
            response.headers["Retry-After"] = str(refused.verdict.retry_after)
            return response
        return with_form_token(request, "login.html", 401, errors={"form": say("login_failed")}, **again)
    response = go(local_path(fields.get("next")))
    set_cookie(request, response, token)
    response.delete_cookie(FORM_COOKIE, path="/staff")
    return response


@router.post("/logout")
async def logout(request: Request, principal: Staff) -> Response:
    await posted(request, principal)
    await request.app.state.db.run(close_session, request.cookies[COOKIE])
    response = go("/staff/login", "signed_out")
    clear_cookie(response)
    return response


@router.get("/invitation/{token}")
async def invitation_page(request: Request, token: str) -> Response:
    row = await request.app.state.db.run(pending_invite, token[:100])
    if row is None:
        return error_page(request, 404, say("invite_invalid"))
    return with_form_token(request, "invitation.html", invited=row, token=token, errors={})


@router.post("/invitation/{token}")
async def accept_invitation(request: Request, token: str) -> Response:
    db = request.app.state.db
    row = await db.run(pending_invite, token[:100])
    if row is None:
        return error_page(request, 404, say("invite_invalid"))
    fields, fresh = await pre_session_form(request)
    password = fields.get("password", "")[:1024]
    errors: dict[str, str] = {}
    if not fresh:
        errors["form"] = WORDS["errors"]["form_expired"]
    elif password != fields.get("password_again", ""):
        errors["password_again"] = WORDS["errors"]["password_mismatch"]
    else:
        known = {t.id for t in request.app.state.territories.all()}
        try:
            await db.run(_accept, token, password, known)
        except AccountError as refused:
            if refused.key != "password_too_short":
                return error_page(request, 409, say(refused.key))
            errors["password"] = say(refused.key)
    if errors:
        status = 403 if "form" in errors else 422
        return with_form_token(request, "invitation.html", status, invited=row, token=token, errors=errors)
    return go("/staff/login", "account_ready")


def _accept(session: Session, token: str, password: str, known: set[str]) -> None:
    user = accept_invite(session, token, password, known)
    session.add(AuditEntry(user_id=user.id, email=user.email, action="invite_accepted",
                           territory_id=user.territory_id))
    session.commit()


# -- today, agenda, summary ---------------------------------------------------------------------------------
@router.get("/")
async def home(request: Request, principal: Staff) -> Response:
    state = request.app.state
    territory = principal.territory_id
    day = today(request)
    rows = await state.booking.appointments_of_day(day.isoformat(), territory, None, 1)
    appointments = [appointment_view(state, row) for row in rows]
    callbacks = await state.booking.callbacks(territory, "open")
    coming = await state.db.run(actions.listing, territory, day, day + timedelta(days=14))
    return html(request, "home.html", principal, day=day, appointments=appointments,
                to_come=[a for a in appointments if a["status"] == "booked"], callbacks=len(callbacks),
                oldest_callback=callbacks[0].created_at if callbacks else None, actions=coming[::-1][:3])


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/agenda")
async def agenda_page(request: Request, principal: Staff, day: str | None = None, view: str = "day",
                      place: str | None = None, territory: str | None = None) -> Response:
    state = request.app.state
    territory_id = chosen_territory(principal, territory)
    chosen = parse_day(day)
    first = chosen or today(request)
    days = 7 if view == "week" else 1
    if days == 7:
        first -= timedelta(days=first.weekday())
    known = state.territories.get(territory_id) if territory_id else None
    places = sorted(known.places.values(), key=lambda p: p.name) if known else []
    place = place if place in {p.id for p in places} else None
    rows = await state.booking.appointments_of_day(first.isoformat(), territory_id, place, days)
    shown: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for row in rows:
        item = appointment_view(state, row)
        local_day = paris(row.start).date().isoformat()
        shown.setdefault(local_day, {}).setdefault(item["place"]["name"], []).append(item)
    here = {"day": first.isoformat(), "view": "week" if days == 7 else "day", "place": place or "",
            "territory": territory_id or ""}
    step = timedelta(days=days)

    def link(**change: str) -> str:
        return "/staff/agenda?" + urlencode({k: v for k, v in {**here, **change}.items() if v})

    return html(request, "agenda.html", principal, days=shown, first=first, last=first + step - timedelta(days=1),
                here=here, places=places, back=link(),
                day_invalid=day is not None and chosen is None,
                previous=link(day=(first - step).isoformat()), following=link(day=(first + step).isoformat()),
                other_view=link(view="day" if days == 7 else "week"))


@router.post("/agenda/{appointment_id}/statut")
async def mark_appointment(request: Request, principal: Staff, appointment_id: str) -> Response:
    fields = await posted(request, principal)
    status, back = fields.get("status", ""), local_path(fields.get("back"), "/staff/agenda")
    if status not in agenda.STATUSES:
        raise PageError(400, "invalid")
    state = request.app.state
    if status == "cancelled" and fields.get("confirm") != "yes":
        row = await agenda.own_appointment(state, principal, appointment_id)
        return html(request, "cancel.html", principal, appointment=appointment_view(state, row), back=back)
    _, told = await agenda.mark(state, principal, appointment_id, status)
    note = f"marked_{status}" + (("_told" if told else "_untold") if status == "cancelled" else "")
    return go(back, note)


@router.post("/agenda/{appointment_id}/resume")
async def summary_page(request: Request, principal: Staff, appointment_id: str) -> Response:
    fields = await posted(request, principal)
    state = request.app.state
    row, summary = await agenda.read_summary(state, principal, appointment_id)
    names = {b["id"]: benefit_name(state, b["id"]) for b in summary.get("benefits") or []}
    return html(request, "summary.html", principal, appointment=appointment_view(state, row), summary=summary,
                names=names,
                back=local_path(fields.get("back"), "/staff/agenda"))


# -- call-backs -----------------------------------------------------------------------------------------------
@router.get("/rappels")
async def callbacks_page(request: Request, principal: Staff, territory: str | None = None) -> Response:
    state = request.app.state
    territory_id = chosen_territory(principal, territory)
    rows = await state.booking.callbacks(territory_id, "open")
    back = "/staff/rappels" + (f"?{urlencode({'territory': territory_id})}" if territory_id and principal.is_admin
                               else "")
    return html(request, "callbacks.html", principal, callbacks=[callback_view(state, row) for row in rows],
                territory=territory_id or "", territories=state.territories.all(), back=back)


@router.post("/rappels/{callback_id}/fait")
async def callback_done(request: Request, principal: Staff, callback_id: str) -> Response:
    fields = await posted(request, principal)
    await agenda.callback_done(request.app.state, principal, callback_id)
    return go(local_path(fields.get("back"), "/staff/rappels"), "callback_done")


# -- outreach actions -------------------------------------------------------------------------------------------
ACTION_FIELDS = {"action_territory_missing": "territory", "territory_unknown": "territory",
                 "action_place_invalid": "place", "action_date_invalid": "day", "action_date_out_of_range": "day",
                 "action_kind_invalid": "kind", "action_hours_invalid": "hours", "action_team_invalid": "team"}
COUNTS = ("people_met", "rights_checks_on_site")


def action_refused(refused: actions.ActionError) -> dict[str, str]:
    """The error of a refused action, under the name of the field it is about."""
    return {ACTION_FIELDS.get(refused.key, "form"): refused.fr}


@router.get("/actions")
async def actions_page(request: Request, principal: Staff, territory: str | None = None) -> Response:
    state = request.app.state
    territory_id = chosen_territory(principal, territory)
    listed = await state.db.run(actions.listing, territory_id)
    day = today(request)
    return html(request, "actions.html", principal, territory=territory_id or "", territories=state.territories.all(),
                coming=[a for a in listed if a.day >= day][::-1], past=[a for a in listed if a.day < day])


async def new_action_page(request: Request, principal: Principal, status: int = 200,
                          draft: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> Response:
    state = request.app.state
    territory_id = (draft or {}).get("territory") or principal.territory_id or ""
    known = state.territories.get(territory_id)
    draft = draft or {"territory": territory_id, "place": "", "day": today(request).isoformat(), "hours": "",
                      "kind": "marche", "team": ""}
    return html(request, "action_new.html", principal, status, draft=draft, errors=errors or {},
                places=sorted(p.name for p in known.places.values()) if known else [])


@router.get("/actions/nouvelle")
async def action_form(request: Request, principal: Staff) -> Response:
    return await new_action_page(request, principal)


@router.post("/actions")
async def create_action(request: Request, principal: Staff) -> Response:
    fields = await posted(request, principal)
    draft = {name: fields.get(name, "").strip()[:400] for name in ("territory", "place", "day", "hours", "kind", "team")}
    if not principal.is_admin:
        draft["territory"] = principal.territory_id or ""
    state = request.app.state
    try:
        territory_for(principal, draft["territory"] or None)
        checked = actions.check(state.territories, draft["territory"] or None, draft["place"], draft["day"],
                                draft["kind"], draft["hours"], draft["team"].split(","), today=today(request))
        made = await state.db.run(actions.create, checked, principal.user_id)
    except actions.ActionError as refused:
        return await new_action_page(request, principal, refused.status, draft, action_refused(refused))
    return go(f"/staff/actions/{made.code}", "action_created")


async def action_detail(request: Request, principal: Principal, action: OutreachAction, status: int = 200,
                        counts: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> Response:
    settings = request.app.state.settings
    counts = counts or {name: "" if getattr(action, name) is None else str(getattr(action, name)) for name in COUNTS}
    return html(request, "action.html", principal, status, action=action, links=actions.links(settings, action),
                own=f"/api/staff/actions/{action.code}", sms_number=posters.sms_number(settings),
                files={part: posters.file_name(part, action.code) for part in ("poster", "cards")},
                telegram=bool(settings.telegram_bot_token), counts=counts, errors=errors or {})


@router.get("/actions/{code}")
async def action_page(request: Request, principal: Staff, code: str) -> Response:
    return await action_detail(request, principal, await own_action(request, principal, code))


@router.post("/actions/{code}/chiffres")
async def action_counts(request: Request, principal: Staff, code: str) -> Response:
    fields = await posted(request, principal)
    action = await own_action(request, principal, code)
    given = {name: fields.get(name, "").strip()[:12] for name in COUNTS}
    numbers: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name in COUNTS:
        try:
            numbers[name] = int(given[name])
            actions.check_counts(numbers[name], 0)
        except (ValueError, actions.ActionError):
            errors[name] = say("action_counts_invalid")
    if errors:
        return await action_detail(request, principal, action, 422, given, errors)
    await request.app.state.db.run(actions.set_counts, code, numbers["people_met"], numbers["rights_checks_on_site"])
    return go(f"/staff/actions/{code}", "counts_saved")


# -- dashboard ---------------------------------------------------------------------------------------------------
def benefit_name(state: Any, benefit_id: str) -> str:
    known = load("benefits").get(benefit_id)
    if known:
        return known["name"]
    for territory in state.territories.all():
        for aid in territory.local_aids:
            if aid.id == benefit_id:
                return aid.title
    return benefit_id


def month_name(label: str) -> str:
    """« 2026-11 » → « novembre 2026 »."""
    year, month = label.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def topic_name(key: str) -> str:
    return WORDS["life_events"].get(key) or load("handover")["worries"].get(key) or key


def default_period(day: date) -> tuple[date, date]:
    """The last six months: from the first day of the month five months back, to today."""
    first = day.replace(day=1)
    for _ in range(5):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, day


@router.get("/tableau-de-bord", dependencies=[role("coordinator")])
async def dashboard(request: Request, principal: Staff, territory: str | None = None) -> Response:
    state = request.app.state
    chosen = territory_asked(request, principal, territory or None)
    start, end = default_period(today(request))
    asked = {"from": request.query_params.get("from") or start.isoformat(),
             "to": request.query_params.get("to") or end.isoformat()}
    try:
        start, end = period(asked["from"], asked["to"])
    except BadPeriod as bad:
        field = "to" if bad.key == "period_reversed" else "from"
        return html(request, "dashboard.html", principal, 422, territory=chosen or "", period=asked, figures=None,
                    errors={field: say(bad.key)})

    def compute(session: Session) -> tuple[dict, dict, dict]:
        return (indicators.figures(session, chosen, start, end), indicators.series(session, chosen, start, end),
                indicators.follow_up(session, chosen, start, end))

    figures, series, follow_up = await state.db.run(compute)
    months = [(month_name(m["month"]), m["conversations"]["total"], m["screenings"], m["appointments"]["booked"])
              for m in series["months"]]
    channels = [(WORDS["channels"].get(key, key), value) for key, value in figures["conversations"]["by_channel"].items()]
    benefits = [(benefit_name(state, b["id"]), b["people"], b["monthly_euros"]) for b in figures["benefits"]]
    sources = list(figures["conversations"]["by_source"].items())
    topics = [(topic_name(key), value) for kind in ("life_events", "doubts") for key, value in figures[kind].items()]
    csv = "/api/staff/indicators?" + urlencode({**({"territory": chosen} if chosen else {}), "from": start.isoformat(),
                                                "to": end.isoformat(), "format": "csv"})
    return html(request, "dashboard.html", principal, territory=chosen or "", errors={},
                period={"from": start.isoformat(), "to": end.isoformat()}, figures=figures, follow_up=follow_up,
                csv=csv, by_month=charts.bars([(m[0], m[1]) for m in months]), month_rows=months,
                by_channel=charts.bars(channels), channel_rows=channels,
                by_benefit=charts.bars([(b[0], b[1]) for b in benefits]), benefit_rows=benefits,
                by_source=charts.bars(sources), source_rows=sources, topic_rows=topics)


# -- team, invitations, audit log -----------------------------------------------------------------------------
INVITE_FIELDS = {"email_invalid": "email", "email_taken": "email", "role_invalid": "role",
                 "territory_required": "territory", "territory_unknown": "territory"}


def _team(session: Session, territory_id: str | None) -> tuple[list[StaffUser], list[StaffInvite]]:
    users = select(StaffUser).order_by(StaffUser.territory_id, StaffUser.email)
    invites = select(StaffInvite).where(StaffInvite.used_at.is_(None), StaffInvite.expires_at > utcnow()) \
        .order_by(StaffInvite.created_at.desc())
    if territory_id is not None:
        users = users.where(StaffUser.territory_id == territory_id)
        invites = invites.where(StaffInvite.territory_id == territory_id)
    return list(session.exec(users).all()), list(session.exec(invites).all())


async def team_page(request: Request, principal: Principal, status: int = 200, **context: Any) -> Response:
    state = request.app.state
    territory_id = chosen_territory(principal, request.query_params.get("territory"))
    users, invites = await state.db.run(_team, territory_id)
    roles = [(r, WORDS["roles"][r]) for r in (ROLES if principal.is_admin else ("agent", "coordinator"))]
    defaults = {"errors": {}, "invited": None, "link": None,
                "draft": {"email": "", "role": "agent", "territory": principal.territory_id or "", "volunteer": ""}}
    return html(request, "team.html", principal, status, users=users, invites=invites, role_options=roles,
                territory=territory_id or "", territories=state.territories.all(), now=utcnow(),
                **{**defaults, **context})


@router.get("/equipe", dependencies=[role("coordinator")])
async def team(request: Request, principal: Staff) -> Response:
    return await team_page(request, principal)


@router.post("/equipe/invitations", dependencies=[role("coordinator")])
async def invite_someone(request: Request, principal: Staff) -> Response:
    fields = await posted(request, principal)
    draft = {"email": fields.get("email", "").strip()[:254], "role": fields.get("role", ""),
             "territory": fields.get("territory", "") if principal.is_admin else principal.territory_id or "",
             "volunteer": fields.get("volunteer", "")}
    if not principal.is_admin and draft["role"] not in ("agent", "coordinator"):
        return await team_page(request, principal, 422, draft=draft,
                               errors={"role": WORDS["errors"]["invite_role"]})
    state = request.app.state
    known = {t.id for t in state.territories.all()}

    def write(session: Session) -> str:
        token = invite(session, draft["email"], draft["role"], draft["territory"] or None, known,
                       created_by=principal.user_id, summaries=not draft["volunteer"])
        audit(session, principal, "invite", None if draft["role"] == "admin" else draft["territory"])
        return token

    try:
        token = await state.db.run(write)
    except AccountError as refused:
        field = INVITE_FIELDS.get(refused.key, "email")
        return await team_page(request, principal, 422, draft=draft, errors={field: say(refused.key)})
    link = f"{state.settings.public_base_url.rstrip('/')}/staff/invitation/{token}"
    return await team_page(request, principal, 201, invited=draft, link=link)


@router.get("/journal", dependencies=[role("coordinator")])
async def audit_page(request: Request, principal: Staff, territory: str | None = None) -> Response:
    state = request.app.state
    territory_id = chosen_territory(principal, territory)
    entries = await state.db.run(audit_entries, territory_id, 200)
    return html(request, "audit.html", principal, entries=entries, territory=territory_id or "",
                territories=state.territories.all())


# -- the stylesheet ---------------------------------------------------------------------------------------------
@router.api_route("/static/{name}", methods=["GET", "HEAD"])
async def static(request: Request, name: str) -> Response:
    if name not in ASSETS:
        raise PageError(404, "not_found")
    return ASSETS[name].response(request, HEADERS)
