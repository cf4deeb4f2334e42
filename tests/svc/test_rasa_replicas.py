"""Several Rasa replicas (RASA_URLS) through the real RasaClient and stand-ins (tests/fakes/rasa.py):
rendezvous routing is stable and balanced, a sender is handled by one replica at a time, moves to the
next of its order when its replica is down, and comes back only once a probe finds it ready again."""
from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest

from api.core.config import Settings
from api.faults import Breakers
from api.rasa_client import RasaClient, RasaUnavailable, rendezvous_order
from tests.fakes.rasa import FakeRasaReplicas

URLS = [f"http://rasa-{i}.test:5005" for i in range(3)]
SENDERS = [uuid.uuid4().hex for _ in range(6000)]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client(fakes: FakeRasaReplicas, clock: Clock | None = None, **options) -> RasaClient:  # noqa: ANN003
    options = {"actions_url": "http://actions.test:5055", "probe_after": 0.1, "probe_timeout": 0.2,
               "recheck_seconds": 5.0, "clock": clock or Clock(), **options}
    return RasaClient(fakes.urls, transport=fakes.transport, **options)


def primary_of(urls: list[str], sender: str) -> int:
    return urls.index(rendezvous_order(urls, sender)[0])


def senders_of(urls: list[str], index: int, count: int) -> list[str]:
    return [s for s in SENDERS if primary_of(urls, s) == index][:count]


# -- the order ----------------------------------------------------------------------------------------
def test_conversations_are_spread_evenly_over_the_replicas():
    counts = Counter(primary_of(URLS, sender) for sender in SENDERS)
    assert set(counts) == {0, 1, 2}
    assert all(abs(count / len(SENDERS) - 1 / 3) < 0.04 for count in counts.values()), counts


def test_adding_a_replica_moves_about_a_quarter_of_the_conversations_and_only_to_it():
    bigger = [*URLS, "http://rasa-3.test:5005"]
    moved = [s for s in SENDERS if rendezvous_order(URLS, s)[0] != rendezvous_order(bigger, s)[0]]
    assert abs(len(moved) / len(SENDERS) - 1 / 4) < 0.04
    assert {rendezvous_order(bigger, s)[0] for s in moved} == {"http://rasa-3.test:5005"}


def test_removing_a_replica_moves_only_its_own_conversations_each_to_its_second_choice():
    smaller = URLS[:2]
    for sender in SENDERS:
        before = rendezvous_order(URLS, sender)
        after = rendezvous_order(smaller, sender)[0]
        assert after == (before[0] if before[0] != URLS[2] else before[1])


def test_the_order_does_not_depend_on_how_the_replicas_are_listed():
    assert all(rendezvous_order(URLS, s) == rendezvous_order(URLS[::-1], s) for s in SENDERS[:500])


# -- routing through the client ------------------------------------------------------------------------
async def test_each_sender_is_handled_by_its_first_replica_and_only_by_it():
    fakes = FakeRasaReplicas(URLS)
    rasa = client(fakes)
    senders = SENDERS[:60]
    for sender in senders:
        for n in range(2):
            turn = await rasa.send(sender, f"message {n}")
            assert turn.messages[0].text == f"Reçu : message {n}"
    for sender in senders:
        assert fakes.handled_by(sender) == [primary_of(URLS, sender)]
    assert all(fake.received for fake in fakes.replicas)
    await rasa.aclose()


async def test_a_killed_replica_s_conversations_move_to_their_second_choice_in_the_same_call():
    fakes = FakeRasaReplicas(URLS)
    rasa = client(fakes)
    moved = senders_of(URLS, 0, 10)
    for sender in moved:
        await rasa.send(sender, "avant")
    fakes.replicas[0].down = True                          # connection refused: nothing was sent
    for sender in moved:
        turn = await rasa.send(sender, "pendant")
        assert turn.messages[0].text == "Reçu : pendant"
        second = URLS.index(rendezvous_order(URLS, sender)[1])
        assert [m for s, m, _ in fakes.replicas[second].received if s == sender] == ["pendant"]
    assert [m for _, m, _ in fakes.replicas[0].received] == ["avant"] * 10
    assert rasa.status()[0]["status"] == "down" and rasa.ready


async def test_with_two_replicas_down_a_sender_goes_to_the_third_of_its_order():
    fakes = FakeRasaReplicas(URLS)
    rasa = client(fakes)
    sender = SENDERS[0]
    first, second, third = (URLS.index(url) for url in rendezvous_order(URLS, sender))
    fakes.replicas[first].down = fakes.replicas[second].down = True
    await rasa.send(sender, "bonjour")
    assert fakes.handled_by(sender) == [third]
    fakes.replicas[third].down = True
    with pytest.raises(RasaUnavailable):
        await rasa.send(sender, "encore")


