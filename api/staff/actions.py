"""Outreach actions (actions d'aller-vers): a place, a day, a team. Each has a `code`, the source of the
conversations it brings (QR code and /c/<code>, Telegram /start <code>), and an SMS `keyword` easy to
type on a basic phone. Staff record afterwards what they did in person (the counts).

No FastAPI here: the routes (api/routes/staff_actions.py) and the staff pages call these functions;
a refused field is an ActionError naming its French sentence in knowledge/staff/messages.yml.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.core.config import Settings
from api.core.middleware import clean_text
from api.models import ACTION_KINDS, OutreachAction
from api.territories import Territories
from knowledge import load
from knowledge.french import PARIS, spoken_time

CODE = re.compile(r"^[a-z0-9-]{3,32}$")
KEYWORD = re.compile(r"^[A-Z0-9]{3,16}$")
KEYWORD_PREFIX = "DROITS"
SAFE = "abcdefghjkmnpqrstuvwxyz23456789"   # no i, l, o, 0, 1: nothing to mix up when typed from a poster
SLUG_MAX = 24
SUFFIXES = (3, 3, 3, 3, 4, 4, 4, 4)       # one attempt each; longer once the short ones keep colliding
MAX_PLACE, MAX_TEAM, MAX_NAME, MAX_COUNT = 200, 12, 80, 10_000
DAYS_AROUND = 366                          # an action is dated within a year of today
LISTED_AT_MOST = 500
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HOURS = re.compile(r"^(\d{1,2})\s*[hH:]\s*(\d{2})?\s*(?:-|–|à|a)\s*(\d{1,2})\s*[hH:]\s*(\d{2})?$")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss"})


class ActionError(ValueError):
    """A refused request: `key` names its sentence in knowledge/staff/messages.yml."""

    def __init__(self, key: str, status: int = 422, **values: str):
        super().__init__(key)
        self.key = key
        self.status = status
        self.values = values

    @property
    def fr(self) -> str:
        return " ".join(str(load("staff")[self.key]).split()).format(**self.values)


@dataclass(frozen=True)
class Draft:
    """An action's fields once checked, before it has a code."""

    territory_id: str
    place: str
    day: date
    kind: str
    hours: str | None = None
    team: list[str] = field(default_factory=list)


def paris_today() -> date:
    return datetime.now(PARIS).date()


def check(territories: Territories, territory_id: str | None, place: str, day: date | str, kind: str,
          hours: str | None = None, team: list[str] | None = None, today: date | None = None) -> Draft:
    """The fields of a new action, checked and tidied (ActionError otherwise)."""
    if not territory_id:
        raise ActionError("action_territory_missing")
    if territories.get(territory_id) is None:
        raise ActionError("territory_unknown")
    place = " ".join(clean_text(place or "").split())
    if not place or len(place) > MAX_PLACE:
        raise ActionError("action_place_invalid")
    if kind not in ACTION_KINDS:
        raise ActionError("action_kind_invalid", kinds=", ".join(ACTION_KINDS))
    day = parse_day(day)
    if abs((day - (today or paris_today())).days) > DAYS_AROUND:
        raise ActionError("action_date_out_of_range")
    return Draft(territory_id, place, day, kind, tidy_hours(hours), tidy_team(team or []))


