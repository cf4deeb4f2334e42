"""Rasa's trackers erased for real and swept after the retention (api/trackers.py), on the real stores:
Redis (a dedicated db), a SQLite file and PostgreSQL, written the way Rasa's RedisTrackerStore (one key
`tracker:<sender>`, the dialogue as JSON) and SQLTrackerStore (rows of `events`) write them. When the
store or Rasa is down, the erasure is kept (pseudonym only) and retried until done."""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa
from sqlmodel import select

from api.core.db import Database
from api.models import PendingErasure
from api.rasa_client import RasaClient
from api.retention import keep_purging
from api.trackers import Erasures, open_store, record
from tests.fakes.rasa import FakeRasa
from tests.svc import support
from tests.svc.support import T0, Clock

REDIS = "redis://127.0.0.1:6379/14"
CLOSED_PORT = "redis://127.0.0.1:1/0"
SQL_EVENTS = """CREATE TABLE IF NOT EXISTS events (id SERIAL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255),
    data TEXT)"""


def events(sender: str, at: float) -> list[dict]:
    return [{"event": "action", "timestamp": at, "name": "action_listen"},
            {"event": "user", "timestamp": at + 1, "text": "j'ai 35 ans, 1200 euros",
             "parse_data": {"intent": {"name": "inform"}, "entities": []}},
            {"event": "slot", "timestamp": at + 2, "name": "age", "value": 35}]


class Written:
    """Trackers written in a real store as Rasa writes them, and read back."""

    def __init__(self, url: str):
        self.url = url
        if url.startswith("redis"):
            self.redis = redis.Redis.from_url(url)
        else:
            self.engine = sa.create_engine(url)
            with self.engine.begin() as connection:
                ddl = SQL_EVENTS if url.startswith("postgresql") else SQL_EVENTS.replace(
                    "id SERIAL PRIMARY KEY", "id INTEGER PRIMARY KEY AUTOINCREMENT")
                connection.execute(sa.text(ddl))

    def write(self, sender: str, at: float) -> None:
        if self.url.startswith("redis"):
            self.redis.set(f"tracker:{sender}", json.dumps({"name": sender, "events": events(sender, at)}))
            return
        with self.engine.begin() as connection:
            for event in events(sender, at):
                connection.execute(sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                    "VALUES (:s, :t, :ts, NULL, NULL, :d)"),
                    {"s": sender, "t": event["event"], "ts": event["timestamp"], "d": json.dumps(event)})

    def has(self, sender: str) -> bool:
        if self.url.startswith("redis"):
            return bool(self.redis.exists(f"tracker:{sender}"))
        with self.engine.connect() as connection:
            return bool(connection.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"),
                                           {"s": sender}).scalar())

    def close(self) -> None:
        if self.url.startswith("redis"):
            self.redis.close()
        else:
            self.engine.dispose()


@pytest.fixture(params=["redis", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> Iterator[str]:
    if request.param == "redis":
        redis.Redis.from_url(REDIS).flushdb()
        yield REDIS
        redis.Redis.from_url(REDIS).flushdb()
        return
    with support.database_url(request.param, tmp_path, "tzn_trackers") as url:
        yield url


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/tzn.db")
    database.migrate()
    yield database
    database.dispose()


def erasures(db: Database, store_url: str, fake: FakeRasa, clock: Clock) -> Erasures:
    rasa = RasaClient("http://rasa.test", transport=fake.transport)
    return Erasures(db, rasa, open_store(store_url), clock=clock)


def pending(db: Database) -> list[PendingErasure]:
    return db._call(lambda s: list(s.exec(select(PendingErasure)).all()))


def record_now(db: Database, person_id: str, clock: Clock) -> None:
    def work(session):
        record(session, person_id, clock())
        session.commit()
    db._call(work)


async def test_erasure_deletes_the_tracker_in_the_store_and_nothing_else(db, store_url):
    written, fake, clock = Written(store_url), FakeRasa(), Clock()
    erase, keep = uuid.uuid4().hex, uuid.uuid4().hex
    written.write(erase, T0.timestamp())
    written.write(keep, T0.timestamp())
    record_now(db, erase, clock)
    assert await erasures(db, store_url, fake, clock).erase(erase) is True
    assert not written.has(erase)
    assert written.has(keep)
    assert fake.erased == [erase]                      # Rasa forgets its in-memory copy too
    assert pending(db) == []
    written.close()


async def test_store_down_the_erasure_waits_then_is_retried_until_done(db, store_url):
    written, fake, clock = Written(store_url), FakeRasa(), Clock()
    sender = uuid.uuid4().hex
    written.write(sender, T0.timestamp())
    record_now(db, sender, clock)
    down = erasures(db, CLOSED_PORT, fake, clock)
    assert await down.erase(sender) is False
    [row] = pending(db)
    assert (row.person_id, row.attempts, row.last_error) == (sender, 1, "ConnectionError")
    assert row.next_attempt_at > T0
    assert await down.run_once() == 0                  # not due yet: nothing tried
    clock.advance(minutes=1)
    assert await down.run_once() == 0                  # still down
    assert pending(db)[0].attempts == 2
    assert written.has(sender)

    up = erasures(db, store_url, fake, clock)          # the store is back
    clock.advance(hours=1)
    assert await up.run_once() == 1
    assert not written.has(sender)
    assert pending(db) == []
    written.close()


async def test_rasa_down_the_erasure_is_retried_until_rasa_forgets_it_too(db, store_url):
    written, fake, clock = Written(store_url), FakeRasa(), Clock()
    sender = uuid.uuid4().hex
    written.write(sender, T0.timestamp())
    record_now(db, sender, clock)
    fake.down = True
    service = erasures(db, store_url, fake, clock)
    assert await service.erase(sender) is False
    assert not written.has(sender)                     # the copy at rest is gone at once
    assert pending(db)[0].last_error == "RasaUnavailable"
    fake.down = False
    clock.advance(hours=1)
    assert await service.run_once() == 1
    assert fake.erased == [sender]
    assert pending(db) == []
    written.close()


async def test_trackers_quiet_longer_than_the_retention_are_swept(db, store_url):
    written, clock = Written(store_url), Clock()
    old, recent = uuid.uuid4().hex, uuid.uuid4().hex
    written.write(old, (T0 - timedelta(days=91)).timestamp())
    written.write(recent, (T0 - timedelta(days=10)).timestamp())
    assert await erasures(db, store_url, FakeRasa(), clock).sweep(90) == 1
    assert not written.has(old)
    assert written.has(recent)
    written.close()


def test_a_store_without_any_tracker_yet_is_fine(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/none.db")
    store.delete("nobody")
    assert store.sweep(T0) == 0
    assert store.senders() == []
    assert open_store("memory") is None
    with pytest.raises(ValueError):
        open_store("mysql://x")



async def test_the_hourly_purge_sweeps_the_trackers_with_the_rest(db, tmp_path):
    url = f"sqlite:///{tmp_path}/trackers.db"
    written, clock = Written(url), Clock()
    written.write("quiet", (T0 - timedelta(days=91)).timestamp())
    purging = asyncio.create_task(keep_purging(db, 90, clock, trackers=erasures(db, url, FakeRasa(), clock)))
    try:
        for _ in range(200):
            if not written.has("quiet"):
                break
            await asyncio.sleep(0.05)
    finally:
        purging.cancel()
        with suppress(asyncio.CancelledError):
            await purging
    assert not written.has("quiet")
    written.close()
