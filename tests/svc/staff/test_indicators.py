"""The committee's indicators (api/staff/indicators.py) on a database seeded by hand, on SQLite and
PostgreSQL: every count below is counted by hand from the seed, with the small-count rule (1 to 4 is
"< 5", 0 stays 0, euros over fewer than 5 people are null), the Paris-day boundaries of the period,
and another territory left out. Then through the API (api/routes/staff_indicators.py): who may see
what, French 422s for a bad period, the CSV, and conversations counted from the bot's signals."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest

from api.core.db import Database
from api.models import Appointment, CallbackRequest, OutreachAction, Visit, VisitFact
from api.staff.access import say
from api.staff.indicators import figures, follow_up, rows, series, to_csv
from knowledge.french import PARIS
from tests.svc import support
from tests.svc.staff.support import member
from tests.svc.staff.visits_app import all_visits, chat, send, visits_api
from tests.svc.support import BOTH

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def utc(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


@pytest.fixture(params=BOTH)
def db(request, tmp_path) -> Iterator[Database]:
    with support.migrated(request.param, tmp_path, "tzn_indicators") as database:
        yield database


def add_visit(session, started: datetime, channel: str = "web", territory: str | None = "t",  # noqa: ANN001
              source: str | None = None, screened: datetime | None = None, booked: datetime | None = None,
              benefits: dict[str, float | None] | None = None, life_events: tuple[str, ...] = (),
              doubts: tuple[str, ...] = ()) -> None:
    visit = Visit(channel=channel, territory_id=territory, source=source, started_at=started, screened_at=screened,
                  booked_at=booked)
    session.add(visit)
    session.flush()
    session.add_all([VisitFact(visit_id=visit.id, kind="benefit", key=k, monthly_euros=e)
                     for k, e in (benefits or {}).items()])
    session.add_all([VisitFact(visit_id=visit.id, kind="life_event", key=k) for k in life_events])
    session.add_all([VisitFact(visit_id=visit.id, kind="doubt", key=k) for k in doubts])


def add_appointment(session, name: str, created: datetime, start: datetime, status: str,  # noqa: ANN001
                    territory: str = "t") -> None:
    session.add(Appointment(id=name, person_id="erased", channel="sms", territory_id=territory, place_id="p",
                            slot_id=f"{territory}:o:{name}", start=start, end=start + timedelta(minutes=30),
                            status=status, created_at=created))


def add_callback(session, name: str, created: datetime, done: datetime | None = None,  # noqa: ANN001
                 territory: str = "t") -> None:
    session.add(CallbackRequest(id=name, person_id="erased", channel="web", territory_id=territory,
                                preferred_times="", created_at=created, done_at=done,
                                status="done" if done else "open"))


def seed_november(session) -> None:  # noqa: ANN001
    """Territory t in November 2026 (Paris days), and around it what must not count."""
    session.add_all([
        OutreachAction(code="m1", territory_id="t", place="Marché", day=date(2026, 11, 3), kind="marche",
                       keyword="M1", people_met=30, rights_checks_on_site=2),
        OutreachAction(code="m2", territory_id="t", place="Immeuble", day=date(2026, 11, 30), kind="pied_immeuble",
                       keyword="M2", people_met=12),
        OutreachAction(code="m0", territory_id="t", place="Avant", day=date(2026, 10, 31), kind="marche",
                       keyword="M0", people_met=100),
        OutreachAction(code="u1", territory_id="u", place="Ailleurs", day=date(2026, 11, 10), kind="marche",
                       keyword="U1", people_met=50),
    ])
    # in the period: 5 web (one of them on 1 November just after midnight in Paris), 4 SMS (the last one on
    # 30 November 23:30 in Paris)
    add_visit(session, utc(11, 3), source="m1", screened=utc(11, 3, 13),
              benefits={"rsa": 500, "prime_activite": 200.4}, life_events=("senior",), doubts=("objection_controle",))
    add_visit(session, utc(11, 4), screened=utc(11, 4, 13), benefits={"rsa": 400, "prime_activite": 100},
              life_events=("senior",))
    add_visit(session, utc(11, 5), screened=utc(11, 5, 13), benefits={"rsa": 300, "prime_activite": 100},
              life_events=("senior",))
    add_visit(session, utc(10, 31, 23, 30), screened=utc(11, 1, 9),
              benefits={"rsa": 200, "prime_activite": 50}, life_events=("senior",))
    add_visit(session, utc(11, 6), screened=utc(11, 6, 13),
              benefits={"rsa": 100.6, "aspa": 700, "complementaire_sante_solidaire": None}, life_events=("senior",))
    for started in (utc(11, 7), utc(11, 8), utc(11, 9), utc(11, 30, 22, 30)):
        add_visit(session, started, channel="sms", life_events=("naissance",))
    # started in October, screened in November: a screening of November, not a conversation of November
    add_visit(session, utc(10, 20), screened=utc(11, 2), benefits={"aide_logement": 250})
    # outside: 31 October 23:30 and 1 December 00:30 in Paris, another territory, no territory
    add_visit(session, utc(10, 31, 22, 30), life_events=("senior",))
    add_visit(session, utc(11, 30, 23, 30), channel="sms", life_events=("naissance",))
    add_visit(session, utc(11, 10), territory="u", screened=utc(11, 10, 13), benefits={"rsa": 999},
              life_events=("senior",))
    add_visit(session, utc(11, 11), channel="telegram", territory=None)

    add_appointment(session, "a1", utc(11, 5), utc(11, 10), "honoured")
    add_appointment(session, "a2", utc(11, 5), utc(11, 12), "honoured")
    add_appointment(session, "a3", utc(11, 6), utc(11, 20), "missed")
    add_appointment(session, "a4", utc(11, 7), utc(12, 3), "booked")
    add_appointment(session, "a5", utc(11, 8), utc(11, 25), "cancelled")
    add_appointment(session, "a6", utc(10, 25), utc(11, 2), "honoured")      # booked before, held in November
    add_appointment(session, "a7", utc(11, 10), utc(11, 12), "honoured", territory="u")

    for name, day in (("c1", 3), ("c2", 10), ("c3", 12), ("c4", 20), ("c5", 28)):
        add_callback(session, name, utc(11, day), done=utc(11, day + 1) if name == "c1" else None)
    add_callback(session, "c0", utc(10, 30), done=utc(10, 31, 23, 30))       # done on 1 November, Paris time
    add_callback(session, "cu", utc(11, 3), territory="u")
    session.commit()


EXPECTED_NOVEMBER = {
    "territory": "t", "from": "2026-11-01", "to": "2026-11-30",
    "actions": "< 5", "people_met": 42, "rights_checks_on_site": "< 5",
    "conversations": {"total": 9, "by_channel": {"sms": "< 5", "telegram": 0, "web": 5}, "by_source": {"m1": "< 5"}},
    "screenings_completed": 6,
    "benefits": [{"id": "rsa", "people": 5, "monthly_euros": 1501},
                 {"id": "prime_activite", "people": "< 5", "monthly_euros": None},
                 {"id": "aide_logement", "people": "< 5", "monthly_euros": None},
                 {"id": "aspa", "people": "< 5", "monthly_euros": None},
                 {"id": "complementaire_sante_solidaire", "people": "< 5", "monthly_euros": None}],
    "appointments": {"booked": 5, "honoured": "< 5", "missed": "< 5", "cancelled": "< 5"},
    "callbacks": {"requested": 5, "done": "< 5"},
    "life_events": {"naissance": "< 5", "senior": 5},
    "doubts": {"objection_controle": "< 5"},
}


def test_the_figures_of_a_month_counted_by_hand(db):
    with db.session() as session:
        seed_november(session)
        assert figures(session, "t", *NOVEMBER) == EXPECTED_NOVEMBER


def test_every_territory_for_an_admin_who_names_none(db):
    with db.session() as session:
        seed_november(session)
        found = figures(session, None, *NOVEMBER)
    assert found["territory"] is None
    assert found["conversations"]["total"] == 11 and found["conversations"]["by_channel"]["telegram"] == "< 5"
    assert found["actions"] == "< 5" and found["people_met"] == 92
    assert found["benefits"][0] == {"id": "rsa", "people": 6, "monthly_euros": 2500}
    assert found["appointments"]["honoured"] == "< 5" and found["callbacks"]["requested"] == 6
    assert found["life_events"]["senior"] == 6


def test_an_empty_period_is_zeros_not_hidden(db):
    with db.session() as session:
        seed_november(session)
        found = figures(session, "t", date(2027, 1, 1), date(2027, 1, 31))
    assert (found["actions"], found["people_met"], found["conversations"]["total"]) == (0, 0, 0)
    assert found["conversations"]["by_channel"] == {"sms": 0, "telegram": 0, "web": 0}
    assert found["benefits"] == [] and found["life_events"] == {} and found["doubts"] == {}
    assert found["appointments"] == {"booked": 0, "honoured": 0, "missed": 0, "cancelled": 0}


def test_one_paris_day_is_midnight_to_midnight_in_paris(db):
    with db.session() as session:
        seed_november(session)
        first = figures(session, "t", date(2026, 11, 1), date(2026, 11, 1))
        last = figures(session, "t", date(2026, 11, 30), date(2026, 11, 30))
    assert first["conversations"]["by_channel"] == {"sms": 0, "telegram": 0, "web": "< 5"}
    assert first["screenings_completed"] == "< 5" and first["callbacks"] == {"requested": 0, "done": "< 5"}
    assert last["conversations"]["by_channel"] == {"sms": "< 5", "telegram": 0, "web": 0}
    assert last["actions"] == "< 5" and last["people_met"] == 12


def csv_rows(text: str) -> list[tuple[str, str, str]]:
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["indicator", "key", "value"]
    return [tuple(line) for line in lines[1:]]


def leaves(value, path: tuple = ()) -> Iterator[tuple[tuple, object]]:  # noqa: ANN001
    """Every figure of the JSON with its path; a benefit is found by its id."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, path + (key,))
    elif isinstance(value, list):
        for entry in value:
            yield from leaves({k: v for k, v in entry.items() if k != "id"}, path + (entry["id"],))
    else:
        yield path, value


