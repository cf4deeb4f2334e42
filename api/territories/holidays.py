"""French public holidays (jours fériés), computed: no rendez-vous on those days.

France: 1 January, Easter Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July, 15 August,
1 November, 11 November, 25 December. Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle) adds Good
Friday and 26 December.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

CALENDARS = ("france", "alsace_moselle")


def easter(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=256)
def public_holidays(year: int, calendar: str = "france") -> dict[dt.date, str]:
    """date → name of every public holiday of the year."""
    if calendar not in CALENDARS:
        raise ValueError(f"unknown holiday calendar {calendar!r} (expected {' or '.join(CALENDARS)})")
    sunday = easter(year)
    days = {
        dt.date(year, 1, 1): "jour de l'an",
        sunday + dt.timedelta(days=1): "lundi de Pâques",
        dt.date(year, 5, 1): "fête du Travail",
        dt.date(year, 5, 8): "victoire de 1945",
        sunday + dt.timedelta(days=39): "Ascension",
        sunday + dt.timedelta(days=50): "lundi de Pentecôte",
        dt.date(year, 7, 14): "fête nationale",
        dt.date(year, 8, 15): "Assomption",
        dt.date(year, 11, 1): "Toussaint",
        dt.date(year, 11, 11): "armistice de 1918",
        dt.date(year, 12, 25): "Noël",
    }
    if calendar == "alsace_moselle":
        days[sunday - dt.timedelta(days=2)] = "Vendredi saint"
        days[dt.date(year, 12, 26)] = "saint Étienne"
    return days


def is_public_holiday(date: dt.date, calendar: str = "france") -> bool:
    return date in public_holidays(date.year, calendar)
