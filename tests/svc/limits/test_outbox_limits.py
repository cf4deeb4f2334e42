"""The outbox's part (api/outbox.py) on SQLite and PostgreSQL: the daily SMS cap per number, and held
messages released by the recipient's confirmation or expired unconfirmed."""
from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from api.core.db import Database
from api.core.security import Vault
from api.models import OutboxMessage
from api.outbox import Outbox
from channels.messages import BotMessage
from tests.svc import support
from tests.svc.support import BOTH, Clock, Recorder

NUMBER, OTHER = "+33612345678", "+33698765432"


@pytest.fixture(params=BOTH)
def db(request, tmp_path) -> Iterator[Database]:  # noqa: ANN001
    with support.migrated(request.param, tmp_path, "tzn_outbox_limits") as database:
        yield database


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sms() -> Recorder:
    return Recorder()


@pytest.fixture
def outbox(db: Database, clock: Clock, sms: Recorder) -> Outbox:
    vault = Vault(base64.urlsafe_b64encode(b"o" * 32).decode())
    return Outbox(db, vault, {"sms": sms, "telegram": Recorder()}, clock=clock, sms_daily_cap=3)


def texts(*words: str) -> list[BotMessage]:
    return [BotMessage(text=word) for word in words]


async def test_no_more_than_the_cap_in_24_hours_per_number(outbox, clock, sms):
    for n in range(5):
        await outbox.enqueue("sms", "person-1", NUMBER, texts(f"Message {n}."))
        await outbox.drain()
        clock.advance(hours=1)
    assert sms.texts(NUMBER) == ["Message 0.", "Message 1.", "Message 2."]
    await outbox.enqueue("telegram", "person-1", "4242", texts("Telegram."))   # SMS only: Telegram costs nothing
    await outbox.enqueue("sms", "person-2", OTHER, texts("Autre numéro."))
    await outbox.drain()
    assert sms.texts(OTHER) == ["Autre numéro."]
    clock.advance(hours=20)                          # 24 h after the first one: one place again
    await outbox.enqueue("sms", "person-1", NUMBER, texts("Le lendemain."))
    await outbox.drain()
    assert sms.texts(NUMBER)[-1] == "Le lendemain."


async def test_held_messages_wait_for_the_confirmation(outbox, clock, sms):
    start = clock.now + timedelta(days=2)
    await outbox.enqueue("sms", "person-1", NUMBER, texts("Rappel."), not_before=clock.now, not_after=start,
                         kind="reminder_48h", held=True)
    assert await outbox.has_waiting("sms", "person-1", ["reminder_48h"])
    await outbox.drain()
    assert sms.texts() == []
    assert await outbox.release_held("sms", "person-2") == 0       # another number confirms nothing here
    assert await outbox.release_held("sms", "person-1") == 1
    await outbox.drain()
    assert sms.texts(NUMBER) == ["Rappel."]
    assert not await outbox.has_waiting("sms", "person-1", ["reminder_48h"])


async def test_held_messages_expire_unconfirmed_and_can_be_cancelled(outbox, clock, sms):
    start = clock.now + timedelta(hours=3)
    expiring = await outbox.enqueue("sms", "person-1", NUMBER, texts("Rappel."), not_after=start, held=True)
    cancelled = await outbox.enqueue("sms", "person-3", OTHER, texts("Rappel 2."), not_after=start, held=True)
    assert await outbox.cancel(cancelled) == 1
    clock.advance(hours=4)
    outbox._last_maintenance = None
    await outbox.run_once()
    assert await outbox.release_held("sms", "person-1") == 0       # too late: the appointment has begun
    rows = {row.id: row for row in await outbox.db.run(lambda s: s.exec(select(OutboxMessage)).all())}
    assert (rows[expiring[0]].status, rows[expiring[0]].address_enc) == ("expired", None)
    assert rows[cancelled[0]].status == "cancelled" and sms.texts() == []
