"""A small valid territory file to break on purpose, and helpers to write it in a temporary folder."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from api.territories import Slot, Territories

PARIS = ZoneInfo("Europe/Paris")

VALID = """\
# A test territory.
id: test_town
name: Test Town
communes:
  - "54395"  # Nancy
phone: 03 53 01 00 00
contact: Appelez l'équipe du lundi au vendredi.
what_to_bring:
  - Une pièce d'identité
places:
  centre:
    name: Centre social
    address: 1 rue de la Paix, 54000 Nancy
    access: Bus 5, arrêt Paix.
    landmark: devant le centre social
    accessibility:
      wheelchair: true
      notes: Entrée de plain-pied.
  market:
    name: Marché du quartier
    address: Place du marché, 54000 Nancy
    access: Au milieu de la place.
    accessibility:
      wheelchair: false
openings:
  - id: weekly
    place: centre
    day: mercredi
    from: "9:00"
    to: "12:00"
    slot_minutes: 30
    capacity: 2
  - id: fortnightly
    place: market
    day: samedi
    from: "10:00"
    to: "11:00"
    slot_minutes: 30
    capacity: 1
    every: 2
    first_date: 2027-01-09
  - id: mondays
    place: centre
    day: lundi
    from: "14:00"
    to: "15:00"
    slot_minutes: 60
    capacity: 1
  - id: fridays
    place: market
    day: vendredi
    from: "9:00"
    to: "10:00"
    slot_minutes: 30
    capacity: 1
closures:
  - from: 2027-02-15
    to: 2027-02-21
    reason: Vacances d'hiver
  - from: 2027-03-01
    to: 2027-03-07
    reason: Travaux au centre
    place: centre
holidays: france
local_aids:
  - name: youth_card
    title: Carte jeunes
    summary: Une carte pour les jeunes.
    period: year
    amount: null
    conditions:
      age: {min: 11, max: 25}
    why:
      eligible: Vous y avez droit.
      not_eligible: C'est pour les 11 à 25 ans.
      uncertain: Cela dépend de l'âge.
    how_to_claim:
      who: Mairie
      where: À la mairie.
      url: https://example.org/carte
"""


def write(folder: Path, text: str = VALID, stem: str = "test_town") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing `fragment`."""
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return lines[occurrence - 1]


def day_slots(territories: Territories, territory_id: str, day: dt.date, opening: str | None = None) -> list[Slot]:
    """The slots of one Paris day (of one opening)."""
    start = dt.datetime.combine(day, dt.time(0), PARIS)
    found = territories.slots(territory_id, start - dt.timedelta(seconds=1), start + dt.timedelta(days=1))
    return [s for s in found if opening is None or s.opening_id == opening]
