"""Database tables. Personal data is kept to the minimum: people are known by a pseudonym
(HMAC of their number, chat id or web conversation), and nothing about them is stored before
they agree to the privacy notice."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Naive UTC, the same on SQLite and PostgreSQL."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Conversation(SQLModel, table=True):
    """A person on one channel. Web: one per QR scan. SMS and Telegram: one per number or chat."""

    __table_args__ = (UniqueConstraint("channel", "person_id", name="uq_conversation_person"),)

    id: str = Field(primary_key=True, max_length=64)
    channel: str = Field(max_length=16, index=True)
    person_id: str = Field(max_length=64, index=True)
    source: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_active_at: datetime = Field(default_factory=utcnow)
    consent_at: datetime | None = None
    stopped_at: datetime | None = None
    last_buttons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ConsentRecord(SQLModel, table=True):
    """When a person said yes (or no) to something: the privacy notice, sharing a summary..."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=32)
    given: bool
    at: datetime = Field(default_factory=utcnow)


class EstimateRecord(SQLModel, table=True):
    """The outcome of a screening, kept only after consent, for the handover and the statistics."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=64, index=True)
    source: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    household: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    benefits: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    monthly_total: float = 0.0
