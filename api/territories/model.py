"""What a territory is made of, once its file is read and checked (see knowledge/territories/README.md)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class TerritoryError(ValueError):
    """A territory file is broken; str(error) names the file and the line, e.g.
    "knowledge/territories/x.yml, line 12: « mardy » is not a day (lundi ... dimanche)"."""


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    address: str
    access: str          # how to get there: bus or tram stop, landmark
    accessibility: str   # one sentence: wheelchair access and notes
    landmark: str = ""   # very short, for the slot label: « devant le centre social »
    wheelchair: bool | None = None


@dataclass(frozen=True)
class Slot:
    id: str              # "{territory_id}:{opening_id}:{YYYY-MM-DDTHH:MM}", Paris wall-clock time
    territory_id: str
    place: Place
    opening_id: str
    start: dt.datetime   # aware, UTC
    end: dt.datetime     # aware, UTC
    capacity: int
    label: str           # « marché Place à VivreS, devant le centre social »


@dataclass(frozen=True)
class Opening:
    """A weekly (or every other week) opening of a place, cut into slots."""
    id: str
    place: Place
    day: str             # lundi ... dimanche
    start: dt.time       # Paris wall-clock time
    end: dt.time
    slot_minutes: int
    capacity: int
    every: int = 1       # 1: every week; 2: every other week (the weeks of first_date)
    first_date: dt.date | None = None   # with every > 1: one date of the opening (any)
    starts: dt.date | None = None
    ends: dt.date | None = None
    label: str = ""

    @property
    def weekday(self) -> int:
        return WEEKDAYS.index(self.day)

    def occurs_on(self, date: dt.date) -> bool:
        """The opening is planned that day (before closures and public holidays)."""
        if date.weekday() != self.weekday:
            return False
        if (self.starts and date < self.starts) or (self.ends and date > self.ends):
            return False
        if self.every > 1 and self.first_date is not None:   # first_date: any day the opening takes place
            return ((date - self.first_date).days // 7) % self.every == 0
        return True

    def times(self) -> list[dt.time]:
        """The start time of every slot of one day."""
        first = self.start.hour * 60 + self.start.minute
        last = self.end.hour * 60 + self.end.minute
        return [dt.time(minute // 60, minute % 60) for minute in range(first, last, self.slot_minutes)]


@dataclass(frozen=True)
class Closure:
    start: dt.date
    end: dt.date         # included
    reason: str
    place: str | None = None   # None: every place of the territory

    def closes(self, date: dt.date, place_id: str) -> bool:
        return self.start <= date <= self.end and (self.place is None or self.place == place_id)


@dataclass(frozen=True)
class Condition:
    """One condition of a local aid: `kind` is its name in the file, `value` what the file says."""
    kind: str
    value: Any
    line: int


@dataclass(frozen=True)
class LocalAid:
    id: str              # local.<territory>.<name>
    name: str
    title: str
    summary: str
    period: str          # month, year or once
    amount: float | None  # None: a service or a reduction, or no fixed figure
    conditions: tuple[Condition, ...]
    why: dict[str, str]  # eligible, not_eligible, uncertain
    how_to_claim: dict[str, Any]  # who, where, documents, url


@dataclass(frozen=True)
class Territory:
    id: str
    name: str
    communes: frozenset[str]
    places: dict[str, Place]
    phone: str
    contact: str
    what_to_bring: list[str]
    local_aids: list[LocalAid]
    openings: list[Opening] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)
    holidays: str = "france"   # france or alsace_moselle
    file: str = ""

    def opening(self, opening_id: str) -> Opening | None:
        return next((o for o in self.openings if o.id == opening_id), None)
