"""api/faults.py on its own: the circuit breaker (purgatory) opens, answers at once while open, closes
again after a success; the fault message names the territory's phone and its next permanence."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from api.core.config import Settings
from api.core.db import Database
from api.faults import BreakerOpen, Breakers, FaultNotice
from api.models import OutreachAction
from api.territories import Territories
from channels.gsm7 import is_gsm7, segments
from channels.render import SMS, render
from channels.messages import BotMessage


class Down(RuntimeError):
    pass


async def test_the_breaker_opens_after_the_failures_in_a_row_and_then_calls_nothing():
    breakers = Breakers(failures=3, reset_seconds=60)
    calls = 0

    async def failing() -> None:
        nonlocal calls
        calls += 1
        raise Down()

    for _ in range(3):
        with pytest.raises(Down):
            await breakers.call("rasa", failing)
    assert breakers.state("rasa") == "opened" and calls == 3
    with pytest.raises(BreakerOpen):
        await breakers.call("rasa", failing)
    assert calls == 3                                   # not called while open
    assert breakers.state("eligibility") == "closed"    # one breaker per part


async def test_a_success_between_failures_resets_the_count():
    breakers = Breakers(failures=2, reset_seconds=60)

    async def failing() -> None:
        raise Down()

    async def fine() -> str:
        return "ok"

    with pytest.raises(Down):
        await breakers.call("rasa", failing)
    assert await breakers.call("rasa", fine) == "ok"
    with pytest.raises(Down):
        await breakers.call("rasa", failing)
    assert breakers.state("rasa") == "closed"


async def test_after_the_reset_delay_one_success_closes_the_breaker_again():
    breakers = Breakers(failures=1, reset_seconds=0.2)

    async def failing() -> None:
        raise Down()

    async def fine() -> str:
        return "ok"

    with pytest.raises(Down):
        await breakers.call("rasa", failing)
    with pytest.raises(BreakerOpen):
        await breakers.call("rasa", fine)
    await asyncio.sleep(0.3)
    assert await breakers.call("rasa", fine) == "ok"
    assert breakers.state("rasa") == "closed"


async def test_a_failure_while_half_open_opens_it_again():
    breakers = Breakers(failures=1, reset_seconds=0.2)

    async def failing() -> None:
        raise Down()

    with pytest.raises(Down):
        await breakers.call("rasa", failing)
    await asyncio.sleep(0.3)
    with pytest.raises(Down):
        await breakers.call("rasa", failing)
    assert breakers.state("rasa") == "opened"


async def test_a_cancelled_call_is_not_a_failure():
    breakers = Breakers(failures=1, reset_seconds=60)
    task = asyncio.create_task(breakers.call("rasa", lambda: asyncio.sleep(10)))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert breakers.state("rasa") == "closed"


# -- the message -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def territories() -> Territories:
    return Territories.load(Settings(_env_file=None).territories_dir)


MONDAY_NOON = dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.timezone.utc)


def test_the_outreach_code_picks_the_territory_phone_and_next_permanence(territories):
    notice = FaultNotice(territories, clock=lambda: MONDAY_NOON)
    nancy = territories.get("grand_nancy")
    slot = territories.slots("grand_nancy", MONDAY_NOON, MONDAY_NOON + dt.timedelta(days=45))[0]
    text = notice.text("grand-nancy-marche", kept=True)
    assert nancy.phone in text and slot.place.name in text
    assert "problème technique" in text and "bien reçu" in text
    assert notice.territory("grand_nancy").id == "grand_nancy"


async def test_a_poster_code_gives_the_territory_of_its_outreach_action(territories, tmp_path):
    database = Database(f"sqlite:///{tmp_path}/codes.db")
    database.migrate()
    with database.session() as session:
        session.add(OutreachAction(code="marche-de-saint-fons-7k2", territory_id="venissieux", place="Marché",
                                   day=dt.date(2026, 12, 5), kind="marche", keyword="DROITS7K2"))
        session.commit()
    notice = FaultNotice(territories, "strasbourg", clock=lambda: MONDAY_NOON)
    assert notice.territory("marche-de-saint-fons-7k2").id == "strasbourg"      # not known yet: the default
    await notice.refresh(database)
    assert notice.territory("marche-de-saint-fons-7k2").id == "venissieux"
    assert territories.get("venissieux").phone in notice.text("marche-de-saint-fons-7k2", kept=True)
    database.dispose()


def test_without_a_known_code_the_default_territory_then_the_national_number(territories):
    assert territories.get("strasbourg").phone in FaultNotice(territories, "strasbourg").text("x", kept=True)
    national = FaultNotice(territories).text("inconnu", kept=True)
    assert "32 30" in national
    assert not any(t.phone in national for t in territories.all())


def test_the_web_version_says_the_page_keeps_the_message(territories):
    text = FaultNotice(territories, "grand_nancy").text(None, kept=False)
    assert "reste sur cette page" in text and "bien reçu" not in text


def test_every_fault_message_fits_two_sms_segments_in_gsm7(territories):
    for territory in territories.all():
        notice = FaultNotice(territories, territory.id, clock=lambda: MONDAY_NOON)
        [message] = render([BotMessage(text=notice.text(None, kept=True))], SMS)
        assert is_gsm7(message.text), territory.id
        assert segments(message.text)[0] <= 2, (territory.id, message.text)
