"""A broken territory file stops the loading with the file, the line of the offending value, and
what is wrong; a valid one gives the territory as written."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.core.config import ROOT
from api.territories import Territories, TerritoryError
from api.territories.loader import display_name
from tests.svc.territories.territory_files import VALID, line_of, write

# name: (text to replace, replacement, fragment found on the expected line, words of the message)
BROKEN = {
    "day name": ("day: mercredi", "day: mardy", "mardy", "« mardy » is not a day (lundi ... dimanche)"),
    "unknown field": ("    capacity: 2\n", "    capacity: 2\n    colour: blue\n", "colour", "unknown field « colour »"),
    "capacity not a number": ("capacity: 2", "capacity: deux", "deux", "should be a whole number"),
    "capacity below 1": ("capacity: 2", "capacity: 0", "capacity: 0", "at least 1"),
    "from after to": ('from: "9:00"', 'from: "13:00"', '"13:00"', "not before its end"),
    "from equal to": ('from: "9:00"', 'from: "12:00"', 'from: "12:00"', "not before its end"),
    "slot not dividing": ("slot_minutes: 30\n    capacity: 2", "slot_minutes: 40\n    capacity: 2",
                          "slot_minutes: 40", "do not fit exactly"),
    "unknown place": ("place: centre\n    day: mercredi", "place: centre_socal\n    day: mercredi",
                      "centre_socal", "« centre_socal » is not a place of this territory"),
    "id is not the file name": ("id: test_town", "id: other_town", "id: other_town", "should be the file name"),
    "INSEE code format": ('"54395"', '"5439"', '"5439"', "is not an INSEE commune code"),
    "INSEE code with letters": ('"54395"', '"NANCY"', '"NANCY"', "is not an INSEE commune code"),
    "duplicate commune": ('  - "54395"  # Nancy\n', '  - "54395"  # Nancy\n  - "54395"  # again\n',
                          "# again", "listed twice"),
    "duplicate opening id": ("id: mondays", "id: weekly", "id: weekly", "two openings have the id « weekly »"),
    "duplicate place": ("  market:\n", "  centre:\n", "  centre:", "« centre » appears twice"),
    "duplicate local aid": ("      url: https://example.org/carte\n",
                            "      url: https://example.org/carte\n" + VALID[VALID.index("  - name: youth_card"):],
                            "name: youth_card", "two local aids are named « youth_card »"),
    "communes not a list": ('communes:\n  - "54395"  # Nancy', 'communes: "54395"', "communes:", "should be a list"),
    "place not a mapping": ("  market:\n    name: Marché du quartier\n    address: Place du marché, 54000 Nancy\n"
                            "    access: Au milieu de la place.\n    accessibility:\n      wheelchair: false\n",
                            "  market: Marché du quartier\n", "market: Marché", "should be a list of named fields"),
    "every other week without first_date": ("    first_date: 2027-01-09\n", "", "every: 2", "needs a first_date"),
    "first_date on the wrong day": ("first_date: 2027-01-09", "first_date: 2027-01-10", "2027-01-10",
                                    "is a dimanche, not a samedi"),
    "not a time": ('to: "12:00"', 'to: "midi"', "midi", "is not a time"),
    "not a date": ("from: 2027-02-15", "from: 2027-02-30", "2027-02-30", "is not a date"),
    "closure ends before it starts": ("to: 2027-02-21", "to: 2027-02-01", "to: 2027-02-01", "before it starts"),
    "closure of an unknown place": ("    place: centre\nholidays", "    place: gym\nholidays", "place: gym",
                                    "« gym » is not a place"),
    "holiday calendar": ("holidays: france", "holidays: belgique", "belgique", "is not a holiday calendar"),
    "phone": ("phone: 03 53 01 00 00", "phone: 12 34", "phone: 12 34", "is not a French phone number"),
    "wheelchair not yes or no": ("wheelchair: true", "wheelchair: maybe", "maybe", "should be « true » or « false »"),
    "unknown condition": ("age: {min: 11, max: 25}", "agee: {min: 11, max: 25}", "agee", "unknown field « agee »"),
    "unknown national benefit": ("age: {min: 11, max: 25}", "requires: [rsa, rsaa]", "rsaa",
                                 "« rsaa » is not a national benefit id"),
    "age min above max": ("age: {min: 11, max: 25}", "age: {min: 30, max: 25}", "max: 25}", "below min"),
    "amount not a number": ("amount: null", "amount: beaucoup", "beaucoup", "should be a number"),
    "period": ("period: year", "period: weekly", "period: weekly", "is not a period"),
    "url": ("url: https://example.org/carte", "url: example.org", "example.org", "starting with https://"),
    "YAML syntax": ("age: {min: 11, max: 25}", "age: {min: 11, max: 25", None, "not valid YAML"),
}


def load(folder: Path) -> Territories:
    return Territories.load(folder)


def test_the_valid_file_gives_the_territory_as_written(town: Territories) -> None:
    territory = town.get("test_town")
    assert territory is not None and town.all() == [territory]
    assert territory.name == "Test Town" and territory.communes == frozenset({"54395"})
    assert territory.phone == "03 53 01 00 00" and territory.what_to_bring == ["Une pièce d'identité"]
    centre = territory.places["centre"]
    assert (centre.name, centre.address, centre.access) == ("Centre social", "1 rue de la Paix, 54000 Nancy",
                                                            "Bus 5, arrêt Paix.")
    assert centre.accessibility == "Accessible en fauteuil roulant. Entrée de plain-pied." and centre.wheelchair
    assert territory.places["market"].accessibility == "Pas d'accès en fauteuil roulant."
    weekly = territory.opening("weekly")
    assert (weekly.day, weekly.start, weekly.end, weekly.slot_minutes, weekly.capacity, weekly.every) == (
        "mercredi", dt.time(9), dt.time(12), 30, 2, 1)
    fortnightly = territory.opening("fortnightly")
    assert (fortnightly.every, fortnightly.first_date) == (2, dt.date(2027, 1, 9))
    assert [(c.start, c.end, c.place) for c in territory.closures] == [
        (dt.date(2027, 2, 15), dt.date(2027, 2, 21), None), (dt.date(2027, 3, 1), dt.date(2027, 3, 7), "centre")]
    aid = territory.local_aids[0]
    assert aid.id == "local.test_town.youth_card" and aid.amount is None and aid.period == "year"
    assert [(c.kind, c.value) for c in aid.conditions] == [("age", {"min": 11, "max": 25, "who": "anyone"})]
    assert town.for_commune("54395") is territory and town.for_commune("67482") is None
    assert town.get("nowhere") is None


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_a_broken_file_names_the_file_and_the_line(tmp_path: Path, case: str) -> None:
    old, new, fragment, words = BROKEN[case]
    assert old in VALID, case
    text = VALID.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(TerritoryError) as raised:
        load(tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{path}, line "), message
    if fragment is not None:
        expected = line_of(text, fragment, 2 if case in {"duplicate opening id", "duplicate place",
                                                         "duplicate local aid"} else 1)
        assert message.startswith(f"{path}, line {expected}: "), message
    if words is not None:
        assert words in message, message


def test_a_missing_field_is_reported_on_its_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("contact: Appelez l'équipe du lundi au vendredi.\n", ""))
    with pytest.raises(TerritoryError, match="missing field « contact »") as raised:
        load(tmp_path)
    assert str(raised.value).startswith(f"{path}, line 2: ")


def test_a_commune_in_two_territories_names_the_second_file_and_its_line(tmp_path: Path) -> None:
    write(tmp_path)
    other = VALID.replace("id: test_town", "id: zz_town").replace('  - "54395"  # Nancy\n',
                                                                   '  - "54357"  # Maxéville\n  - "54395"  # Nancy\n')
    second = write(tmp_path, other, stem="zz_town")
    with pytest.raises(TerritoryError) as raised:
        load(tmp_path)
    assert str(raised.value).startswith(f"{second}, line {line_of(other, '# Nancy')}: the commune 54395 is already in")


def test_communes_can_be_checked_against_the_official_list(tmp_path: Path) -> None:
    path = write(tmp_path)
    assert Territories.load(tmp_path, known_communes={"54395"}).get("test_town")
    with pytest.raises(TerritoryError) as raised:
        Territories.load(tmp_path, known_communes={"54000"})
    assert str(raised.value) == f"{path}, line 5: « 54395 » is not in the official list of communes"


def test_unquoted_codes_and_times_are_read_as_written(tmp_path: Path) -> None:
    """YAML would read 9:00 as 540 (base 60) and 54395 as a number: the loader reads the text."""
    write(tmp_path, VALID.replace('"54395"', "54395").replace('from: "9:00"', "from: 9:00"))
    territory = load(tmp_path).get("test_town")
    assert territory.communes == frozenset({"54395"}) and territory.opening("weekly").start == dt.time(9)


def test_an_empty_file_and_an_empty_folder(tmp_path: Path) -> None:
    assert load(tmp_path / "missing").all() == []
    path = write(tmp_path, "# nothing yet\n")
    with pytest.raises(TerritoryError, match="empty"):
        load(tmp_path)
    assert path.exists()


def test_files_inside_the_project_are_named_from_its_root() -> None:
    assert display_name(ROOT / "knowledge" / "territories" / "x.yml") == "knowledge/territories/x.yml"


def test_territory_error_is_a_value_error() -> None:
    assert issubclass(TerritoryError, ValueError)
