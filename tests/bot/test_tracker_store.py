"""The consent-gated tracker store (bot/tracker_store.py) on the real stores: a SQLite file, the
PostgreSQL `test` database and Redis (a dedicated db number). Before consent nothing reaches the store;
after consent the conversation survives a new store instance (a restart of Rasa), phone numbers
masked; an empty tracker (the API's PUT on SUPPRIMER) deletes it everywhere."""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import ConsentGatedTrackerStore, mask

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/13"
NUMBER = "06 12 34 56 78"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def store_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/trackers.db"
    elif request.param == "postgresql":                 # a fresh database, dropped afterwards
        admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        name = f"tzn_trackers_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        yield REDIS


def stored_text(url: str, sender: str) -> str:
    """Everything the store holds for `sender`, as text ("" when nothing)."""
    if url.startswith("redis"):
        import redis
        value = redis.Redis.from_url(url).get(f"tracker:{sender}")
        return value.decode() if value else ""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return ""
            rows = connection.execute(sa.text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender})
            return "\n".join(row[0] for row in rows)
    finally:
        engine.dispose()


def run(coroutine):
    return asyncio.get_event_loop_policy().new_event_loop().run_until_complete(coroutine)


def conversation(store: ConsentGatedTrackerStore, sender: str, consent: bool | None) -> DialogueStateTracker:
    tracker = store.init_tracker(sender)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("bonjour", {"name": "greet", "confidence": 1.0}))
    tracker.update(SlotSet("consent", consent))
    tracker.update(BotUttered("Quel age avez-vous ?"))
    tracker.update(UserUttered(f"mon numero est le {NUMBER}", {"name": "inform", "confidence": 1.0},
                               [{"entity": "phone", "value": "+33612345678", "start": 18, "end": 32}]))
    tracker.update(SlotSet("phone", "+33612345678"))
    return tracker


def new_store(url: str, domain: Domain, monkeypatch) -> ConsentGatedTrackerStore:
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    store = ConsentGatedTrackerStore(domain=domain)
    store.domain = domain
    return store


def test_before_consent_nothing_is_stored_after_consent_it_survives_a_restart(store_url, domain, monkeypatch):
    sender = uuid.uuid4().hex
    store = new_store(store_url, domain, monkeypatch)
    run(store.save(conversation(store, sender, consent=None)))
    assert stored_text(store_url, sender) == ""
    assert run(store.retrieve(sender)).get_slot("phone") == "+33612345678"   # in memory, for the next turn

    run(store.save(conversation(store, sender, consent=True)))
    at_rest = stored_text(store_url, sender)
    assert "bonjour" in at_rest and "Quel age" in at_rest
    for form in ("12 34 56", "612345678", "0612345678"):
        assert form not in at_rest

    restarted = new_store(store_url, domain, monkeypatch)
    tracker = run(restarted.retrieve(sender))
    assert tracker is not None
    assert tracker.get_slot("consent") is True
    assert tracker.get_slot("phone") == mask("+33612345678") == "•••••••••78"
    assert tracker.latest_message.text == "mon numero est le •• •• •• •• 78"
    assert [e["value"] for e in tracker.latest_message.entities] == ["•••••••••78"]

    run(restarted.save(DialogueStateTracker.from_dict(sender, [], domain.slots)))   # the API's PUT []
    assert stored_text(store_url, sender) == ""
    assert run(new_store(store_url, domain, monkeypatch).retrieve(sender)) is None


def test_a_saved_conversation_grows_without_duplicates(store_url, domain, monkeypatch):
    sender = uuid.uuid4().hex
    store = new_store(store_url, domain, monkeypatch)
    tracker = conversation(store, sender, consent=True)
    run(store.save(tracker))
    tracker = run(store.retrieve(sender))
    tracker.update(UserUttered("j'ai 35 ans", {"name": "inform", "confidence": 1.0}))
    run(store.save(tracker))
    again = run(new_store(store_url, domain, monkeypatch).retrieve(sender))
    texts = [e.text for e in again.events if isinstance(e, UserUttered)]
    assert texts == ["bonjour", "mon numero est le •• •• •• •• 78", "j'ai 35 ans"]
    run(store.delete(sender))


