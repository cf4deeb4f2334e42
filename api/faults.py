"""When a part the API depends on is down or slow: circuit breakers, and what the person is told.

- `Breakers`: one purgatory circuit breaker per part (`rasa` — Rasa with its action server —,
  `eligibility` — the simulation process —). After `breaker_failures` failures in a row a part is
  not called any more for `breaker_reset_seconds`: the answer is immediate instead of a wait per
  request; then one call is let through (half-open) and its success closes the breaker again.
- `FaultNotice`: the short message that says the service has a problem, with the phone number of the
  territory (from the conversation's outreach code, else DEFAULT_TERRITORY, else the national
  contact) and its next permanence. Texts: knowledge/texts/channels.yml (`service_down*`).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from sqlmodel import select

from api.models import OutreachAction, utcnow
from knowledge import load
from knowledge.french import spoken_date

log = logging.getLogger(__name__)
T = TypeVar("T")

RASA, ELIGIBILITY = "rasa", "eligibility"
PERMANENCE_HORIZON = timedelta(days=45)


class BreakerOpen(RuntimeError):
    """The part is not called while its breaker is open."""

    def __init__(self, name: str):
        super().__init__(f"circuit {name} is open")
        self.name = name


class Breakers:
    """Circuit breakers by name. Errors in `ignore` (a bad request, a cancelled task) are not failures."""

    def __init__(self, failures: int = 3, reset_seconds: float = 15.0,
                 ignore: tuple[type[BaseException], ...] = ()):
        self.factory = AsyncCircuitBreakerFactory(
            default_threshold=failures, default_ttl=reset_seconds,
            exclude=[asyncio.CancelledError, *ignore])
        self.states: dict[str, str] = {}
        self.factory.add_listener(self._changed)

    def _changed(self, name: str, kind: str, event: Any) -> None:
        if kind == "state_changed":
            self.states[name] = event.state
            log.warning("Circuit %s is now %s", name, event.state)

    def state(self, name: str) -> str:
        """closed, opened or half-opened."""
        return self.states.get(name, "closed")

    def is_open(self, name: str) -> bool:
        return self.state(name) == "opened"

    async def call(self, name: str, work: Callable[[], Awaitable[T]]) -> T:
        """`await work()` through the breaker `name`; BreakerOpen at once while it is open."""
        breaker = await self.factory.get_breaker(name)
        try:
            async with breaker:
                return await work()
        except OpenedState:
            raise BreakerOpen(name) from None

    async def record(self, name: str, failed: bool) -> None:
        """Count an outcome observed outside `call` (e.g. a probe)."""
        breaker = await self.factory.get_breaker(name)
        try:
            async with breaker:
                if failed:
                    raise _ProbeFailed(name)
        except (_ProbeFailed, OpenedState):
            pass


class _ProbeFailed(RuntimeError):
    pass


class FaultNotice:
    """The « service en panne » message, for one conversation."""

    def __init__(self, territories: Any = None, default_territory: str | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.territories = territories
        self.default_territory = default_territory
        self.clock = clock
        self.action_territories: dict[str, str] = {}    # outreach action code -> territory (refreshed)

    async def refresh(self, db: Any) -> int:
        """Learn the territory of every outreach action's code (one small query); returns 0, so that
        api/core/rounds.py waits its poll interval before the next refresh."""
        self.action_territories = await db.run(_action_territories)
        return 0

    def territory(self, source: str | None) -> Any:
        """The territory of an outreach action's code, of a code that starts with a territory's id
        (`grand_nancy`, `grand-nancy-marche`...), or the default."""
        if self.territories is None:
            return None
        if source and source in self.action_territories:
            return self.territories.get(self.action_territories[source])
        if source:
            code = source.lower().replace("-", "_")
            for territory in self.territories.all():
                if code == territory.id or code.startswith(territory.id + "_"):
                    return territory
        return self.territories.get(self.default_territory) if self.default_territory else None

    def help_text(self, source: str | None) -> str:
        texts = load("texts")
        territory = self.territory(source)
        if territory is None or not territory.phone:
            return _text(texts, "service_down_help_national")
        now = self.clock()
        slots = self.territories.slots(territory.id, now, now + PERMANENCE_HORIZON)
        if not slots:
            return _text(texts, "service_down_help_phone", phone=territory.phone)
        slot = slots[0]
        return _text(texts, "service_down_help_permanence", phone=territory.phone,
                     date=spoken_date(slot.start), place=slot.place.name)

    def text(self, source: str | None, *, kept: bool) -> str:
        """`kept`: the message waits in our store and will be answered (SMS, Telegram); otherwise
        the web page keeps it and sends it again by itself."""
        name = "service_down" if kept else "service_down_web"
        return _text(load("texts"), name, help=self.help_text(source))


def _action_territories(session: Any) -> dict[str, str]:
    return dict(session.exec(select(OutreachAction.code, OutreachAction.territory_id)).all())


def _text(texts: dict[str, Any], name: str, **values: str) -> str:
    return " ".join(str(texts[name]["text"]).split()).format_map(values)
