"""Rasa's conversation trackers, seen from the API: erased for real and swept after the retention.

Rasa keeps the events of a conversation (the person's messages, slots) in its tracker store; the API
reaches the same store (`TRACKER_STORE_URL`, the same value Rasa's `bot/tracker_store.py` reads):

- `redis://[:password@]host:port/db`: one key `tracker:<sender>` per conversation (RedisTrackerStore);
- `sqlite:///path` or `postgresql://...`: the rows of the `events` table (SQLTrackerStore).

SUPPRIMER (`ConversationService.erase_person`) records a `PendingErasure` (the pseudonym only) in the
same transaction as the rest of the erasure; `Erasures` then asks Rasa to drop any copy it holds in
memory (PUT of an empty event list, which the consent-gated store turns into a deletion) and deletes
the tracker in the store. Whatever fails (Rasa or the store down) is retried in the background until
done. The hourly sweep deletes trackers whose last event is older than `RETENTION_DAYS`.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from api.core.db import Database
from api.core.rounds import run_rounds
from api.models import PendingErasure, utcnow
from api.rasa_client import RasaClient, RasaUnavailable

log = logging.getLogger(__name__)
REDIS_PREFIX = "tracker:"          # rasa.core.tracker_store.DEFAULT_REDIS_TRACKER_STORE_KEY_PREFIX
SQL_TABLE = "events"               # rasa.core.tracker_store.SQLTrackerStore.SQLEvent
RETRY_FIRST = timedelta(seconds=5)
RETRY_MAX = timedelta(minutes=30)


class TrackerStore(Protocol):
    def delete(self, sender_id: str) -> None: ...
    def sweep(self, before: datetime) -> int: ...
    def senders(self) -> list[str]: ...
    def dispose(self) -> None: ...


class RedisTrackers:
    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    def delete(self, sender_id: str) -> None:
        self._redis.delete(REDIS_PREFIX + sender_id)

    def senders(self) -> list[str]:
        return [key.decode()[len(REDIS_PREFIX):] for key in self._redis.scan_iter(match=REDIS_PREFIX + "*")]

    def sweep(self, before: datetime) -> int:
        """Keys also expire by themselves (`record_exp`); this catches keys written without it."""
        limit, count = before.timestamp(), 0
        for key in self._redis.scan_iter(match=REDIS_PREFIX + "*"):
            stored = self._redis.get(key)
            try:
                events = json.loads(stored)["events"] if stored else []
            except (ValueError, KeyError, TypeError):
                events = []
            last = max((float(e.get("timestamp") or 0) for e in events), default=0.0)
            if last < limit:
                count += self._redis.delete(key)
        return count

    def dispose(self) -> None:
        self._redis.close()


class SqlTrackers:
    def __init__(self, url: str):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg2://" + url[len("postgresql://"):]
        self._engine = sa.create_engine(url, pool_pre_ping=True)
        self._events = sa.table(SQL_TABLE, sa.column("sender_id"), sa.column("timestamp"))

    def _exists(self, connection: sa.Connection) -> bool:
        return sa.inspect(connection).has_table(SQL_TABLE)   # none yet: Rasa never stored a tracker

    def delete(self, sender_id: str) -> None:
        with self._engine.begin() as connection:
            if self._exists(connection):
                connection.execute(sa.delete(self._events).where(self._events.c.sender_id == sender_id))

    def senders(self) -> list[str]:
        with self._engine.connect() as connection:
            if not self._exists(connection):
                return []
            return list(connection.execute(sa.select(self._events.c.sender_id).distinct()).scalars())

    def sweep(self, before: datetime) -> int:
        events = self._events
        with self._engine.begin() as connection:
            if not self._exists(connection):
                return 0
            idle = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
                    .having(sa.func.max(events.c.timestamp) < before.timestamp()))
            senders = list(connection.execute(idle).scalars())
            for chunk in range(0, len(senders), 500):
                batch = senders[chunk:chunk + 500]
                connection.execute(sa.delete(events).where(events.c.sender_id.in_(batch)))
            return len(senders)

    def dispose(self) -> None:
        self._engine.dispose()


def open_store(url: str | None) -> TrackerStore | None:
    """The store behind `url`; None when Rasa keeps trackers in memory only."""
    if not url or url == "memory":
        return None
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisTrackers(url)
    if url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg2:")):
        return SqlTrackers(url)
    raise ValueError("TRACKER_STORE_URL must start with redis://, sqlite:/// or postgresql://")


class Erasures:
    """Deletes the trackers of erased people, until done."""

    def __init__(self, db: Database, rasa: RasaClient, store: TrackerStore | None, *,
                 clock: Callable[[], datetime] = utcnow, poll_seconds: float = 5.0):
        self.db = db
        self.rasa = rasa
        self.store = store
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    async def erase(self, person_id: str) -> bool:
        """Try now (the pending row was recorded with the erasure); True once the tracker is gone."""
        done = await self._attempt(person_id)
        if not done:
            self._wake.set()
        return done

    async def _attempt(self, person_id: str) -> bool:
        failure = None
        if self.store is not None:                 # the copy at rest first, even if Rasa is down
            try:
                await asyncio.to_thread(self.store.delete, person_id)
            except Exception as error:  # noqa: BLE001  (store down: retried)
                failure = type(error).__name__
        try:
            await self.rasa.erase(person_id)       # Rasa's own copy (in memory before consent)
        except RasaUnavailable:
            failure = failure or "RasaUnavailable"
        if failure is not None:
            log.warning("Tracker erasure postponed (%s)", failure)
            await self.db.run(_postpone, person_id, self.clock(), failure)
            return False
        await self.db.run(_done, person_id)
        return True

    async def run_once(self) -> int:
        """Retry the erasures that are due; returns how many are done."""
        due = await self.db.run(_due, self.clock())
        done = 0
        for person_id in due:
            done += await self._attempt(person_id)
        return done

    async def run(self) -> None:
        """The retry loop, for the API's lifetime."""
        await run_rounds(self.run_once, self._wake, self.poll_seconds, log, "Tracker erasure loop failed")

    async def sweep(self, days: int) -> int:
        """Trackers quiet for more than `days` are deleted (with the rest of the retention)."""
        if self.store is None:
            return 0
        return await asyncio.to_thread(self.store.sweep, self.clock() - timedelta(days=days))


# -- database work (runs in a worker thread) ------------------------------------------------------------
def record(session: Session, person_id: str, now: datetime) -> None:
    """Called inside the erasure's own transaction (no commit here)."""
    if session.get(PendingErasure, person_id) is None:
        session.add(PendingErasure(person_id=person_id, created_at=now, next_attempt_at=now))


def _due(session: Session, now: datetime) -> list[str]:
    query = select(PendingErasure.person_id).where(PendingErasure.next_attempt_at <= now)
    return list(session.exec(query.order_by(PendingErasure.next_attempt_at).limit(200)).all())


def _postpone(session: Session, person_id: str, now: datetime, error: str) -> None:
    row = session.get(PendingErasure, person_id)
    if row is None:
        row = PendingErasure(person_id=person_id, created_at=now)
    row.attempts += 1
    row.next_attempt_at = now + min(RETRY_FIRST * 2 ** min(row.attempts - 1, 12), RETRY_MAX)
    row.last_error = error[:64]
    session.add(row)
    session.commit()


def _done(session: Session, person_id: str) -> None:
    session.exec(delete(PendingErasure).where(PendingErasure.person_id == person_id))
    session.commit()