def test_erasure_before_consent_forgets_the_memory_copy(domain, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/trackers.db"
    store = new_store(url, domain, monkeypatch)
    run(store.save(conversation(store, "p1", consent=None)))
    run(store.save(DialogueStateTracker.from_dict("p1", [], domain.slots)))
    assert run(store.retrieve("p1")) is None


def test_masking_keeps_amounts_ages_and_ids():
    assert mask("j'ai 35 ans, 1 200 euros, 3 enfants") == "j'ai 35 ans, 1 200 euros, 3 enfants"
    assert mask("id a1234567890b") == "id a1234567890b"
    assert mask("+33 6 12 34 56 78") == "•• • •• •• •• 78"
    assert json.dumps(mask("0033612345678")) == json.dumps("•••••••••••78")


def test_in_redis_a_tracker_expires_after_the_retention(domain, monkeypatch):
    import redis
    monkeypatch.setenv("RETENTION_DAYS", "30")
    sender = uuid.uuid4().hex
    store = new_store(REDIS, domain, monkeypatch)
    run(store.save(conversation(store, sender, consent=True)))
    ttl = redis.Redis.from_url(REDIS).ttl(f"tracker:{sender}")
    assert 29 * 86400 < ttl <= 30 * 86400
    run(store.delete(sender))


# -- several Rasa servers on one store (`make run`: one per core, scripts/rasa_replicas.py) ----------------
def test_a_conversation_consented_on_another_server_is_read_from_the_store_not_a_stale_memory_copy(
        domain, tmp_path, monkeypatch):
    url, sender = f"sqlite:///{tmp_path}/trackers.db", uuid.uuid4().hex
    first, second = new_store(url, domain, monkeypatch), new_store(url, domain, monkeypatch)
    run(first.save(conversation(first, sender, consent=None)))           # before consent, on the first
    moved = conversation(second, sender, consent=True)                   # the first down: on the second
    moved.update(UserUttered("j'ai 35 ans", {"name": "inform", "confidence": 1.0}))
    run(second.save(moved))
    back = run(first.retrieve(sender))                                   # the first back: the store wins
    assert back.get_slot("consent") is True and back.latest_message.text == "j'ai 35 ans"
    assert sender not in first.memory.store
    assert run(first.retrieve_full_tracker(sender)).get_slot("consent") is True


def _hammer(url: str, domain_path: str, prefix: str, turns: int) -> None:
    import os
    os.environ["TRACKER_STORE_URL"] = url
    domain = Domain.load(domain_path)
    store = ConsentGatedTrackerStore(domain=domain)
    store.domain = domain
    for n in range(turns):
        sender = f"{prefix}-{n % 5}"
        tracker = run(store.retrieve(sender)) or conversation(store, sender, consent=True)
        tracker.update(UserUttered(f"{prefix} {n}", {"name": "inform", "confidence": 1.0}))
        run(store.save(tracker))


def test_two_processes_write_the_same_sqlite_store_at_once_without_losing_a_turn(domain, tmp_path):
    import multiprocessing
    url, turns = f"sqlite:///{tmp_path}/trackers.db", 60
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hammer, args=(url, str(ROOT / "bot" / "domain"), prefix, turns))
               for prefix in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
    assert [worker.exitcode for worker in workers] == [0, 0]          # no « database is locked »
    for prefix in ("a", "b"):
        events = [json.loads(line) for n in range(5) for line in stored_text(url, f"{prefix}-{n}").splitlines()]
        said = [e["text"] for e in events if e["event"] == "user" and e["text"].startswith(f"{prefix} ")]
        assert sorted(said, key=lambda text: int(text.split()[1])) == [f"{prefix} {n}" for n in range(turns)]