async def test_a_replica_comes_back_only_after_its_recheck_finds_it_ready():
    fakes, clock = FakeRasaReplicas(URLS), Clock()
    rasa = client(fakes, clock)
    sender = senders_of(URLS, 0, 1)[0]
    second = URLS.index(rendezvous_order(URLS, sender)[1])
    fakes.replicas[0].down = True
    await rasa.send(sender, "un")
    fakes.replicas[0].down = False                         # back, but not re-checked yet
    await rasa.send(sender, "deux")
    assert [m for _, m, _ in fakes.replicas[0].received] == []
    clock.now += 6                                         # the re-check is due: probed in the background
    await rasa.send(sender, "trois")
    await asyncio.sleep(0.05)
    await rasa.send(sender, "quatre")
    assert [m for s, m, _ in fakes.replicas[second].received if s == sender] == ["un", "deux", "trois"]
    assert [m for _, m, _ in fakes.replicas[0].received] == ["quatre"]
    assert rasa.status()[0]["status"] == "ready"


async def test_a_replica_still_down_at_its_recheck_keeps_its_conversations_away():
    fakes, clock = FakeRasaReplicas(URLS), Clock()
    rasa = client(fakes, clock)
    sender = senders_of(URLS, 0, 1)[0]
    await rasa.send(sender, "zéro")
    fakes.replicas[0].down = True
    await rasa.send(sender, "un")
    clock.now += 6
    await rasa.send(sender, "deux")                        # the probe fails: marked down again
    await asyncio.sleep(0.05)
    fakes.replicas[0].down = False
    await rasa.send(sender, "trois")
    assert fakes.replicas[0].messages() == ["zéro"] and rasa.status()[0]["status"] == "down"


async def test_a_frozen_replica_ends_the_turn_then_its_conversations_go_to_the_next_one():
    fakes = FakeRasaReplicas(URLS)
    rasa = client(fakes)
    sender = senders_of(URLS, 1, 1)[0]
    second = URLS.index(rendezvous_order(URLS, sender)[1])
    await rasa.send(sender, "un")
    fakes.replicas[1].freeze()                             # SIGSTOP: the message may be in it
    with pytest.raises(RasaUnavailable):
        await rasa.send(sender, "deux")                    # not sent elsewhere at the same time
    assert fakes.handled_by(sender) == [1]
    await rasa.send(sender, "trois")
    assert [m for s, m, _ in fakes.replicas[second].received if s == sender] == ["trois"]
    fakes.replicas[1].thaw()
    await rasa.aclose()


async def test_each_replica_has_its_own_breaker():
    fakes = FakeRasaReplicas(URLS)
    breakers = Breakers(failures=2, reset_seconds=60)
    rasa = client(fakes, breakers=breakers, recheck_seconds=0.0)
    await rasa.send(senders_of(URLS, 2, 1)[0], "bonjour")
    fakes.replicas[2].down = True                          # refused, then its re-checks fail: 2 failures
    for sender in senders_of(URLS, 2, 3):
        await rasa.send(sender, "bonjour")                 # answered by another replica each time
        await asyncio.sleep(0.02)
    assert [breakers.state(f"rasa@{i}") for i in range(3)] == ["closed", "closed", "opened"]
    assert rasa.breaker_state() == "closed"
    fakes.replicas[2].down = False
    calls = len(fakes.replicas[2].received)
    await rasa.send(senders_of(URLS, 2, 4)[-1], "bonjour")  # up again, but its breaker is open
    await asyncio.sleep(0.05)
    assert len(fakes.replicas[2].received) == calls
    assert [r["breaker"] for r in rasa.status()] == ["closed", "closed", "opened"]


async def test_one_replica_keeps_the_breaker_named_rasa_and_is_tried_even_when_marked_down():
    fakes = FakeRasaReplicas(URLS[:1])
    breakers = Breakers()
    rasa = client(fakes, breakers=breakers)
    assert [replica.breaker for replica in rasa.replicas] == ["rasa"]
    fakes.replicas[0].down = True
    with pytest.raises(RasaUnavailable):
        await rasa.send("a", "bonjour")
    fakes.replicas[0].down = False
    await rasa.send("a", "bonjour")                        # no other replica: the last resort
    assert fakes.replicas[0].messages() == ["bonjour"] and rasa.replicas[0].up


async def test_erasure_reaches_every_replica_and_fails_while_one_does_not_answer():
    fakes = FakeRasaReplicas(URLS)
    rasa = client(fakes)
    await rasa.erase("someone")
    assert [fake.erased for fake in fakes.replicas] == [["someone"]] * 3
    fakes.replicas[1].down = True
    with pytest.raises(RasaUnavailable):
        await rasa.erase("other")


async def test_check_ready_probes_every_replica():
    fakes = FakeRasaReplicas(URLS)
    rasa = client(fakes)
    fakes.replicas[1].down = True
    assert await rasa.check_ready() is True
    assert [r["status"] for r in rasa.status()] == ["ready", "starting", "ready"]
    sender = senders_of(URLS, 1, 1)[0]
    await rasa.send(sender, "bonjour")
    assert fakes.replicas[1].received == [] and len(fakes.handled_by(sender)) == 1


# -- settings -------------------------------------------------------------------------------------------
def test_rasa_urls_default_to_the_one_rasa_url():
    assert Settings(_env_file=None, rasa_url="http://r:5005").rasa_replica_urls == ["http://r:5005"]
    many = Settings(_env_file=None, rasa_url="http://r:5005", rasa_urls=" http://a:5005, http://b:5006 ,")
    assert many.rasa_replica_urls == ["http://a:5005", "http://b:5006"]
