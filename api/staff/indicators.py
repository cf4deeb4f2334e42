"""The anonymous figures for the local committee (`../shared/spec/staff.md`, « Indicators »), read
from the visits (api/visits.py), outreach actions, appointments and call-back requests by SQL
aggregates only.

- A period is Paris days, both included: `from` 00:00 to the day after `to` 00:00, Europe/Paris.
- What falls in the period: an action by its day; a conversation, its doubts and life moments by its
  start; a screening and its benefits by the first estimate; an appointment booked by when it was
  booked, honoured, missed or cancelled by its slot; a call-back requested by its request, done by
  when it was done.
- `territory=None` (an admin who named none): every territory, and the visits of no known territory.
- Small counts: every count from 1 to 4 is the string "< 5" (0 stays 0), euros summed over fewer than
  5 people are null, everywhere (breakdowns, series, follow-up). There is no secondary suppression: a
  total minus the other channels can tell a hidden count; no breakdown here describes a person.
- Extra keys (the contract allows them): `rights_checks_on_site`, `doubts`.
- CSV (`to_csv`): `indicator,key,value`, one row per figure, UTF-8 without BOM: every value is an
  identifier, a date or a number (ASCII), so Excel and LibreOffice read it the same either way, and a
  BOM would only trouble scripts reading the file.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal
from sqlmodel import Session, select

from api.models import (CANCELLED, DONE, HONOURED, MISSED, Appointment, CallbackRequest, OutreachAction,
                        Visit, VisitFact, utcnow)
from api.visits import BENEFIT, DOUBT, LIFE_EVENT
from knowledge.french import PARIS

HIDDEN = "< 5"
FEW = 5
CHANNELS = ("sms", "telegram", "web")
STATUSES = (HONOURED, MISSED, CANCELLED)
FOLLOW_UP_DAYS = 7
Count = int | str


def shown(count: int | None) -> Count:
    count = int(count or 0)
    return HIDDEN if 0 < count < FEW else count


def euros(total: float | None, people: int) -> int | None:
    return None if total is None or people < FEW else round(total)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants of the period's Paris days: [start 00:00, day after end 00:00)."""
    return datetime.combine(start, time(0), PARIS), datetime.combine(end + timedelta(days=1), time(0), PARIS)


def during(column: Any, lo: datetime, hi: datetime) -> ColumnElement[bool]:
    return and_(column >= lo, column < hi)


def of_territory(column: Any, territory: str | None) -> ColumnElement[bool]:
    return column == territory if territory is not None else literal(True)


def counted(rows: Sequence[tuple[str, int]], keys: Sequence[str] = ()) -> dict[str, Count]:
    """{key: shown count}, `keys` always present."""
    found = dict(rows)
    return {key: shown(found.get(key)) for key in [*keys, *sorted(k for k in found if k not in keys)]}


# -- the figures of a period ---------------------------------------------------------------------------
def figures(session: Session, territory: str | None, start: date, end: date) -> dict[str, Any]:
    lo, hi = bounds(start, end)
    visits = and_(during(Visit.started_at, lo, hi), of_territory(Visit.territory_id, territory))
    screened = and_(during(Visit.screened_at, lo, hi), of_territory(Visit.territory_id, territory))

    actions, people_met, checks = session.exec(select(
        func.count(), func.sum(OutreachAction.people_met), func.sum(OutreachAction.rights_checks_on_site))
        .where(OutreachAction.day >= start, OutreachAction.day <= end,
               of_territory(OutreachAction.territory_id, territory))).one()
    by_channel = session.exec(select(Visit.channel, func.count()).where(visits).group_by(Visit.channel)).all()
    by_source = session.exec(select(Visit.source, func.count()).where(visits, Visit.source.is_not(None))
                             .group_by(Visit.source)).all()
    screenings = session.exec(select(func.count()).select_from(Visit).where(screened)).one()
    # one fact per visit, kind and key (uq_visit_fact): a count of facts is a count of people
    benefits = session.exec(
        select(VisitFact.key, func.count(), func.sum(VisitFact.monthly_euros))
        .join(Visit, Visit.id == VisitFact.visit_id).where(screened, VisitFact.kind == BENEFIT)
        .group_by(VisitFact.key)).all()
    topics = session.exec(
        select(VisitFact.kind, VisitFact.key, func.count())
        .join(Visit, Visit.id == VisitFact.visit_id).where(visits, VisitFact.kind.in_((DOUBT, LIFE_EVENT)))
        .group_by(VisitFact.kind, VisitFact.key)).all()
    return {
        "territory": territory, "from": start.isoformat(), "to": end.isoformat(),
        "actions": shown(actions), "people_met": shown(people_met), "rights_checks_on_site": shown(checks),
        "conversations": {"total": shown(sum(n for _, n in by_channel)),
                          "by_channel": counted(by_channel, CHANNELS), "by_source": counted(by_source)},
        "screenings_completed": shown(screenings),
        "benefits": [{"id": key, "people": shown(people), "monthly_euros": euros(total, people)}
                     for key, people, total in sorted(benefits, key=lambda row: (-row[1], row[0]))],
        "appointments": _appointments(session, territory, lo, hi),
        "callbacks": _callbacks(session, territory, lo, hi),
        "life_events": counted([(key, n) for kind, key, n in topics if kind == LIFE_EVENT]),
        "doubts": counted([(key, n) for kind, key, n in topics if kind == DOUBT]),
    }


