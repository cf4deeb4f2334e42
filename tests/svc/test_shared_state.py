"""Several API processes: what one process learns or holds, every other one sees (api/core/shared.py),
and the outbox never sends a message twice. Two apps (create_app twice) on one PostgreSQL database
and one Redis, each test under its own key prefix; skipped when either server is missing."""
from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from api.core.security import Pseudonymiser, Vault
from api.models import InboundMessage
from api.core.shared import ADDRESS_KEEP, Busy, MemoryState, RedisState, shared_state
from api import outbox as outbox_module
from api.outbox import Outbox
from channels.messages import BotMessage
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.app import PSEUDONYM_KEY, Running, make_settings, running
from tests.fakes.rasa import FakeRasa, say
from tests.fakes.telegram import message_update
from tests.svc import support
from tests.svc.booking.conftest import MONDAY, TERRITORY
from tests.svc.support import Clock, Recorder

pytestmark = pytest.mark.postgres

REDIS = "redis://127.0.0.1:6379/0"
VAULT = Vault(base64.urlsafe_b64encode(b"s" * 32).decode())
INTERNAL = {"Authorization": "Bearer internal-secret"}
CHAT = 515151
THURSDAY_14 = "test_ville:marche_jeudi:2026-12-03T14:00"


def person(chat: int = CHAT) -> str:
    return Pseudonymiser(PSEUDONYM_KEY).pseudonym("telegram", str(chat))


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A key prefix of its own (other runs share this Redis), wiped afterwards."""
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS)
    try:
        await redis.ping()
    except Exception as error:  # noqa: BLE001
        await redis.aclose()
        pytest.skip(f"Redis is not reachable at {REDIS} ({type(error).__name__})")
    name = f"tzn-test-{uuid.uuid4().hex}"
    yield name
    keys = [key async for key in redis.scan_iter(f"{name}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


async def raw(prefix: str) -> dict[str, Any]:
    """Everything stored under the prefix: keys, values and TTLs, as Redis holds them."""
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS)
    found = {}
    async for key in redis.scan_iter(f"{prefix}:*"):
        kind = (await redis.type(key)).decode()
        value = await redis.hgetall(key) if kind == "hash" else await redis.get(key)
        found[key.decode()] = (value, await redis.ttl(key))
    await redis.aclose()
    return found


# -- the stores themselves ------------------------------------------------------------------------------
async def test_the_address_book_is_shared_encrypted_keyed_by_pseudonym_and_expires(prefix):
    one, other = RedisState(REDIS, VAULT, prefix), RedisState(REDIS, VAULT, prefix)
    try:
        await one.remember_address("telegram", person(), str(CHAT))
        assert await other.address("telegram", person()) == str(CHAT)
        assert await other.address("sms", person()) is None
        stored = await raw(prefix)
        assert list(stored) == [f"{prefix}:address:{person()}"]
        [(value, ttl)] = stored.values()
        assert str(CHAT).encode() not in b"".join(list(value) + list(value.values()))
        assert 0 < ttl <= ADDRESS_KEEP.total_seconds()
        await other.forget_person(person())
        assert await one.address("telegram", person()) is None and await raw(prefix) == {}
    finally:
        await one.aclose()
        await other.aclose()


async def test_one_person_is_held_by_one_process_at_a_time(prefix):
    one, other = RedisState(REDIS, VAULT, prefix), RedisState(REDIS, VAULT, prefix)
    try:
        async with one.person_lock("sms", person(), hold=30, wait=1):
            with pytest.raises(Busy):
                async with other.person_lock("sms", person(), hold=30, wait=0.2):
                    pass
            async with other.person_lock("sms", "someone-else", hold=30, wait=0.2):
                pass                                          # other people are not held
        async with other.person_lock("sms", person(), hold=30, wait=0.2):
            pass                                              # released: free again
        assert all(":person:" not in key or person() in key for key in await raw(prefix))
    finally:
        await one.aclose()
        await other.aclose()


async def test_a_replay_waits_for_the_first_answer_in_another_process(prefix):
    one, other = RedisState(REDIS, VAULT, prefix), RedisState(REDIS, VAULT, prefix)
    order: list[str] = []

    async def first() -> None:
        async with one.replay_lock("c1", "m1", hold=5):
            await asyncio.sleep(0.3)
            await one.keep_replay("c1", "m1", [BotMessage("Quel âge avez-vous ?").to_json()])
            order.append("first answered")

    async def retry() -> None:
        await asyncio.sleep(0.05)
        async with other.replay_lock("c1", "m1", hold=5):
            order.append("retry reads")
            assert await other.replayed("c1", "m1") == [{"text": "Quel âge avez-vous ?", "buttons": [], "ask": None}]

    try:
        await asyncio.gather(first(), retry())
        assert order == ["first answered", "retry reads"]
        assert all("m1" not in key for key in await raw(prefix))    # the client's id is digested
        await other.forget_conversations({"c1"})
        assert await one.replayed("c1", "m1") is None
    finally:
        await one.aclose()
        await other.aclose()


async def test_without_redis_or_without_the_vault_the_state_stays_in_memory():
    assert isinstance(shared_state(None, VAULT, "p"), MemoryState)
    assert isinstance(shared_state(REDIS, None, "p"), MemoryState)
    memory = MemoryState()
    await memory.remember_address("sms", "p1", "+33612345678")
    assert await memory.address("sms", "p1") == "+33612345678"
    await memory.forget_person("p1")
    assert await memory.address("sms", "p1") is None


# -- two API processes ------------------------------------------------------------------------------------
@pytest.fixture
async def two_apps(tmp_path: Path, prefix: str) -> AsyncIterator[tuple[Running, Running, FakeRasa, Any]]:
    """Two API processes on one PostgreSQL database, one Redis, one Rasa and one Telegram."""
    twilio, telegram = tw.FakeTwilio().start(), tg.FakeTelegram().start()
    folder = tmp_path / "territories"
    folder.mkdir()
    (folder / "test_ville.yml").write_text(TERRITORY, encoding="utf-8")
    inflight: dict[str, int] = {}
    most: list[int] = [0]

    async def slow_bot(sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        inflight[sender] = inflight.get(sender, 0) + 1
        most[0] = max(most[0], inflight[sender])
        await asyncio.sleep(0.25 if message.startswith("m") else 0)
        inflight[sender] -= 1
        return [say(sender, f"Reçu : {message}")]

    rasa = FakeRasa(slow_bot)
    rasa.most_at_once = most        # type: ignore[attr-defined]
    try:
        with support.database_url("postgresql", tmp_path, "tzn_shared") as url:
            settings = make_settings(tmp_path, twilio, telegram, database_url=url, redis_url=REDIS,
                                     shared_key_prefix=prefix, territories_dir=folder,
                                     internal_api_token="internal-secret", telegram_interim_seconds=0.1,
                                     inbound_retry_seconds=0.05)
            async with AsyncExitStack() as stack:
                first = await stack.enter_async_context(running(settings, rasa))
                second = await stack.enter_async_context(running(settings, rasa))
                yield first, second, rasa, telegram
    finally:
        twilio.stop()
        telegram.stop()


async def test_a_reminder_booked_through_one_process_is_sent_by_the_other(two_apps):
    first, second, _, telegram = two_apps
    await first.telegram(message_update(CHAT, "bonjour"))             # the first process learns the chat id
    await telegram.wait_for("sendMessage", 1)
    clock = Clock(MONDAY)
    second.app.state.booking.clock = clock
    second.outbox.clock = clock
    body = {"person_id": person(), "channel": "telegram", "slot_id": THURSDAY_14, "share_summary": False}
    response = await second.client.post("/internal/appointments", json=body, headers=INTERNAL)
    assert response.status_code == 201
    assert response.json()["appointment"]["reminders"] == 2          # the second knows where to write
    clock.now = MONDAY + timedelta(days=1, hours=4)                  # Tuesday 14:00 in Paris: 48 h before
    first.outbox.clock = clock
    await second.outbox.drain()
    await first.outbox.drain()
    reminders = [call for call in telegram.calls("sendMessage") if "Rappel" in call["text"]]
    assert [int(call["chat_id"]) for call in reminders] == [CHAT]    # sent once, to the right chat


async def test_one_persons_messages_posted_to_both_processes_are_answered_in_order_once(two_apps):
    first, second, rasa, telegram = two_apps
    texts = [f"m{i}" for i in range(1, 7)]
    for i, text in enumerate(texts):                                 # alternately, while turns still run
        await (first if i % 2 == 0 else second).telegram(message_update(CHAT, text, update_id=900 + i))
    deadline = asyncio.get_running_loop().time() + 20
    while len([t for t in telegram.texts() if t.startswith("Reçu")]) < len(texts):
        assert asyncio.get_running_loop().time() < deadline, telegram.texts()
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)                                         # nothing more comes
    assert rasa.messages() == texts                                  # in order, each once
    assert [t for t in telegram.texts() if t.startswith("Reçu")] == [f"Reçu : {t}" for t in texts]
    assert rasa.most_at_once == [1]                                  # never two turns of one person at once


async def test_a_client_id_replayed_on_the_other_process_gets_the_same_answer_once(two_apps):
    first, second, rasa, _ = two_apps
    conversation_id = (await first.client.post("/api/chat", json={})).json()["conversation_id"]
    url = f"/api/chat/{conversation_id}/messages"
    message = {"text": "m-salut", "client_message_id": "abc"}
    answers = await asyncio.gather(first.client.post(url, json=message), second.client.post(url, json=message))
    again = await second.client.post(url, json=message)
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json() == again.json()
    assert answers[0].json()["messages"][0]["text"] == "Reçu : m-salut"
    assert rasa.messages().count("m-salut") == 1


# -- the outbox relay ---------------------------------------------------------------------------------------
class Relay(Recorder):
    """One worker's adapter, writing into the log shared by both workers."""

    def __init__(self, log: list[tuple[str, str, str]], name: str):
        super().__init__()
        self.log, self.name = log, name

    async def deliver(self, address, message):  # noqa: ANN001, ANN201
        delivered = await super().deliver(address, message)
        self.log.append((self.name, address, message.text))
        return delivered