def parse_day(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        if ISO_DATE.match(value or ""):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ActionError("action_date_invalid")


def tidy_hours(hours: str | None) -> str | None:
    """« 9h-12h », « 14H30 à 17h » or « 9:00 - 12:00 » as « 9h-12h », « 14h30-17h »; None when empty."""
    text = " ".join(clean_text(hours or "").split())
    if not text:
        return None
    match = HOURS.match(text)
    if match is None:
        raise ActionError("action_hours_invalid")
    try:
        start, end = time(int(match[1]), int(match[2] or 0)), time(int(match[3]), int(match[4] or 0))
    except ValueError:                      # 25h, 9h75
        raise ActionError("action_hours_invalid") from None
    if start >= end:
        raise ActionError("action_hours_invalid")
    return f"{spoken_time(start)}-{spoken_time(end)}"


def tidy_team(team: list[str]) -> list[str]:
    names = [" ".join(clean_text(name).split()) for name in team]
    names = [name for name in names if name]
    if len(names) > MAX_TEAM or any(len(name) > MAX_NAME for name in names):
        raise ActionError("action_team_invalid")
    return names


def check_counts(people_met: int, rights_checks_on_site: int) -> tuple[int, int]:
    counts = (people_met, rights_checks_on_site)
    if any(isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_COUNT for n in counts):
        raise ActionError("action_counts_invalid")
    return counts


# -- codes ------------------------------------------------------------------------------------------
def ascii_words(text: str) -> list[str]:
    """The words of a text in ASCII letters and digits: « Cœur d’Émile » → Coeur, d, Emile."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return re.findall(r"[A-Za-z0-9]+", "".join(c for c in decomposed if not unicodedata.combining(c)))


def slug(text: str, limit: int = SLUG_MAX) -> str:
    """« Marché de Saint-Max » → « marche-de-saint-max »: ASCII words but lone letters (the « d » of
    « d’Émile »), cut between words."""
    words = [word.lower() for word in ascii_words(text) if len(word) > 1 or word.isdigit()]
    out = ""
    for word in words:
        longer = f"{out}-{word}" if out else word
        if len(longer) > limit:
            break
        out = longer
    return out or (words[0][:limit] if words else "")


def suffix(length: int) -> str:
    return "".join(secrets.choice(SAFE) for _ in range(length))


def new_code(draft: Draft, length: int = 3) -> str:
    """« marche-de-saint-max-7k2 »: the place, readable, and a short random suffix."""
    base = slug(draft.place) or slug(draft.kind.replace("_", " "))
    return f"{base}-{suffix(length)}"


def new_keyword(length: int = 3) -> str:
    """« DROITS7K2 »: a word and a few letters or digits that cannot be mixed up."""
    return KEYWORD_PREFIX + suffix(length).upper()


def links(settings: Settings, action: OutreachAction) -> dict[str, str]:
    """The contract's links of an action (../shared/spec/staff.md)."""
    base = settings.public_base_url.rstrip("/")
    own = f"{base}/api/staff/actions/{action.code}"
    return {"code": action.code, "chat_url": f"{base}/c/{action.code}", "qr_svg_url": f"{own}/qr.svg",
            "poster_url": f"{own}/poster.pdf",
            "telegram_link": f"https://t.me/{settings.telegram_bot_username}?start={action.code}",
            "sms_keyword": action.keyword}


def describe(settings: Settings, action: OutreachAction) -> dict[str, Any]:
    """The links and the stored fields, as the API answers them."""
    return {**links(settings, action), "territory": action.territory_id, "place": action.place,
            "date": action.day.isoformat(), "kind": action.kind, "hours": action.hours,
            "team": list(action.team),
            "people_met": action.people_met, "rights_checks_on_site": action.rights_checks_on_site,
            "created_at": action.created_at.isoformat()}


def outreach_forms(text: str | None) -> tuple[str | None, str | None]:
    """How a short message reads as an action's SMS keyword and as its code, each None when it cannot
    be one: « droits 7k2 » → (DROITS7K2, droits-7k2); « Marche-Saint-Max-7K2 » → (None,
    marche-saint-max-7k2)."""
    words = ascii_words(text) if text and len(text) <= 48 else []
    keyword, code = "".join(words).upper(), "-".join(words).lower()
    return (keyword if KEYWORD.match(keyword) else None), (code if CODE.match(code) else None)


# -- database work (runs in a worker thread) ------------------------------------------------------------
def create(session: Session, draft: Draft, created_by: int | None) -> OutreachAction:
    """The new action with a code and a keyword nobody has (ActionError 503 if every attempt collides)."""
    for length in SUFFIXES:
        code, keyword = new_code(draft, length), new_keyword(length)
        taken = session.get(OutreachAction, code) is not None or session.exec(
            select(OutreachAction.code).where(OutreachAction.keyword == keyword)).first() is not None
        if taken:
            continue
        action = OutreachAction(code=code, keyword=keyword, territory_id=draft.territory_id,
                                place=draft.place, day=draft.day, kind=draft.kind, hours=draft.hours,
                                team=draft.team, created_by=created_by)
        session.add(action)
        try:
            session.commit()
        except IntegrityError:      # taken meanwhile by another request
            session.rollback()
            continue
        return action
    raise ActionError("action_code_busy", status=503)


def find(session: Session, code: str) -> OutreachAction | None:
    return session.get(OutreachAction, code) if CODE.match(code or "") else None


def listing(session: Session, territory_id: str | None, start: date | None = None,
            end: date | None = None) -> list[OutreachAction]:
    """The actions of a territory (None: every one) between two days included, latest first."""
    query = (select(OutreachAction).order_by(OutreachAction.day.desc(), OutreachAction.code)
             .limit(LISTED_AT_MOST))
    if territory_id is not None:
        query = query.where(OutreachAction.territory_id == territory_id)
    if start is not None:
        query = query.where(OutreachAction.day >= start)
    if end is not None:
        query = query.where(OutreachAction.day <= end)
    return list(session.exec(query).all())


def set_counts(session: Session, code: str, people_met: int,
               rights_checks_on_site: int) -> OutreachAction | None:
    action = find(session, code)
    if action is None:
        return None
    action.people_met, action.rights_checks_on_site = check_counts(people_met, rights_checks_on_site)
    session.add(action)
    session.commit()
    return action


def code_for_message(session: Session, text: str | None) -> str | None:
    """The code of the action whose SMS keyword or code the message is, exactly; else None."""
    keyword, code = outreach_forms(text)
    if keyword is None and code is None:
        return None
    return session.exec(select(OutreachAction.code).where(
        (OutreachAction.keyword == keyword) | (OutreachAction.code == code))).first()