def _appointments(session: Session, territory: str | None, lo: datetime, hi: datetime) -> dict[str, Count]:
    booked = during(Appointment.created_at, lo, hi)
    held = during(Appointment.start, lo, hi)
    row = session.exec(select(
        func.count(case((booked, 1))), *[func.count(case((and_(held, Appointment.status == s), 1))) for s in STATUSES])
        .where(of_territory(Appointment.territory_id, territory), booked | held)).one()
    return dict(zip(("booked", *STATUSES), map(shown, row)))


def _callbacks(session: Session, territory: str | None, lo: datetime, hi: datetime) -> dict[str, Count]:
    asked = during(CallbackRequest.created_at, lo, hi)
    done = and_(during(CallbackRequest.done_at, lo, hi), CallbackRequest.status == DONE)
    requested, done_count = session.exec(select(func.count(case((asked, 1))), func.count(case((done, 1))))
                                         .where(of_territory(CallbackRequest.territory_id, territory),
                                                asked | done)).one()
    return {"requested": shown(requested), "done": shown(done_count)}


# -- per month, for plots -----------------------------------------------------------------------------
def months(start: date, end: date) -> list[tuple[str, datetime]]:
    """(label, first instant) of each month of the period, the first one from `start`."""
    found, day = [], start
    while day <= end:
        found.append((day.strftime("%Y-%m"), datetime.combine(day, time(0), PARIS)))
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return found


def weeks(start: date, end: date) -> list[tuple[str, datetime]]:
    """(ISO week, first instant) of each week of the period, the first one from `start`."""
    found, day = [], start
    while day <= end:
        year, week, _ = day.isocalendar()
        found.append((f"{year}-W{week:02d}", datetime.combine(day, time(0), PARIS)))
        day += timedelta(days=7 - day.weekday())
    return found


def bucket(column: Any, edges: Sequence[datetime], first: int = 0) -> Any:
    """The index i of the bucket [edges[i], edges[i+1]) that holds `column` (already within the
    edges), as a balanced CASE: a few comparisons per row."""
    if len(edges) <= 2:
        return literal(first)
    middle = len(edges) // 2
    return case((column < edges[middle], bucket(column, edges[:middle + 1], first)),
                else_=bucket(column, edges[middle:], first + middle))


def _per_bucket(session: Session, column: Any, edges: Sequence[datetime], where: Any, *keys: Any) -> list[tuple]:
    """(bucket index, *keys, count) for the rows where `where` holds and `column` lies within `edges`."""
    inner = select(bucket(column, edges).label("i"), *keys).where(where, column >= edges[0], column < edges[-1])
    inner = inner.subquery()
    columns = [inner.c[key.key] for key in keys]
    return list(session.exec(select(inner.c.i, *columns, func.count()).group_by(inner.c.i, *columns)).all())