async def test_two_outbox_workers_on_postgresql_never_send_a_message_twice(tmp_path, monkeypatch):
    monkeypatch.setattr(outbox_module, "BATCH", 3)          # small claims: both workers get some each round
    with support.migrated("postgresql", tmp_path, "tzn_relay") as db:
        clock = Clock(MONDAY)
        log: list[tuple[str, str, str]] = []
        workers = [Outbox(db, VAULT, {"sms": Relay(log, name)}, clock=clock) for name in ("a", "b")]
        people = [f"+3361234{n:04d}" for n in range(12)]
        for number in people:
            for k in range(5):
                await workers[0].enqueue("sms", f"p{number}", number, [BotMessage(f"{number} n{k}")])
        for _ in range(200):                                 # both workers, at the same time, round after round
            await asyncio.gather(*(worker.run_once() for worker in workers))
            if len(log) >= len(people) * 5:
                break
        await asyncio.gather(*(worker.drain() for worker in workers))   # nothing left for either
        sent = [(to, text) for _, to, text in log]
        assert len(sent) == len(people) * 5 == len(set(sent))           # each once
        assert {name for name, _, _ in log} == {"a", "b"}              # both workers took part
        for number in people:                                           # in order per person
            assert [text for to, text in sent if to == number] == [f"{number} n{k}" for k in range(5)]


