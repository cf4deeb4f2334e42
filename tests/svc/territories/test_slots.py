"""Slots: every week (or every other week) in Paris wall-clock time, across daylight saving time,
without public holidays and closures; a slot id names one real slot and nothing else."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.territories import Territories
from api.territories.holidays import easter, public_holidays
from tests.svc.territories.territory_files import PARIS, VALID, day_slots, write

UTC = dt.timezone.utc


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def test_a_weekly_opening_gives_its_slots_every_week_in_order(town: Territories) -> None:
    slots = town.slots("test_town", paris(2027, 1, 4), paris(2027, 2, 1))
    weekly = [s for s in slots if s.opening_id == "weekly"]
    assert [s.start.astimezone(PARIS).date() for s in weekly[::6]] == [
        dt.date(2027, 1, 6), dt.date(2027, 1, 13), dt.date(2027, 1, 20), dt.date(2027, 1, 27)]
    assert [s.start.astimezone(PARIS).strftime("%H:%M") for s in weekly[:6]] == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert [s.start for s in slots] == sorted(s.start for s in slots)
    first = weekly[0]
    assert first.id == "test_town:weekly:2027-01-06T09:00"
    assert first.start == dt.datetime(2027, 1, 6, 8, 0, tzinfo=UTC) and first.start.tzinfo is UTC
    assert first.end - first.start == dt.timedelta(minutes=30)
    assert (first.territory_id, first.place.id, first.capacity) == ("test_town", "centre", 2)
    assert first.label == "Centre social, devant le centre social"
    assert [s for s in slots if s.opening_id == "fridays"][0].label == "Marché du quartier"  # no landmark


def test_only_slots_strictly_between_after_and_until(town: Territories) -> None:
    nine, noon = paris(2027, 1, 6, 9), paris(2027, 1, 6, 12)
    starts = [s.start for s in town.slots("test_town", nine, noon)]
    assert starts[0] == paris(2027, 1, 6, 9, 30) and starts[-1] == paris(2027, 1, 6, 11, 30)
    assert [s.start for s in town.slots("test_town", nine, paris(2027, 1, 6, 10))] == [paris(2027, 1, 6, 9, 30)]
    assert town.slots("test_town", noon, nine) == []
    assert town.slots("nowhere", nine, noon) == []
    with pytest.raises(ValueError, match="aware"):
        town.slots("test_town", dt.datetime(2027, 1, 6, 9), noon)


@pytest.mark.parametrize("before, after", [
    (dt.date(2027, 3, 24), dt.date(2027, 3, 31)),    # summer time starts on Sunday 28 March 2027
    (dt.date(2027, 10, 27), dt.date(2027, 11, 3)),   # and ends on Sunday 31 October 2027
])
def test_nine_o_clock_stays_nine_o_clock_in_paris_across_daylight_saving_time(
        town: Territories, before: dt.date, after: dt.date) -> None:
    first = [day_slots(town, "test_town", day, "weekly")[0] for day in (before, after)]
    assert [s.start.astimezone(PARIS).strftime("%H:%M") for s in first] == ["09:00", "09:00"]
    assert [s.id[-5:] for s in first] == ["09:00", "09:00"]
    assert {s.start.utcoffset() for s in first} == {dt.timedelta(0)}
    assert abs(first[0].start.hour - first[1].start.hour) == 1       # 8:00 UTC in winter, 7:00 UTC in summer
    assert all(s.end - s.start == dt.timedelta(minutes=30) for s in first)


def test_the_week_of_the_change_of_time(town: Territories) -> None:
    """Wednesday 31 March 2027, three days after the change: slots at 7:00 UTC, none lost or doubled."""
    slots = day_slots(town, "test_town", dt.date(2027, 3, 31), "weekly")
    assert [s.start.strftime("%H:%M") for s in slots] == ["07:00", "07:30", "08:00", "08:30", "09:00", "09:30"]


def test_public_holidays_are_computed() -> None:
    assert [easter(year) for year in (2026, 2027, 2028)] == [
        dt.date(2026, 4, 5), dt.date(2027, 3, 28), dt.date(2028, 4, 16)]
    france = public_holidays(2027, "france")
    assert len(france) == 11
    assert {dt.date(2027, 3, 29), dt.date(2027, 5, 6), dt.date(2027, 5, 17), dt.date(2027, 1, 1), dt.date(2027, 5, 1),
            dt.date(2027, 5, 8), dt.date(2027, 7, 14), dt.date(2027, 8, 15), dt.date(2027, 11, 1),
            dt.date(2027, 11, 11), dt.date(2027, 12, 25)} == set(france)
    alsace = public_holidays(2027, "alsace_moselle")
    assert set(alsace) - set(france) == {dt.date(2027, 3, 26), dt.date(2027, 12, 26)}


def test_no_slot_on_easter_monday(town: Territories) -> None:
    assert day_slots(town, "test_town", dt.date(2027, 3, 22), "mondays")
    assert day_slots(town, "test_town", dt.date(2027, 3, 29), "mondays") == []   # Easter Monday 2027
    assert day_slots(town, "test_town", dt.date(2027, 4, 5), "mondays")


def test_good_friday_is_a_holiday_only_in_alsace_moselle(tmp_path: Path) -> None:
    write(tmp_path / "france")
    write(tmp_path / "alsace", VALID.replace("holidays: france", "holidays: alsace_moselle"))
    good_friday = dt.date(2027, 3, 26)
    assert day_slots(Territories.load(tmp_path / "france"), "test_town", good_friday, "fridays")
    assert day_slots(Territories.load(tmp_path / "alsace"), "test_town", good_friday, "fridays") == []


def test_closures_remove_every_slot_or_those_of_one_place(town: Territories) -> None:
    winter_break = town.slots("test_town", paris(2027, 2, 15), paris(2027, 2, 22))
    assert winter_break == []
    assert town.slots("test_town", paris(2027, 2, 8), paris(2027, 2, 15))
    works_week = town.slots("test_town", paris(2027, 3, 1), paris(2027, 3, 8))
    assert works_week and {s.place.id for s in works_week} == {"market"}   # only the centre is closed


def test_every_other_week(town: Territories) -> None:
    saturdays = {s.start.astimezone(PARIS).date() for s in town.slots("test_town", paris(2026, 12, 1), paris(2027, 4, 1))
                 if s.opening_id == "fortnightly"}
    assert sorted(saturdays) == [dt.date(2026, 12, 12), dt.date(2026, 12, 26), dt.date(2027, 1, 9),
                                 dt.date(2027, 1, 23), dt.date(2027, 2, 6),   # 20 February: winter break
                                 dt.date(2027, 3, 6), dt.date(2027, 3, 20)]


def test_starts_and_ends_limit_an_opening(tmp_path: Path) -> None:
    text = VALID.replace('    slot_minutes: 60\n', '    slot_minutes: 60\n    starts: 2027-01-10\n    ends: 2027-01-25\n')
    territories = Territories.load(write(tmp_path, text).parent)
    mondays = {s.start.astimezone(PARIS).date() for s in territories.slots("test_town", paris(2027, 1, 1),
                                                                           paris(2027, 2, 28)) if s.opening_id == "mondays"}
    assert sorted(mondays) == [dt.date(2027, 1, 11), dt.date(2027, 1, 18), dt.date(2027, 1, 25)]


def test_a_slot_id_gives_back_its_slot(town: Territories) -> None:
    slots = town.slots("test_town", paris(2026, 12, 1), paris(2027, 12, 31))
    assert len(slots) > 200
    for slot in slots:
        assert town.slot(slot.id) == slot


@pytest.mark.parametrize("slot_id", [
    "test_town:weekly:2027-01-06T09:15",       # between two slots
    "test_town:weekly:2027-01-06T12:00",       # the end of the opening
    "test_town:weekly:2027-01-06T08:30",       # before it
    "test_town:weekly:2027-01-07T09:00",       # a Thursday
    "test_town:mondays:2027-03-29T14:00",      # Easter Monday
    "test_town:weekly:2027-02-17T09:00",       # winter break
    "test_town:weekly:2027-03-03T09:00",       # works at the centre
    "test_town:fortnightly:2027-01-16T10:00",  # the off week
    "test_town:weekly:2027-02-30T09:00",       # no such date
    "test_town:weekly:2027-01-06T9:00",        # not the id format
    "test_town:yoga:2027-01-06T09:00",         # unknown opening
    "nowhere:weekly:2027-01-06T09:00",         # unknown territory
    "test_town:weekly",
    "",
])
def test_an_id_naming_no_real_slot_gives_none(town: Territories, slot_id: str) -> None:
    assert town.slot(slot_id) is None


def test_a_past_slot_is_still_a_slot_of_the_schedule(town: Territories) -> None:
    slot = town.slot("test_town:weekly:2027-01-06T09:00")
    assert slot is not None and slot.start == dt.datetime(2027, 1, 6, 8, tzinfo=UTC)