def test_the_csv_says_the_same_as_the_json(db):
    with db.session() as session:
        seed_november(session)
        found = figures(session, "t", *NOVEMBER)
    from_json = sorted((".".join(map(str, path)), "" if value is None else str(value))
                       for path, value in leaves(found))
    from_csv = []
    for indicator, key, value in csv_rows(to_csv(found)):
        if indicator.startswith("benefits."):                 # benefits.people,rsa -> benefits.rsa.people
            indicator, key = f"benefits.{key}", indicator.split(".", 1)[1]
        from_csv.append((".".join(part for part in (indicator, key) if part), value))
    assert sorted(from_csv) == from_json
    assert ("conversations.by_channel", "sms", "< 5") in csv_rows(to_csv(found))
    assert ("benefits.monthly_euros", "prime_activite", "") in csv_rows(to_csv(found))
    assert len(list(rows(found))) == len(from_json)


def test_the_months_of_a_series(db):
    with db.session() as session:
        seed_november(session)
        found = series(session, "t", date(2026, 10, 15), date(2026, 11, 30))
    october, november = found["months"]
    assert october == {"month": "2026-10",
                       "conversations": {"total": "< 5", "by_channel": {"sms": 0, "telegram": 0, "web": "< 5"}},
                       "screenings": 0,
                       "appointments": {"booked": "< 5", "honoured": 0, "missed": 0, "cancelled": 0},
                       "benefits": {}}
    assert november == {"month": "2026-11",
                        "conversations": {"total": 9, "by_channel": {"sms": "< 5", "telegram": 0, "web": 5}},
                        "screenings": 6,
                        "appointments": {"booked": 5, "honoured": "< 5", "missed": "< 5", "cancelled": "< 5"},
                        "benefits": {"aide_logement": "< 5", "aspa": "< 5", "complementaire_sante_solidaire": "< 5",
                                     "prime_activite": "< 5", "rsa": 5}}


