"""French dates as the assistant says them: « mercredi 3 décembre à 9h30 » (both runtimes)."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


def spoken_date(moment: datetime | str) -> str:
    """« mercredi 3 décembre à 9h30 », in Paris time (an aware datetime or an ISO string)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    local = moment.astimezone(PARIS)
    return f"{spoken_day(local.date())} à {spoken_time(local.time())}"


def spoken_day(day: date) -> str:
    """« mercredi 3 décembre »."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def spoken_time(moment: time) -> str:
    """« 9h », « 9h30 »."""
    return f"{moment.hour}h{moment.minute:02d}" if moment.minute else f"{moment.hour}h"




_VOWELS = "aàâäeéèêëiîïoôöuùûüyœæ"
_CONTRACTED = {"le": "du", "les": "des", "des": "de"}  # « de le » → « du »; « de des » → « de »
_DETERMINERS = {"le", "la", "les", "l'", "l’", "un", "une", "des", "du", "votre", "vos", "mon", "ma", "mes",
                "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "leur", "leurs", "ce", "cet", "cette",
                "ces", "autres", "aucun", "aucune", "chaque", "plusieurs", "quelques"}


def de(phrase: str) -> str:
    """The phrase after the preposition « de », contracted and elided as French requires.

    « le loyer » → « du loyer », « les revenus » → « des revenus », « une réponse » → « d'une réponse »,
    « l'âge » → « de l'âge », « la date » → « de la date », « votre salaire » → « de votre salaire »,
    « des aides » → « d'aides », « autres revenus » → « d'autres revenus ». A capital on a determiner
    moves to the preposition (« Les revenus » → « Des revenus »); a name keeps its own (« d'Anne »)."""
    text = " ".join(phrase.split())
    if not text:
        return "de"
    first, _, rest = text.partition(" ")
    lowered = first.lower()
    elided = lowered[:2] if lowered[:2] in ("l'", "l’") else lowered
    capital = first[0].isupper() and elided in _DETERMINERS
    if capital:
        text = text[0].lower() + text[1:]
    if lowered in _CONTRACTED and rest:
        word = _CONTRACTED[lowered]
        result = "d'" + rest if word == "de" and rest[0].lower() in _VOWELS else f"{word} {rest}"
    elif text[0].lower() in _VOWELS:
        result = "d'" + text
    else:
        result = "de " + text
    return result[0].upper() + result[1:] if capital else result
