"""The anonymous record behind the committee's indicators (api/staff/indicators.py): one `Visit` per
conversation, and `VisitFact`s for what it brought up.

What is recorded, and why it holds no personal data:
- A visit is opened with its conversation (web: each QR scan; SMS and Telegram: the first message of a
  number or chat, and again when it comes back through another outreach action). It keeps the channel,
  the outreach action's code (only a code of a known action: text typed in a URL is never kept) and
  the territory of that action.
- The estimate sets `screened_at` (the first one: a correction does not move it), the territory of the
  person's commune when a team covers it, and the likely benefits: status `eligible` only (the bot's
  « probable »), not the `uncertain` ones, which are a range that depends on a missing answer. Their
  monthly euros are the monthly amount, or the yearly amount / 12 for a yearly aid; none for the
  complémentaire santé solidaire (its amount is what the person pays) nor for an aid without amount.
- Doubts and life moments are counted once per visit by their key (an intent or a life event of a
  closed list, never the person's words), as soon as the bot answers them, before consent too: the
  committee wants to know what holds back those who do not go further.
- A booking sets `booked_at` (the first one).

A fact is linked to its visit only through the conversation (`Visit.conversation_id`), while it
exists: erasure (SUPPRIMER) and the retention purge cut that link (`unlink`) and keep the row, which
then names nobody and can receive nothing more.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.models import Conversation, OutreachAction, Visit, VisitFact

BENEFIT, DOUBT, LIFE_EVENT = "benefit", "doubt", "life_event"
TOPICS = (DOUBT, LIFE_EVENT)
KEY = re.compile(r"^[a-z0-9_.]{1,100}$")            # benefit ids, intents, life events
PARTICIPATION = {"complementaire_sante_solidaire"}      # its monthly amount is paid by the person


def open_visit(session: Session, conversation: Conversation) -> Visit:
    """A new visit for `conversation` (added to the session; the caller commits)."""
    action = session.get(OutreachAction, conversation.source) if conversation.source else None
    visit = Visit(conversation_id=conversation.id, channel=conversation.channel,
                  source=action.code if action else None, territory_id=action.territory_id if action else None)
    session.add(visit)
    return visit


def current(session: Session, conversation_id: str) -> Visit | None:
    """The latest visit of a conversation still linked to it."""
    return session.exec(select(Visit).where(Visit.conversation_id == conversation_id)
                        .order_by(Visit.id.desc())).first()


def monthly_euros(benefit: dict[str, Any]) -> float | None:
    if benefit.get("id") in PARTICIPATION:
        return None
    monthly, yearly = benefit.get("monthly_amount"), benefit.get("yearly_amount")
    if isinstance(monthly, (int, float)) and monthly > 0:
        return round(float(monthly), 2)
    if isinstance(yearly, (int, float)) and yearly > 0:
        return round(float(yearly) / 12, 2)
    return None


def likely_benefits(benefits: Iterable[Any]) -> dict[str, float | None]:
    """{benefit id: monthly euros} of the benefits found likely (status eligible)."""
    return {str(b["id"]): monthly_euros(b) for b in benefits
            if isinstance(b, dict) and b.get("status") == "eligible" and KEY.match(str(b.get("id", "")))}


def screened(session: Session, conversation_id: str, territory_id: str | None, benefits: Iterable[Any],
             now: datetime) -> None:
    """The estimate: first `screened_at`, the commune's territory, and the likely benefits (replaced)."""
    visit = current(session, conversation_id)
    if visit is None:
        return
    visit.screened_at = visit.screened_at or now
    visit.territory_id = territory_id or visit.territory_id
    session.add(visit)
    session.exec(delete(VisitFact).where(VisitFact.visit_id == visit.id, VisitFact.kind == BENEFIT))
    session.add_all(VisitFact(visit_id=visit.id, kind=BENEFIT, key=key, monthly_euros=euros)
                    for key, euros in likely_benefits(benefits).items())
    session.commit()


def noted(session: Session, conversation_id: str, kind: str, key: str) -> None:
    """A doubt or a life moment, once per visit."""
    if kind not in TOPICS or not KEY.match(key):
        return
    visit = current(session, conversation_id)
    if visit is None:
        return
    session.add(VisitFact(visit_id=visit.id, kind=kind, key=key))
    try:
        session.commit()
    except IntegrityError:                      # already counted for this visit
        session.rollback()


def booked(session: Session, channel: str, person_id: str, territory_id: str, now: datetime) -> None:
    """A booking: the first `booked_at` of the person's current visit, and its territory if unknown."""
    conversation_id = session.exec(select(Conversation.id).where(
        Conversation.channel == channel, Conversation.person_id == person_id)).first()
    visit = current(session, conversation_id) if conversation_id else None
    if visit is None:
        return
    visit.booked_at = visit.booked_at or now
    visit.territory_id = visit.territory_id or territory_id
    session.add(visit)
    session.commit()


def unlink(session: Session, conversation_ids: Any) -> int:
    """Cut the link of these conversations' visits (a list or a subquery); the caller commits."""
    return session.execute(update(Visit).where(Visit.conversation_id.in_(conversation_ids))
                           .values(conversation_id=None)).rowcount