def test_a_series_month_follows_paris_time(db):
    with db.session() as session:
        for day in range(1, 6):        # 31 October 23:30 UTC is 1 November in Paris (winter time: UTC+1)
            add_visit(session, utc(10, 31, 23, 30) + timedelta(seconds=day))
        add_visit(session, utc(10, 31, 22, 59))
        session.commit()
        found = series(session, "t", date(2026, 10, 1), date(2026, 11, 30))
    assert [m["conversations"]["total"] for m in found["months"]] == ["< 5", 5]


def test_the_follow_up_counts_who_booked_within_7_days_of_their_estimate(db):
    monday = utc(11, 16, 10)            # week 47
    within = [timedelta(0), timedelta(hours=1), timedelta(days=3), timedelta(days=6, hours=23),
              -timedelta(days=2)]     # booked before the estimate: booked all the same
    later = [timedelta(days=7, hours=2), timedelta(days=20), None, None, None, None]
    with db.session() as session:
        for offset in within + later:
            add_visit(session, monday, screened=monday, booked=monday + offset if offset is not None else None)
        add_visit(session, monday, screened=monday - timedelta(days=7), booked=monday - timedelta(days=1))  # week 46
        add_visit(session, monday, territory="u", screened=monday, booked=monday)
        add_visit(session, monday, booked=monday)                                          # no estimate
        session.commit()
        found = follow_up(session, "t", date(2026, 11, 9), date(2026, 11, 30), now=utc(11, 30, 12))
    assert [(w["week"], w["from"], w["to"], w["estimates"], w["booked_within_7_days"], w["not_booked"], w["settled"])
            for w in found["weeks"]] == [
        ("2026-W46", "2026-11-09", "2026-11-15", "< 5", "< 5", 0, True),
        ("2026-W47", "2026-11-16", "2026-11-22", 11, 5, 6, True),
        ("2026-W48", "2026-11-23", "2026-11-29", 0, 0, 0, False),
        ("2026-W49", "2026-11-30", "2026-11-30", 0, 0, 0, False),
    ]


