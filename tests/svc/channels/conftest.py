"""Fixtures of the channel tests: the API on a temporary SQLite database with local stand-ins for
Rasa, Twilio and Telegram (tests/fakes/)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from api.core.config import Settings
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.app import Running, make_settings, running
from tests.fakes.rasa import FakeRasa


@pytest.fixture
def twilio() -> Any:
    fake = tw.FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def telegram() -> Any:
    fake = tg.FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def settings(tmp_path: Path, twilio: Any, telegram: Any) -> Settings:
    return make_settings(tmp_path, twilio, telegram)


@pytest.fixture
async def api(settings: Settings, rasa: FakeRasa) -> AsyncIterator[Running]:
    async with running(settings, rasa) as started:
        yield started
