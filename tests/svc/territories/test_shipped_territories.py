"""The territory files shipped in knowledge/territories: they load, their communes are real
communes, and their schedules follow the public holidays of their region."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from api.core.config import Settings
from api.eligibility.benefits import SPECS
from api.territories import Territories
from api.territories.loader import NATIONAL_BENEFITS
from tests.svc.territories.conftest import SHIPPED
from tests.svc.territories.territory_files import day_slots

EXPECTED = {"grand_nancy", "pays_haut", "sud_lunevillois", "frouard_faulx", "venissieux", "vaulx_en_velin",
            "lyon_7e", "strasbourg"}
GOOD_FRIDAY_2027, EASTER_MONDAY_2027 = dt.date(2027, 3, 26), dt.date(2027, 3, 29)


def test_every_shipped_file_loads(shipped: Territories) -> None:
    assert {t.id for t in shipped.all()} == EXPECTED
    assert {path.stem for path in SHIPPED.glob("*.yml")} == EXPECTED
    assert Settings().territories_dir == SHIPPED
    for territory in shipped.all():
        assert territory.file == f"knowledge/territories/{territory.id}.yml"
        assert territory.communes and territory.places and territory.openings and territory.what_to_bring
        assert territory.local_aids, f"{territory.id}: no local aid"


def test_every_commune_is_in_the_official_list(shipped: Territories) -> None:
    communes_file = Settings().communes_file
    if not communes_file.exists():
        pytest.skip(f"{communes_file} is missing: run `make data` to fetch the official list of communes")
    official = {c["code"]: c["name"] for c in json.loads(communes_file.read_text(encoding="utf-8"))["communes"]}
    Territories.load(SHIPPED, known_communes=official)   # raises with the file and the line otherwise
    named = {"54395": "Nancy", "54184": "Essey-lès-Nancy", "54357": "Maxéville", "54339": "Malzéville",
             "54482": "Saint-Max", "69259": "Vénissieux", "69256": "Vaulx-en-Velin",
             "69387": "Lyon 7e Arrondissement", "67482": "Strasbourg", "54323": "Longwy", "54329": "Lunéville",
             "54215": "Frouard", "54188": "Faulx"}
    assert {code: official[code] for code in named} == named


def test_the_commune_names_in_comments_match_the_codes(shipped: Territories) -> None:
    """`- "54395"  # Nancy`: the comment a coordinator reads names the commune of the code."""
    communes_file = Settings().communes_file
    if not communes_file.exists():
        pytest.skip(f"{communes_file} is missing: run `make data`")
    official = {c["code"]: c["name"] for c in json.loads(communes_file.read_text(encoding="utf-8"))["communes"]}
    for path in SHIPPED.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith('- "') and "#" in line:
                code, name = line.split('"')[1], line.split("#", 1)[1].strip()
                assert official[code] == name, f"{path.name}: {line.strip()}"


def test_territories_by_commune(shipped: Territories) -> None:
    assert shipped.for_commune("54395").id == "grand_nancy"
    assert shipped.for_commune("67482").id == "strasbourg"
    assert shipped.for_commune("69387").id == "lyon_7e"
    assert shipped.for_commune("69123") is None      # Lyon as a whole: the arrondissement decides
    assert shipped.for_commune("75056") is None


def test_good_friday_closes_strasbourg_but_not_grand_nancy(shipped: Territories) -> None:
    assert shipped.get("strasbourg").holidays == "alsace_moselle"
    assert shipped.get("grand_nancy").holidays == "france"
    assert day_slots(shipped, "strasbourg", GOOD_FRIDAY_2027) == []
    assert day_slots(shipped, "strasbourg", GOOD_FRIDAY_2027 - dt.timedelta(days=7))   # a Friday opening exists
    assert day_slots(shipped, "grand_nancy", GOOD_FRIDAY_2027)


def test_easter_monday_closes_every_territory(shipped: Territories) -> None:
    assert day_slots(shipped, "grand_nancy", EASTER_MONDAY_2027 - dt.timedelta(days=7))
    for territory in shipped.all():
        assert day_slots(shipped, territory.id, EASTER_MONDAY_2027) == []


def test_every_territory_offers_slots_in_the_coming_weeks(shipped: Territories) -> None:
    start = dt.datetime(2027, 1, 11, tzinfo=dt.timezone.utc)
    for territory in shipped.all():
        slots = shipped.slots(territory.id, start, start + dt.timedelta(days=21))
        assert len({s.start.date() for s in slots}) >= 3, territory.id
        assert all(shipped.slot(s.id) == s for s in slots)


def test_local_aids_name_national_benefits_by_their_contract_ids(shipped: Territories) -> None:
    assert set(NATIONAL_BENEFITS) == {spec.id for spec in SPECS} and len(NATIONAL_BENEFITS) == 16
    atout_voir = next(a for a in shipped.get("strasbourg").local_aids if a.name == "carte_atout_voir")
    assert atout_voir.id == "local.strasbourg.carte_atout_voir" and atout_voir.amount is None
    assert [(c.kind, c.value) for c in atout_voir.conditions] == [("age", {"min": 11, "max": 25, "who": "anyone"})]
    for territory in shipped.all():
        for aid in territory.local_aids:
            assert aid.id == f"local.{territory.id}.{aid.name}"
            assert aid.how_to_claim["url"].startswith("https://")
