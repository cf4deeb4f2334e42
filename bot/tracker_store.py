"""Rasa's tracker store (runs inside the Rasa process; `bot/endpoints*.yml`: `type: bot.tracker_store.
ConsentGatedTrackerStore`).

- Before the person agrees to the privacy notice (slot `consent` not true), a conversation lives in
  memory only: nothing is written to disk, as the notice promises.
- Once they agree, it lives in a persistent store, so that a restart loses nothing: Rasa's SQL tracker
  store (SQLite for `make run`, PostgreSQL) or its Redis store (with an expiry of `RETENTION_DAYS`).
  `TRACKER_STORE_URL` (the same variable the API reads to erase and sweep, api/trackers.py) wins over
  `store_url` of the endpoints file.
- Phone numbers never reach the store: in every event (the person's text, entities, slots, the bot's
  own messages) a phone-like number keeps only its last two digits (« •• •• •• •• 78 »). The action
  that needs the number runs in the same turn, before the tracker is saved, and hands it to the API,
  which keeps it encrypted.
- An empty tracker saved (the API's PUT of an empty event list on SUPPRIMER) deletes the
  conversation everywhere, memory and store.
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import sqlalchemy

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import (InMemoryTrackerStore, RedisTrackerStore, SerializedTrackerAsText,
                                     SQLTrackerStore, TrackerStore)
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'trackers.db'}"
CONSENT_SLOT = "consent"
# A phone-like run of at least 9 digits, spaces, dots or dashes between them (+33 6 12 34 56 78,
# 06.12.34.56.78, 0033612345678); never inside a word or an id.
PHONE_LIKE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[\s.\-/]{0,2}\d){8,}(?!\w)")
NOT_REDACTED = frozenset({"message_id", "timestamp", "event", "name", "policy", "action_text"})


def mask(text: str) -> str:
    """Every phone-like number of `text` with its digits hidden but the last two."""
    def hide(match: re.Match[str]) -> str:
        number = match.group(0)
        keep = len(number) - 2
        return re.sub(r"\d", "•", number[:keep]).replace("+", "") + number[keep:]
    return PHONE_LIKE.sub(hide, text)


def holds_phone(value: Any, key: str = "") -> bool:
    if isinstance(value, str):
        return key not in NOT_REDACTED and PHONE_LIKE.search(value) is not None
    if isinstance(value, dict):
        return any(holds_phone(v, k) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_phone(v, key) for v in value)
    return False


def redacted(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        return value if key in NOT_REDACTED else mask(value)
    if isinstance(value, dict):
        return {k: redacted(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v, key) for v in value]
    return value


def open_store(url: str, domain: Domain | None, event_broker: EventBroker | None,
               record_exp: int | None) -> TrackerStore:
    """Rasa's own Redis or SQL tracker store for `url`."""
    parsed = urlparse(url)
    if parsed.scheme in ("redis", "rediss"):
        return RedisTrackerStore(domain=domain, host=parsed.hostname or "localhost", port=parsed.port or 6379,
                                 db=int(parsed.path.strip("/") or 0),
                                 password=unquote(parsed.password or "") or None,
                                 username=unquote(parsed.username or "") or None,
                                 use_ssl=parsed.scheme == "rediss", record_exp=record_exp, event_broker=event_broker)
    if parsed.scheme == "sqlite":
        path = url.split("///", 1)[1]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        store = SQLTrackerStore(domain=domain, dialect="sqlite", db=path, event_broker=event_broker)
        sqlalchemy.event.listen(store.engine, "connect", _sqlite_pragmas)
        return store
    if parsed.scheme.startswith("postgresql"):
        return SQLTrackerStore(domain=domain, dialect="postgresql", host=parsed.hostname, port=parsed.port,
                               db=parsed.path.strip("/"), username=unquote(parsed.username or "") or None,
                               password=unquote(parsed.password or "") or None, event_broker=event_broker)
    raise ValueError("TRACKER_STORE_URL must start with redis://, sqlite:/// or postgresql://")


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL, as the API's database: a turn's commit no longer waits for a full sync of the file, and
    several Rasa processes (`make run`, one per core: scripts/rasa_replicas.py) share the file, readers
    never blocked, a writer waiting up to 30 s for another (the wait is set first: switching to WAL
    takes a lock too)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class ConsentGatedTrackerStore(TrackerStore, SerializedTrackerAsText):
    """In memory until consent, then in the persistent store, phone numbers masked."""

    def __init__(self, domain: Domain | None = None, host: str | None = None,
                 event_broker: EventBroker | None = None, store_url: str | None = None,
                 max_in_memory: int = 20000, **kwargs: Any) -> None:
        url = os.environ.get("TRACKER_STORE_URL") or store_url or DEFAULT_URL
        days = int(os.environ.get("RETENTION_DAYS") or 90)
        self.persistent = open_store(url, domain, event_broker, record_exp=days * 86400)
        self.memory = InMemoryTrackerStore(domain)
        self.max_in_memory = max_in_memory
        self._persisted: set[str] = set()      # conversations known to be in the persistent store
        super().__init__(domain, event_broker, **kwargs)
        log.info("Trackers: in memory before consent, then in %s", type(self.persistent).__name__)

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        self._domain = domain or Domain.empty()
        self.persistent.domain = self._domain
        self.memory.domain = self._domain

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender = tracker.sender_id
        if not tracker.events:                 # erasure (PUT of an empty event list)
            await self.delete(sender)
            return
        if tracker.get_slot(CONSENT_SLOT) is True:
            self.memory.store.pop(sender, None)
            await self.persistent.save(self.redacted(tracker))
            self._persisted.add(sender)
            return
        if sender in self._persisted:          # consent withdrawn: back to memory only
            await self._delete_persisted(sender)
        self.memory.store.pop(sender, None)    # most recent last
        await self.memory.save(tracker)
        while len(self.memory.store) > self.max_in_memory:
            self.memory.store.pop(next(iter(self.memory.store)))

    def redacted(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """The tracker itself when it holds no phone-like number (most turns), else a masked copy."""
        events = [event.as_dict() for event in tracker.events]
        if not holds_phone(events):
            return tracker
        return DialogueStateTracker.from_dict(tracker.sender_id, [redacted(event) for event in events],
                                              self.domain.slots, max_event_history=tracker._max_event_history)

    async def delete(self, sender_id: str) -> None:
        self.memory.store.pop(sender_id, None)
        await self._delete_persisted(sender_id)

    async def _delete_persisted(self, sender_id: str) -> None:
        store = self.persistent
        if isinstance(store, RedisTrackerStore):
            store.red.delete(store.key_prefix + sender_id)
        elif isinstance(store, SQLTrackerStore):
            with store.session_scope() as session:
                session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete()
                session.commit()
        self._persisted.discard(sender_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = await self.persistent.retrieve(sender_id)
        if tracker is not None:
            self._persisted.add(sender_id)
            self._forget_stale(sender_id)
            return tracker
        if sender_id in self.memory.store:
            return await self.memory.retrieve(sender_id)
        return None

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = await self.persistent.retrieve_full_tracker(sender_id)
        if tracker is not None:
            self._forget_stale(sender_id)
            return tracker
        return await self.memory.retrieve_full_tracker(sender_id) if sender_id in self.memory.store else None

    def _forget_stale(self, sender_id: str) -> None:
        """A conversation in the store and in this process's memory consented on another Rasa server
        (replicas: api/rasa_client.py moved it there while this one was down): the store is the truth."""
        if self.memory.store.pop(sender_id, None) is not None:
            log.info("A conversation consented on another Rasa server: its copy in memory dropped")

    async def keys(self) -> Iterable[str]:
        stored = [key for key in await self.persistent.keys() if key not in self.memory.store]
        return list(self.memory.store) + stored
