"""What the committee's indicators cost (api/staff/indicators.py): a year of 100 000 conversations
(visits) with a realistic mix, written into a throw-away PostgreSQL database and a SQLite file, then
`figures` + `series` (and `follow_up`) for the busiest territory over that year, median of several runs.

    .venv-svc/bin/python bench/indicators.py [--visits 100000] [--runs 7] [--postgres URL | --no-postgres]

The mix: 8 territories (the busiest has 30 %), channels web 45 % / SMS 40 % / Telegram 15 %, 70 % brought
by one of ~1 200 outreach actions, 60 % screened (0 to 4 likely benefits each), 15 % of those booked
(honoured, missed, cancelled or still ahead), call-backs for 5 %, a life moment for 20 %, a doubt for 30 %.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import insert

from api.core.db import Database
from api.models import Appointment, CallbackRequest, OutreachAction, Visit, VisitFact
from api.staff.indicators import figures, follow_up, series

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
TERRITORIES = {"grand_nancy": 30, "lyon_7e": 15, "strasbourg": 15, "venissieux": 10, "vaulx_en_velin": 10,
               "pays_haut": 8, "sud_lunevillois": 6, "frouard_faulx": 6}
CHANNELS = {"web": 45, "sms": 40, "telegram": 15}
BENEFITS = {"rsa": (30, 550), "prime_activite": (30, 180), "aide_logement": (35, 260),
            "complementaire_sante_solidaire": (25, None), "aspa": (6, 400), "aah": (5, 700),
            "cheque_energie": (30, 16), "allocations_familiales": (12, 150), "allocation_soutien_familial": (6, 190),
            "contrat_engagement_jeune": (4, 500), "local.grand_nancy.fonds_solidarite_logement": (3, None)}
LIFE_EVENTS = ["devenir_adulte", "naissance", "parent_seul", "separation", "perte_emploi", "senior",
               "deces_conjoint", "handicap"]
DOUBTS = ["doute_droits", "objection_controle", "objection_complexite", "objection_autonomie",
          "objection_pas_la_peine"]
STATUSES = {"honoured": 60, "missed": 15, "cancelled": 15, "booked": 10}
FIRST_DAY = date(2025, 12, 1)
LAST_DAY = date(2026, 11, 30)


def pick(weights: dict[str, float], rng: random.Random) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def generate(count: int, seed: int = 7) -> dict[type, list[dict]]:
    rng = random.Random(seed)
    start = datetime.combine(FIRST_DAY, datetime.min.time(), timezone.utc)
    span = (LAST_DAY - FIRST_DAY).days + 1
    actions = [{"code": f"{t[:6]}-{n}", "territory_id": t, "place": "Marché", "kind": "marche",
                "day": FIRST_DAY + timedelta(days=rng.randrange(span)), "team": [], "keyword": f"K{t[:3]}{n}".upper(),
                "people_met": rng.randint(5, 80), "rights_checks_on_site": rng.randint(0, 15),
                "created_at": start}
               for t, weight in TERRITORIES.items() for n in range(weight * 12)]
    codes: dict[str, list[str]] = {}
    for action in actions:
        codes.setdefault(action["territory_id"], []).append(action["code"])
    rows: dict[type, list[dict]] = {OutreachAction: actions, Visit: [], VisitFact: [], Appointment: [],
                                    CallbackRequest: []}
    for visit_id in range(1, count + 1):
        territory = pick(TERRITORIES, rng)
        started = start + timedelta(days=rng.randrange(span), seconds=rng.randrange(7 * 3600, 21 * 3600))
        screened = started + timedelta(minutes=rng.randint(3, 30)) if rng.random() < 0.6 else None
        booked = (screened + timedelta(hours=rng.choice([0, 1, 20, 100, 200, 400])) if screened and
                  rng.random() < 0.15 else None)
        rows[Visit].append({"id": visit_id, "conversation_id": uuid.UUID(int=rng.getrandbits(128)).hex,
                            "channel": pick(CHANNELS, rng), "territory_id": territory,
                            "source": rng.choice(codes[territory]) if rng.random() < 0.7 else None,
                            "started_at": started, "screened_at": screened, "booked_at": booked})
        if screened:
            for key in rng.sample(list(BENEFITS), rng.randint(0, 4)):
                if rng.random() * 100 < BENEFITS[key][0] * 2.5:
                    amount = BENEFITS[key][1]
                    rows[VisitFact].append({"visit_id": visit_id, "kind": "benefit", "key": key,
                                            "monthly_euros": round(amount * rng.uniform(0.3, 1.2), 2) if amount else None})
        if rng.random() < 0.2:
            rows[VisitFact].append({"visit_id": visit_id, "kind": "life_event", "key": rng.choice(LIFE_EVENTS),
                                    "monthly_euros": None})
        if rng.random() < 0.3:
            rows[VisitFact].append({"visit_id": visit_id, "kind": "doubt", "key": rng.choice(DOUBTS),
                                    "monthly_euros": None})
        if booked:
            slot = booked + timedelta(days=rng.randint(2, 20))
            rows[Appointment].append({"id": f"a{visit_id}", "person_id": "erased", "channel": "sms",
                                      "territory_id": territory, "place_id": "centre", "slot_id": f"{territory}:o:{visit_id}",
                                      "seat": None, "start": slot, "end": slot + timedelta(minutes=30),
                                      "status": pick(STATUSES, rng), "share_summary": False, "reminder_ids": [],
                                      "created_at": booked, "updated_at": booked})
        if rng.random() < 0.05:
            asked = started + timedelta(minutes=10)
            done = asked + timedelta(days=rng.randint(0, 5)) if rng.random() < 0.7 else None
            rows[CallbackRequest].append({"id": f"c{visit_id}", "person_id": "erased", "channel": "web",
                                          "territory_id": territory, "preferred_times": "", "status":
                                          "done" if done else "open", "created_at": asked, "done_at": done})
    return rows


def load(db: Database, rows: dict[type, list[dict]]) -> None:
    with db.session() as session:
        for table, values in rows.items():
            for chunk in range(0, len(values), 5000):
                session.execute(insert(table), values[chunk:chunk + 5000])
        session.commit()
    if db.url.startswith("postgresql"):       # what autovacuum does after such a load
        with db.engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()


def timed(db: Database, work: Callable, runs: int, territory: str | None) -> tuple[float, float]:
    """(median, max) in milliseconds of `work(session, territory, first day, last day)`, each in a new session."""
    times = []
    for _ in range(runs):
        with db.session() as session:
            began = time.perf_counter()
            work(session, territory, FIRST_DAY, LAST_DAY)
            times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), max(times)


def measure(name: str, db: Database, rows: dict[type, list[dict]], runs: int) -> None:
    began = time.perf_counter()
    db.migrate()
    load(db, rows)
    print(f"{name}: loaded in {time.perf_counter() - began:.0f} s")

    def both(session, *args):  # noqa: ANN001, ANN202
        return figures(session, *args), series(session, *args)

    for label, work, territory in (("figures", figures, "grand_nancy"), ("series", series, "grand_nancy"),
                                   ("figures + series", both, "grand_nancy"), ("follow_up", follow_up, "grand_nancy"),
                                   ("figures + series, every territory (admin)", both, None)):
        median, worst = timed(db, work, runs, territory)
        print(f"  {label:42} median {median:7.1f} ms   max {worst:7.1f} ms   ({runs} runs)")
    with db.session() as session:
        found = figures(session, "grand_nancy", FIRST_DAY, LAST_DAY)
    print(f"  grand_nancy, one year: {found['conversations']['total']} conversations, "
          f"{found['screenings_completed']} screenings, {len(found['benefits'])} benefits, {found['appointments']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgres", default=POSTGRES, help="a server where a throw-away database may be created")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    rows = generate(args.visits)
    print(f"generated in {time.perf_counter() - began:.0f} s: " + ", ".join(
        f"{len(values)} {table.__tablename__}" for table, values in rows.items()))
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'indicators.db'}")
        try:
            measure("SQLite", db, rows, args.runs)
        finally:
            db.dispose()
    if args.no_postgres:
        return
    admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"tzn_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        db = Database(args.postgres.rsplit("/", 1)[0] + f"/{name}")
        try:
            measure("PostgreSQL", db, rows, args.runs)
        finally:
            db.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
