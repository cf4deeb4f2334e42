"""The outbox on its own, with a controllable clock: order per recipient, backoff, permanent failures,
not_before / not_after, flood control (RetryAfter), claims by concurrent workers, encryption at rest,
stopped conversations, a crashed worker, and the same on PostgreSQL when it is there."""
from __future__ import annotations

import asyncio
import base64
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from api.core.db import Database
from api.core.security import Vault
from api.models import Conversation, OutboxMessage
from api.outbox import Outbox
from channels.base import ChannelAdapter, DeliveryError, Outgoing
from channels.gsm7 import segments
from channels.messages import BotMessage
from channels.telegram.adapter import TelegramAdapter
from tests.fakes.telegram import BOT_TOKEN, FakeTelegram
from tests.svc import support
from tests.svc.support import T0, Clock, Recorder

NUMBER = "+33612345678"


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/outbox.db")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def vault() -> Vault:
    return Vault(base64.urlsafe_b64encode(b"v" * 32).decode())


def make(db: Database, vault: Vault, clock: Clock, adapter: ChannelAdapter | None = None, **options) -> Outbox:
    adapters = {"sms": adapter or Recorder()}
    return Outbox(db, vault, adapters, clock=clock, backoff_seconds=10, backoff_max_seconds=60, **options)


