"""Test support shared by the service tests: throw-away databases (a SQLite file, or a fresh
PostgreSQL database created and dropped around the test, skipped with the reason when no server
answers), a clock the test moves, and an SMS-like adapter that records what it delivers."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.core.db import Database
from channels.base import ChannelAdapter, Delivered, DeliveryError, Outgoing
from channels.render import SMS
from channels.sms.adapter import SmsAdapter

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
T0 = datetime(2026, 11, 22, 9, 0, 0, tzinfo=timezone.utc)


@contextmanager
def database_url(kind: str, tmp_path: Path, prefix: str = "tzn") -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/{prefix}.db"
        return
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES} ({type(error).__name__})")
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated(kind: str, tmp_path: Path, prefix: str) -> Iterator[Database]:
    """A throw-away database (as `database_url`) brought to the latest migration."""
    with database_url(kind, tmp_path, prefix) as url:
        database = Database(url)
        database.migrate()
        try:
            yield database
        finally:
            database.dispose()


# SQLite always; PostgreSQL when the server is there (pytest -m "not postgres" leaves it out).
BOTH = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Recorder(ChannelAdapter):
    """An SMS-like adapter that records what it delivers and fails on demand."""

    capabilities = SMS
    fit = SmsAdapter.fit                      # SMS packing: ≤ 2 segments each

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failures: dict[str, list[DeliveryError]] = {}

    def fail(self, text: str, error: DeliveryError, times: int = 1) -> None:
        """The next `times` attempts to send `text` raise `error`."""
        self.failures.setdefault(text, []).extend([error] * times)

    async def deliver(self, address: str, message: Outgoing) -> Delivered:
        await asyncio.sleep(0)
        if self.failures.get(message.text):
            raise self.failures[message.text].pop(0)
        self.sent.append((address, message.text))
        return Delivered(f"id-{len(self.sent)}")

    def texts(self, address: str | None = None) -> list[str]:
        return [text for to, text in self.sent if address is None or to == address]
