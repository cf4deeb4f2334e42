"""Fixtures of the booking tests: a small territory written for the tests, a migrated database
(SQLite, and PostgreSQL when it is there), a clock the test moves, and a recording SMS adapter."""
from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from api.booking.service import BookingService
from api.core.db import Database
from api.core.security import Vault
from api.outbox import Outbox
from api.territories import Territories
from tests.svc import support
from tests.svc.support import BOTH, Clock, Recorder

# Monday 30 November 2026, 10:00 in Paris.
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)

TERRITORY = """\
id: test_ville
name: Test-Ville
communes:
  - "54395"   # Nancy
phone: "03 83 00 00 00"
contact: Appelez l'équipe au 03 83 00 00 00, du lundi au vendredi.
what_to_bring:
  - une pièce d'identité
  - un RIB
holidays: france
places:
  centre:
    name: Centre social Les Nations
    address: 1 rue de la Paix, Nancy
    access: "Tram 1, arrêt Nations"
    accessibility: {wheelchair: true}
  marche:
    name: Marché du Haut-du-Lièvre
    address: Place du marché, Nancy
    access: Devant la pharmacie
    accessibility: {wheelchair: true, notes: En extérieur.}
openings:
  - id: centre_mardi
    place: centre
    day: mardi
    from: "9:00"
    to: "10:00"
    slot_minutes: 30
    capacity: 1
  - id: marche_jeudi
    place: marche
    day: jeudi
    from: "14:00"
    to: "15:00"
    slot_minutes: 30
    capacity: 2
closures: []
local_aids: []
"""


@pytest.fixture
def territories(tmp_path: Path) -> Territories:
    folder = tmp_path / "territories"
    folder.mkdir()
    (folder / "test_ville.yml").write_text(TERRITORY, encoding="utf-8")
    return Territories.load(folder)


@pytest.fixture(params=BOTH)
def db(request, tmp_path) -> Iterator[Database]:
    with support.migrated(request.param, tmp_path, "tzn_booking") as database:
        yield database


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def service(db: Database, territories: Territories, clock: Clock) -> BookingService:
    return BookingService(db, territories, clock=clock)


@pytest.fixture
def vault() -> Vault:
    return Vault(base64.urlsafe_b64encode(b"b" * 32).decode())


@pytest.fixture
def outbox(db: Database, vault: Vault, clock: Clock):  # noqa: ANN201
    return Outbox(db, vault, {"sms": Recorder(), "telegram": Recorder()}, clock=clock)