# -- through the API --------------------------------------------------------------------------------------
def paris_today() -> date:
    return datetime.now(PARIS).date()


def around_today() -> dict[str, str]:
    today = paris_today()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}


async def test_who_may_see_the_indicators_and_the_follow_up(tmp_path):
    async with visits_api(tmp_path) as (api, _):
        period = around_today()
        anonymous = await api.client.get("/api/staff/indicators", params=period)
        assert anonymous.status_code == 401 and anonymous.json()["detail"] == say("login_required")
        async with member(api.app, "agent", "test_ville") as agent:
            for path in ("/api/staff/indicators", "/api/staff/indicators/series"):
                refused = await agent.get(path, params=period)
                assert refused.status_code == 403 and refused.json()["detail"] == say("forbidden_role")
            own = await agent.get("/api/staff/followup", params=period)
            assert own.status_code == 200 and own.json()["territory"] == "test_ville"
            other = await agent.get("/api/staff/followup", params={**period, "territory": "autre_ville"})
            assert other.status_code == 403 and other.json()["detail"] == say("forbidden_territory")
        async with member(api.app, "coordinator", "test_ville") as coordinator:
            for path in ("/api/staff/indicators", "/api/staff/indicators/series", "/api/staff/followup"):
                own = await coordinator.get(path, params=period)
                assert own.status_code == 200 and own.json()["territory"] == "test_ville"
                other = await coordinator.get(path, params={**period, "territory": "autre_ville"})
                assert other.status_code == 403
        async with member(api.app, "admin", None) as admin:
            one = await admin.get("/api/staff/indicators", params={**period, "territory": "autre_ville"})
            every = await admin.get("/api/staff/indicators", params=period)
            unknown = await admin.get("/api/staff/indicators", params={**period, "territory": "atlantide"})
    assert one.json()["territory"] == "autre_ville" and every.json()["territory"] is None
    assert unknown.status_code == 422 and unknown.json()["detail"] == say("territory_unknown")