async def test_messages_arriving_together_on_both_processes_are_taken_one_at_a_time_in_stored_order(two_apps):
    first, second, rasa, telegram = two_apps
    texts: dict[str, str] = {}
    for round_ in range(3):                       # two messages at the same moment, one to each process
        pair = {f"{960 + 2 * round_}": f"m{round_}a", f"{961 + 2 * round_}": f"m{round_}b"}
        texts.update(pair)
        await asyncio.gather(*(app.telegram(message_update(CHAT, text, update_id=int(update)))
                               for app, (update, text) in zip((first, second), pair.items())))
    deadline = asyncio.get_running_loop().time() + 20
    while len([t for t in telegram.texts() if t.startswith("Reçu")]) < len(texts):
        assert asyncio.get_running_loop().time() < deadline, telegram.texts()
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    stored = await first.db(lambda s: [row.provider_id for row in s.exec(
        select(InboundMessage).where(InboundMessage.person_id == person()).order_by(InboundMessage.id)).all()])
    assert sorted(stored) == sorted(texts)                           # none lost, none twice
    assert rasa.messages() == [texts[update] for update in stored]   # answered in the order they were stored
    assert [t for t in telegram.texts() if t.startswith("Reçu")] == [f"Reçu : {texts[u]}" for u in stored]
    assert rasa.most_at_once == [1]
