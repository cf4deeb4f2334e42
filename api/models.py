"""Database tables. Personal data is kept to the minimum: people are known by a pseudonym
(HMAC of their number, chat id or web conversation), and nothing about them is stored before
they agree to the privacy notice."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC (SQLModel stores it as UTC on SQLite and PostgreSQL)."""
    return datetime.now(timezone.utc)


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


# -- channels: inbound deduplication and the outbox (channels/, api/outbox.py) ---------------------------
class InboundMessage(SQLModel, table=True):
    """A provider event received (Twilio MessageSid, Telegram update_id): a replay of the same id is
    recognised by the unique constraint and changes nothing. The message itself (number, text) is
    stored encrypted (Vault) in `content_enc` only until it is answered (`status` pending -> done, or
    failed when given up): then it is wiped, and only the pseudonym (cleared on erasure) and which
    keyword it was, if any, remain."""

    __table_args__ = (UniqueConstraint("channel", "provider_id", name="uq_inbound_provider_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    provider_id: str = Field(max_length=64)
    person_id: str | None = Field(default=None, max_length=64, index=True)
    keyword: str | None = Field(default=None, max_length=16)
    received_at: datetime = Field(default_factory=utcnow, index=True)
    status: str = Field(default="done", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = None     # pending: not tried again before (a lease while it runs)
    content_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class OutboxMessage(SQLModel, table=True):
    """One message to send (one SMS, one Telegram message), in order per recipient.

    The destination and the content are encrypted (Vault) and wiped once the message is delivered,
    has failed or has expired. `not_before`/`not_after` bound when it may leave (reminders); a
    message whose `not_after` has passed is never sent."""

    __table_args__ = (UniqueConstraint("channel", "person_id", "sequence", name="uq_outbox_sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    person_id: str = Field(max_length=64, index=True)
    sequence: int
    kind: str = Field(default="reply", max_length=16)
    confirmation: bool = False          # answers the person's own STOP or erasure: sent even if stopped
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    not_before: datetime | None = None
    not_after: datetime | None = None
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    locked_until: datetime | None = None
    sent_at: datetime | None = None
    finished_at: datetime | None = None
    address_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    content_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    provider_message_id: str | None = Field(default=None, max_length=64, index=True)
    last_error: str | None = Field(default=None, max_length=64)


# -- rendez-vous des droits (api/booking/) ------------------------------------------------------------
BOOKED, CANCELLED, HONOURED, MISSED = "booked", "cancelled", "honoured", "missed"
OPEN, DONE, WITHDRAWN = "open", "done", "withdrawn"          # call-back requests


class Appointment(SQLModel, table=True):
    """A seat in one slot of a territory's schedule. `seat` is unique per slot and set to NULL when the
    appointment is cancelled: the database itself refuses a double booking of the same seat.

    The number or chat id for reminders is kept encrypted only until the appointment has passed. The
    summary is stored only after the person said yes to sharing it (`share_summary`)."""

    __table_args__ = (UniqueConstraint("slot_id", "seat", name="uq_appointment_seat"),)

    id: str = Field(primary_key=True, max_length=32)
    person_id: str = Field(max_length=64, index=True)
    channel: str = Field(max_length=16)
    territory_id: str = Field(max_length=64, index=True)
    place_id: str = Field(max_length=64, index=True)
    slot_id: str = Field(max_length=160, index=True)
    seat: int | None = None
    start: datetime = Field(index=True)
    end: datetime
    status: str = Field(default=BOOKED, max_length=16, index=True)
    share_summary: bool = False
    summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    reminder_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # where to tell the person if the team cancels (encrypted; wiped once the appointment is over)
    contact_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # the pseudonym of that contact when it is not the person's own (a number given on the web):
    # SUPPRIMER sent from that number reaches this appointment too
    contact_person_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CallbackRequest(SQLModel, table=True):
    """« Rappelez-moi »: a person to call back, in the staff queue. The number is encrypted and wiped
    once the call is done. Erasure and the retention keep the row without its person (`withdrawn` if it
    was still open), for the committee's counts."""

    id: str = Field(primary_key=True, max_length=32)
    person_id: str = Field(max_length=64, index=True)
    channel: str = Field(max_length=16)
    territory_id: str = Field(max_length=64, index=True)
    preferred_times: str = Field(max_length=200)
    phone_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    contact_person_id: str | None = Field(default=None, max_length=64, index=True)  # SMS pseudonym of that number
    status: str = Field(default="open", max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None


class PendingErasure(SQLModel, table=True):
    """A person erased (SUPPRIMER) whose Rasa tracker is not deleted yet: Rasa or its store was down.
    Retried by api/trackers.py until done; only the pseudonym is kept."""

    person_id: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=64)


# -- staff accounts (api/staff/) ------------------------------------------------------------------------
class StaffUser(SQLModel, table=True):
    """An outreach agent, a coordinator or an admin. `territory_id` is None only for admins.
    `summaries` is False for volunteers (habitants, ambassadeurs des droits): no handover summaries."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    role: str = Field(max_length=16)
    territory_id: str | None = Field(default=None, max_length=64, index=True)
    summaries: bool = True
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class StaffSession(SQLModel, table=True):
    """A signed-in browser. `id` is the SHA-256 of the cookie's token (the token itself is never stored);
    `csrf` is the token the forms and unsafe API calls must send back."""

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class StaffInvite(SQLModel, table=True):
    """An account an admin (or a coordinator, for their territory) prepared: the invited person chooses
    their password from the link. `id` is the SHA-256 of the link's token."""

    id: str = Field(primary_key=True, max_length=64)
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=16)
    territory_id: str | None = Field(default=None, max_length=64)
    summaries: bool = True
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """Who looked at what: every view of a handover summary (and account changes)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, index=True)
    email: str = Field(max_length=254)
    action: str = Field(max_length=32)
    territory_id: str | None = Field(default=None, max_length=64, index=True)
    appointment_id: str | None = Field(default=None, max_length=32)


# -- outreach actions and the anonymous figures for the committee (api/staff/) ---------------------------
ACTION_KINDS = ("marche", "pied_immeuble", "commerce", "sortie_ecole", "association", "permanence",
                "porte_a_porte", "autre")


class OutreachAction(SQLModel, table=True):
    """An action d'aller-vers: a place, a day, a team. Its `code` is the source of the conversations it
    brings (QR code, Telegram /start, SMS keyword); the counts are what staff did in person."""

    code: str = Field(primary_key=True, max_length=32)
    territory_id: str = Field(max_length=64, index=True)
    place: str = Field(max_length=200)
    day: date = Field(index=True)
    kind: str = Field(max_length=24)
    hours: str | None = Field(default=None, max_length=60)
    team: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    keyword: str = Field(max_length=16, unique=True, index=True)
    people_met: int | None = None
    rights_checks_on_site: int | None = None
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Visit(SQLModel, table=True):
    """One conversation, anonymous, for the indicators: where it came from and how far it went. The link
    to the conversation is cut on erasure and by the retention purge; the row stays, with no person."""

    # covering indexes for the indicators of a territory and period (bench/indicators.py)
    __table_args__ = (Index("ix_visit_territory_started", "territory_id", "started_at", "channel", "source"),
                      Index("ix_visit_territory_screened", "territory_id", "screened_at"),
                      Index("ix_visit_started", "started_at", "channel", "source"))       # every territory

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str | None = Field(default=None, max_length=64, index=True)
    channel: str = Field(max_length=16)
    source: str | None = Field(default=None, max_length=64, index=True)
    territory_id: str | None = Field(default=None, max_length=64)
    started_at: datetime = Field(default_factory=utcnow)
    screened_at: datetime | None = None
    booked_at: datetime | None = None


class VisitFact(SQLModel, table=True):
    """What a visit brought up, counted: a benefit found likely (with its estimated monthly euros),
    a life moment, a doubt. One row per visit and key (a newer estimate replaces the benefits)."""

    __table_args__ = (UniqueConstraint("visit_id", "kind", "key", name="uq_visit_fact"),
                      Index("ix_visitfact_visit", "visit_id", "kind", "key", "monthly_euros"))   # covering

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int
    kind: str = Field(max_length=16)
    key: str = Field(max_length=100)
    monthly_euros: float | None = None