def series(session: Session, territory: str | None, start: date, end: date) -> dict[str, Any]:
    lo, hi = bounds(start, end)
    labels = months(start, end)
    edges = [edge for _, edge in labels] + [hi]
    visits = of_territory(Visit.territory_id, territory)
    appointments = of_territory(Appointment.territory_id, territory)
    channels = _per_bucket(session, Visit.started_at, edges, visits, Visit.channel)
    screenings = _per_bucket(session, Visit.screened_at, edges, visits)
    booked = _per_bucket(session, Appointment.created_at, edges, appointments)
    held = _per_bucket(session, Appointment.start, edges, and_(appointments, Appointment.status.in_(STATUSES)),
                       Appointment.status)
    inner = (select(bucket(Visit.screened_at, edges).label("i"), VisitFact.key)
             .select_from(Visit).join(VisitFact, VisitFact.visit_id == Visit.id)   # one month, all territories
             .where(visits, VisitFact.kind == BENEFIT, Visit.screened_at >= lo, Visit.screened_at < hi).subquery())
    benefits = session.exec(select(inner.c.i, inner.c.key, func.count()).group_by(inner.c.i, inner.c.key)).all()

    def of(rows: Sequence[tuple], i: int) -> list[tuple]:
        return [row[1:] for row in rows if row[0] == i]

    return {"territory": territory, "from": start.isoformat(), "to": end.isoformat(), "months": [{
        "month": label,
        "conversations": {"total": shown(sum(n for _, n in of(channels, i))),
                          "by_channel": counted(of(channels, i), CHANNELS)},
        "screenings": shown(sum(n for (n,) in of(screenings, i))),
        "appointments": {"booked": shown(sum(n for (n,) in of(booked, i))), **counted(of(held, i), STATUSES)},
        "benefits": counted(of(benefits, i)),
    } for i, (label, _) in enumerate(labels)]}


# -- the 7-day follow-up ----------------------------------------------------------------------------------
def booked_within(session: Session, days: int) -> ColumnElement[bool]:
    """The visit was booked at the latest `days` days after its first estimate."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(Visit.booked_at) - func.julianday(Visit.screened_at) <= days
    return Visit.booked_at <= Visit.screened_at + timedelta(days=days)


def follow_up(session: Session, territory: str | None, start: date, end: date,
              now: datetime | None = None) -> dict[str, Any]:
    """Per ISO week: the people who got an estimate, those who booked within 7 days, and the others.
    A week is `settled` once its last estimate has had its 7 days."""
    now = now or utcnow()
    lo, hi = bounds(start, end)
    labels = weeks(start, end)
    edges = [edge for _, edge in labels] + [hi]
    inner = select(bucket(Visit.screened_at, edges).label("i"),
                   case((booked_within(session, FOLLOW_UP_DAYS), 1), else_=0).label("booked")).where(
        of_territory(Visit.territory_id, territory), Visit.screened_at >= lo, Visit.screened_at < hi).subquery()
    rows = {i: (total, booked) for i, total, booked in session.exec(
        select(inner.c.i, func.count(), func.sum(inner.c.booked)).group_by(inner.c.i)).all()}
    answer = []
    for i, (label, first) in enumerate(labels):
        total, booked = rows.get(i, (0, 0))
        answer.append({"week": label, "from": first.date().isoformat(),
                       "to": (edges[i + 1] - timedelta(days=1)).date().isoformat(),
                       "estimates": shown(total), "booked_within_7_days": shown(booked),
                       "not_booked": shown(total - (booked or 0)),
                       "settled": edges[i + 1] + timedelta(days=FOLLOW_UP_DAYS) <= now})
    return {"territory": territory, "from": start.isoformat(), "to": end.isoformat(), "weeks": answer}


# -- CSV -------------------------------------------------------------------------------------------------
def rows(figures: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(indicator, key, value) for every figure: `conversations,total,51`,
    `conversations.by_channel,sms,20`, `benefits.people,rsa,9`; a top-level figure has no key."""
    for indicator, value in figures.items():
        yield from _rows(indicator, value)


def _rows(indicator: str, value: Any) -> Iterator[tuple[str, str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict):
                yield from _rows(f"{indicator}.{key}", item)
            else:
                yield indicator, key, item
    elif isinstance(value, list):
        yield from ((f"{indicator}.{field}", entry["id"], item)
                    for entry in value for field, item in entry.items() if field != "id")
    else:
        yield indicator, "", value


def to_csv(figures: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("indicator", "key", "value"))
    writer.writerows((indicator, key, "" if value is None else value) for indicator, key, value in rows(figures))
    return out.getvalue()
