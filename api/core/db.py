"""Database engine, sessions and migrations (SQLite by default, PostgreSQL in production)."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def make_engine(url: str) -> Engine:
    """An engine whose errors and logs never show the values of a statement (hide_parameters):
    they hold incomes, phone numbers and message text."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # noqa: ANN001
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # A database that does not answer fails a connection in seconds (libpq's connect_timeout), not minutes.
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args,
                         hide_parameters=True)


def save(session: Session, row: T) -> T:
    """Insert or update one row (for `Database.run(save, row)`)."""
    session.add(row)
    session.commit()
    return row


class Database:
    """One engine, short sessions, and a way to run blocking DB work off the event loop."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def _call(self, work: Callable[..., T], *args, **kwargs) -> T:
        with self.session() as session:
            return work(session, *args, **kwargs)

    async def run(self, work: Callable[..., T], *args, **kwargs) -> T:
        """Run `work(session, *args)` in a worker thread with its own session."""
        return await asyncio.to_thread(self._call, work, *args, **kwargs)

    def migrate(self) -> None:
        """Bring the schema to the latest Alembic revision."""
        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
