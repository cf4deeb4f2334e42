"""Every territory, found by id or by commune, and the slots of their weekly openings.

    territories = Territories.load(settings.territories_dir)   # raises TerritoryError on a broken file
    territory = territories.for_commune("54395")
    slots = territories.slots(territory.id, after=now, until=now + timedelta(days=21))
    slot = territories.slot(slots[0].id)                        # None for an id naming no real slot

Times in the files are Paris wall-clock times; slots carry aware UTC datetimes. Capacity is the
number of people per slot as planned: bookings are counted by the booking service.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Collection, Iterable
from zoneinfo import ZoneInfo

from api.territories.holidays import is_public_holiday
from api.territories.loader import read_territory
from api.territories.model import Opening, Slot, Territory, TerritoryError

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.timezone.utc
SLOT_ID = re.compile(r"^(?P<territory>[a-z][a-z0-9_]*):(?P<opening>[a-z][a-z0-9_]*):"
                     r"(?P<when>\d{4}-\d{2}-\d{2}T\d{2}:\d{2})$")


class Territories:
    def __init__(self, territories: Iterable[Territory] = ()) -> None:
        self._by_id: dict[str, Territory] = {}
        self._by_commune: dict[str, Territory] = {}
        for territory in territories:
            if territory.id in self._by_id:
                raise TerritoryError(f"{territory.file}: the territory id « {territory.id} » is used twice")
            self._by_id[territory.id] = territory
            for code in territory.communes:
                other = self._by_commune.setdefault(code, territory)
                if other is not territory:
                    raise TerritoryError(f"{territory.file}: the commune {code} is already in {other.file}")

    @classmethod
    def load(cls, directory: Path, known_communes: Collection[str] | None = None) -> Territories:
        """Read and check every `*.yml` of the directory (a missing directory means no territory).

        With `known_communes` (INSEE codes), a commune missing from that list is an error too."""
        directory = Path(directory)
        files = sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml")) if directory.is_dir() else []
        territories, owners = [], {}
        for file in files:
            territory, communes = read_territory(file, known_communes)
            for code, line in communes.items():
                if code in owners:
                    raise TerritoryError(f"{territory.file}, line {line}: the commune {code} is already in "
                                         f"{owners[code]}; a commune belongs to one territory only")
                owners[code] = territory.file
            territories.append(territory)
        return cls(territories)

    # ----- territories -----
    def all(self) -> list[Territory]:
        return sorted(self._by_id.values(), key=lambda t: t.id)

    def get(self, territory_id: str) -> Territory | None:
        return self._by_id.get(territory_id)

    def for_commune(self, insee_code: str) -> Territory | None:
        return self._by_commune.get(str(insee_code).strip().upper())

    # ----- slots -----
    def slots(self, territory_id: str, after: dt.datetime, until: dt.datetime) -> list[Slot]:
        """Every slot starting strictly between `after` and `until` (aware datetimes), in time order,
        without closures and public holidays. An unknown territory has no slot."""
        territory = self._by_id.get(territory_id)
        if territory is None:
            return []
        after, until = _aware(after, "after"), _aware(until, "until")
        first, last = after.astimezone(PARIS).date(), until.astimezone(PARIS).date()
        found = []
        for opening in territory.openings:
            day = first + dt.timedelta(days=(opening.weekday - first.weekday()) % 7)
            while day <= last:
                if _open(territory, opening, day):
                    for start in opening.times():
                        slot = _slot(territory, opening, day, start)
                        if after < slot.start < until:
                            found.append(slot)
                day += dt.timedelta(days=7)
        return sorted(found, key=lambda s: (s.start, s.opening_id))

    def slot(self, slot_id: str) -> Slot | None:
        """The slot named by this id, if it is a real slot of the schedule (right day, right time,
        no closure, no public holiday); otherwise None."""
        match = SLOT_ID.match(slot_id or "")
        if match is None:
            return None
        territory = self._by_id.get(match.group("territory"))
        opening = territory.opening(match.group("opening")) if territory else None
        if opening is None:
            return None
        try:
            local = dt.datetime.strptime(match.group("when"), "%Y-%m-%dT%H:%M")
        except ValueError:
            return None
        if local.time() not in opening.times() or not _open(territory, opening, local.date()):
            return None
        return _slot(territory, opening, local.date(), local.time())


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (with a time zone)")
    return moment


def _open(territory: Territory, opening: Opening, day: dt.date) -> bool:
    return (opening.occurs_on(day) and not is_public_holiday(day, territory.holidays)
            and not any(closure.closes(day, opening.place.id) for closure in territory.closures))


def _slot(territory: Territory, opening: Opening, day: dt.date, start: dt.time) -> Slot:
    local = dt.datetime.combine(day, start, tzinfo=PARIS)
    place = opening.place
    label = opening.label or (f"{place.name}, {place.landmark}" if place.landmark else place.name)
    return Slot(
        id=f"{territory.id}:{opening.id}:{day.isoformat()}T{start:%H:%M}",
        territory_id=territory.id,
        place=place,
        opening_id=opening.id,
        start=local.astimezone(UTC),
        end=(local + dt.timedelta(minutes=opening.slot_minutes)).astimezone(UTC),
        capacity=opening.capacity,
        label=label,
    )