def rows(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


async def test_messages_to_one_person_leave_in_order_even_after_a_failure(db, vault):
    clock, adapter = Clock(), Recorder()
    outbox = make(db, vault, clock, adapter)
    await outbox.enqueue("sms", "p1", NUMBER, [Outgoing("un"), Outgoing("deux"), Outgoing("trois")])
    await outbox.enqueue("sms", "p2", "+33600000002", [Outgoing("autre")])
    adapter.fail("un", DeliveryError("twilio_503"))
    await outbox.drain()
    # « un » failed and waits for its retry: « deux » and « trois » wait behind it; p2 is not held back.
    assert adapter.texts(NUMBER) == [] and adapter.texts("+33600000002") == ["autre"]
    first = rows(db)[0]
    assert (first.status, first.attempts, first.next_attempt_at) == ("pending", 1, T0 + timedelta(seconds=10))
    clock.advance(seconds=10)
    await outbox.drain()
    assert adapter.texts(NUMBER) == ["un", "deux", "trois"]
    assert [(r.sequence, r.status) for r in rows(db) if r.person_id == "p1"] == [(1, "sent"), (2, "sent"), (3, "sent")]


async def test_one_round_sends_one_message_per_person(db, vault):
    adapter = Recorder()
    outbox = make(db, vault, Clock(), adapter)
    await outbox.enqueue("sms", "p1", NUMBER, [Outgoing("un"), Outgoing("deux")])
    assert await outbox.run_once() == 1
    assert adapter.texts() == ["un"]
    assert await outbox.run_once() == 1
    assert adapter.texts() == ["un", "deux"]
    assert await outbox.run_once() == 0


async def test_backoff_doubles_then_the_message_fails_and_is_wiped(db, vault):
    clock, adapter = Clock(), Recorder()
    outbox = make(db, vault, clock, adapter, max_attempts=4)
    await outbox.enqueue("sms", "p1", NUMBER, [Outgoing("un"), Outgoing("deux")])
    adapter.fail("un", DeliveryError("twilio_503"), times=4)
    delays = []
    for _ in range(3):
        await outbox.drain()
        row = rows(db)[0]
        delays.append((row.next_attempt_at - clock.now).total_seconds())
        clock.now = row.next_attempt_at
    assert delays == [10, 20, 40]
    await outbox.drain()
    first, second = rows(db)
    assert (first.status, first.attempts, first.last_error) == ("failed", 4, "twilio_503")
    assert first.address_enc is None and first.content_enc is None
    assert second.status == "sent" and adapter.texts() == ["deux"]   # the next one is not stuck


async def test_a_permanent_failure_is_not_retried(db, vault):
    adapter = Recorder()
    outbox = make(db, vault, Clock(), adapter)
    await outbox.enqueue("sms", "p1", NUMBER, [Outgoing("un")])
    adapter.fail("un", DeliveryError("twilio_21211", permanent=True))
    await outbox.drain()
    [row] = rows(db)
    assert (row.status, row.attempts, row.address_enc) == ("failed", 1, None)


async def test_a_message_whose_not_after_has_passed_is_never_sent(db, vault):
    clock, adapter = Clock(), Recorder()
    outbox = make(db, vault, clock, adapter)
    await outbox.enqueue("sms", "p1", NUMBER, [BotMessage("Rappel : rendez-vous demain à 10 h.")], kind="reminder",
                         not_before=T0 + timedelta(hours=1), not_after=T0 + timedelta(hours=2))
    await outbox.enqueue("sms", "p2", NUMBER, [Outgoing("déjà trop tard")], not_after=T0 - timedelta(minutes=1))
    clock.advance(hours=3)                                    # the process was down past the window
    await outbox.drain()
    assert adapter.sent == []
    assert [(r.status, r.last_error, r.address_enc, r.content_enc) for r in rows(db)] == [
        ("expired", "not_after_passed", None, None)] * 2


async def test_a_reminder_waits_for_not_before_without_holding_back_replies(db, vault):
    clock, adapter = Clock(), Recorder()
    outbox = make(db, vault, clock, adapter)
    await outbox.enqueue("sms", "p1", NUMBER, [Outgoing("rappel")], kind="reminder",
                         not_before=T0 + timedelta(hours=20), not_after=T0 + timedelta(hours=24))
    await outbox.enqueue("sms", "p1", NUMBER, [Outgoing("réponse")])
    assert not await outbox.has_unsent("sms", "p2")
    await outbox.drain()
    assert adapter.texts() == ["réponse"]
    clock.advance(hours=20)
    await outbox.drain()
    assert adapter.texts() == ["réponse", "rappel"]


async def test_nothing_leaves_for_a_stopped_conversation_except_its_confirmation(db, vault):
    adapter = Recorder()
    outbox = make(db, vault, Clock(), adapter)
    with db.session() as session:
        session.add(Conversation(id="c1", channel="sms", person_id="p1", stopped_at=T0))
        session.commit()
    await outbox.enqueue("sms", "p1", NUMBER, [Outgoing("rappel")], kind="reminder")
    await outbox.enqueue("sms", "p1", NUMBER, [Outgoing("C'est noté, je ne vous écris plus.")], confirmation=True)
    await outbox.drain()
    assert adapter.texts() == ["C'est noté, je ne vous écris plus."]
    assert [(r.status, r.last_error) for r in rows(db)] == [("failed", "recipient_stopped"), ("sent", None)]


async def test_the_number_and_the_text_are_encrypted_at_rest(db, vault):
    outbox = make(db, vault, Clock())
    await outbox.enqueue("sms", "p1", NUMBER, [BotMessage("Votre loyer : 612 €")])
    with db.engine.connect() as connection:
        raw = " ".join(str(v) for row in connection.execute(sa.text("SELECT * FROM outboxmessage")) for v in row)
    assert "612345678" not in raw and "loyer" not in raw
    [row] = rows(db)
    assert vault.decrypt(row.address_enc) == NUMBER


async def test_bot_messages_are_rendered_and_cut_for_the_channel(db, vault):
    adapter = Recorder()
    outbox = make(db, vault, Clock(), adapter)
    long_text = "Une phrase assez longue pour remplir un bon morceau de SMS, vraiment. " * 7
    await outbox.enqueue("sms", "p1", NUMBER, [BotMessage(long_text.strip() + " Ça coûte 5 €.")])
    await outbox.drain()
    assert len(adapter.sent) == 2 and [r.sequence for r in rows(db)] == [1, 2]
    assert all(segments(text)[0] <= 2 for text in adapter.texts())
    assert adapter.texts()[-1].endswith("Ça coute 5 €.")                # GSM-7: û -> u, Ç and € kept


async def test_concurrent_workers_send_each_message_once(db, vault):
    adapter = Recorder()
    clock = Clock()
    first, second = make(db, vault, clock, adapter), make(db, vault, clock, adapter)
    for person in range(5):
        await first.enqueue("sms", f"p{person}", f"+3360000000{person}", [Outgoing("a"), Outgoing("b")])
    for _ in range(4):
        await asyncio.gather(first.run_once(), second.run_once())
    assert sorted(adapter.sent) == sorted((f"+3360000000{p}", t) for p in range(5) for t in "ab")


async def test_a_message_claimed_by_a_worker_that_crashed_is_sent_after_the_lease(db, vault):
    clock, adapter = Clock(), Recorder()
    outbox = make(db, vault, clock, adapter)
    await outbox.enqueue("sms", "p1", NUMBER, [Outgoing("un")])
    with db.session() as session:                            # claimed, then the process died
        session.execute(sa.update(OutboxMessage).values(locked_until=T0 + timedelta(minutes=2)))
        session.commit()
    await outbox.drain()
    assert adapter.sent == []
    clock.advance(minutes=3)
    restarted = make(db, vault, clock, adapter)
    await restarted.drain()
    assert adapter.texts() == ["un"]


async def test_telegram_retry_after_sets_the_next_attempt(db, vault):
    telegram = FakeTelegram().start()
    adapter = TelegramAdapter(token=BOT_TOKEN, api_base_url=telegram.url)
    try:
        clock = Clock()
        outbox = Outbox(db, vault, {"telegram": adapter}, clock=clock, backoff_seconds=10)
        await outbox.enqueue("telegram", "p1", "4242", [Outgoing("un"), Outgoing("deux")])
        telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
        await outbox.drain()
        first = rows(db)[0]
        assert (first.status, first.next_attempt_at, first.last_error) == (
            "pending", T0 + timedelta(seconds=7), "telegram_retry_after")
        clock.advance(seconds=6)
        await outbox.drain()
        assert telegram.calls("sendMessage") == []
        clock.advance(seconds=1)
        await outbox.drain()
        assert [c["text"] for c in telegram.calls("sendMessage")] == ["un", "deux"]
        assert [r.status for r in rows(db)] == ["delivered", "delivered"]   # Telegram's answer is final
        assert all(r.address_enc is None for r in rows(db))
    finally:
        await adapter.aclose()
        telegram.stop()


async def test_a_telegram_user_who_blocked_the_bot_is_a_permanent_failure(db, vault):
    telegram = FakeTelegram().start()
    adapter = TelegramAdapter(token=BOT_TOKEN, api_base_url=telegram.url)
    try:
        outbox = Outbox(db, vault, {"telegram": adapter}, clock=Clock())
        await outbox.enqueue("telegram", "p1", "4242", [Outgoing("un")])
        telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
        await outbox.drain()
        [row] = rows(db)
        assert (row.status, row.last_error) == ("failed", "telegram_forbidden")
    finally:
        await adapter.aclose()
        telegram.stop()


async def test_status_reports_only_move_forward(db, vault):
    adapter = Recorder()
    outbox = make(db, vault, Clock(), adapter)
    await outbox.enqueue("sms", "p1", NUMBER, [Outgoing("un")])
    await outbox.drain()
    assert await outbox.record_status("sms", "id-1", "delivered")
    assert await outbox.record_status("sms", "id-1", "queued")
    assert not await outbox.record_status("sms", "unknown", "delivered")
    assert not await outbox.record_status("sms", "id-1", "weird")
    [row] = rows(db)
    assert (row.status, row.address_enc) == ("delivered", None)


# -- PostgreSQL ----------------------------------------------------------------------------------------------
@pytest.fixture
def postgres_db() -> Iterator[Database]:
    """A fresh PostgreSQL database, or a skip when the server is absent."""
    with support.database_url("postgresql", Path(tempfile.gettempdir()), "tzn_outbox") as url:
        database = Database(url)
        try:
            database.migrate()
            yield database
        finally:
            database.dispose()


@pytest.mark.postgres
async def test_order_claims_and_expiry_on_postgresql(postgres_db, vault):
    clock, adapter = Clock(), Recorder()
    first, second = make(postgres_db, vault, clock, adapter), make(postgres_db, vault, clock, adapter)
    await first.enqueue("sms", "p1", NUMBER, [Outgoing("un"), Outgoing("deux"), Outgoing("trois")])
    await first.enqueue("sms", "p2", NUMBER, [Outgoing("jamais")], not_after=T0 + timedelta(seconds=1))
    clock.advance(seconds=2)
    for _ in range(4):
        await asyncio.gather(first.run_once(), second.run_once())
    assert adapter.texts() == ["un", "deux", "trois"]
    assert [r.status for r in rows(postgres_db)] == ["sent", "sent", "sent", "expired"]