@pytest.mark.parametrize("params,key", [
    ({}, "period_missing"),
    ({"from": "2026-11-01"}, "period_missing"),
    ({"from": "2026-11-01", "to": "2026-11-31"}, "period_invalid"),
    ({"from": "2026-1-1", "to": "2026-11-30"}, "period_invalid"),
    ({"from": "20261101", "to": "20261130"}, "period_invalid"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "period_reversed"),
    ({"from": "2024-11-01", "to": "2026-11-02"}, "period_too_long"),
])
async def test_a_bad_period_gets_a_french_422(tmp_path, params, key):
    async with visits_api(tmp_path) as (api, _):
        async with member(api.app, "coordinator", "test_ville") as coordinator:
            for path in ("/api/staff/indicators", "/api/staff/indicators/series", "/api/staff/followup"):
                answer = await coordinator.get(path, params=params)
                assert answer.status_code == 422 and answer.json()["detail"] == say(key), (path, answer.text)
            two_years = await coordinator.get("/api/staff/indicators", params={"from": "2024-11-01",
                                                                               "to": "2026-10-31"})
            too_long = await coordinator.get("/api/staff/indicators", params={"from": "x" * 200, "to": "2026-10-31"})
    assert two_years.status_code == 200
    assert too_long.status_code == 422 and too_long.json()["detail"]


async def test_the_csv_download(tmp_path):
    async with visits_api(tmp_path) as (api, _):
        async with member(api.app, "coordinator", "test_ville") as coordinator:
            params = {"from": "2026-11-01", "to": "2026-11-30"}
            as_json = (await coordinator.get("/api/staff/indicators", params=params)).json()
            by_header = await coordinator.get("/api/staff/indicators", params=params, headers={"Accept": "text/csv"})
            by_link = await coordinator.get("/api/staff/indicators", params={**params, "format": "csv"})
    assert by_header.headers["content-type"] == "text/csv; charset=utf-8"
    assert by_header.headers["content-disposition"] == \
        'attachment; filename="indicateurs-test_ville-2026-11-01-2026-11-30.csv"'
    assert by_header.text == by_link.text == to_csv(as_json)
    assert ("conversations", "total", "0") in csv_rows(by_header.text)


async def test_conversations_from_an_action_are_counted_and_erasure_keeps_the_count(tmp_path):
    estimate = {"type": "estimate", "household": {}, "monthly_total": 573.49, "commune": "54395",
                "benefits": [{"id": "rsa", "status": "eligible", "monthly_amount": 573.49},
                             {"id": "aide_logement", "status": "uncertain", "range": [100, 260]}]}
    async with visits_api(tmp_path) as (api, bot):
        bot.controls["calcul"] = [estimate]
        bot.controls["effacer"] = [{"type": "erase"}]
        conversations = [await chat(api, "marche-nancy") for _ in range(5)]
        for conversation in conversations:
            await send(api, conversation, "calcul")
        await chat(api, "marche-lyon")                   # the other territory's action
        async with member(api.app, "coordinator", "test_ville") as coordinator:
            before = (await coordinator.get("/api/staff/indicators", params=around_today())).json()
            await send(api, conversations[0], "effacer")
            after = (await coordinator.get("/api/staff/indicators", params=around_today())).json()
        rows = await all_visits(api)
    assert before["conversations"] == {"total": 5, "by_channel": {"sms": 0, "telegram": 0, "web": 5},
                                       "by_source": {"marche-nancy": 5}}
    assert before["screenings_completed"] == 5
    assert before["benefits"] == [{"id": "rsa", "people": 5, "monthly_euros": 2867}]
    assert after == before
    assert [v.conversation_id for v in rows] == [None, *conversations[1:], rows[-1].conversation_id]
