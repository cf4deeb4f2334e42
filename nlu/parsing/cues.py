"""What a message says about the conversation itself rather than the household: a phone number, a
choice among the offered slots (« le premier », « mardi », « un autre jour »), wanting to be called
back or to move an appointment, and « pourquoi ». Each is a Mention (see extract.py)."""
from __future__ import annotations

import re

from nlu.parsing.mention import Mention
from nlu.parsing.text import NormText

_PHONE = re.compile(r"(?<![\d+])(?:\+33|0033|0)\s*[1-9](?:[\s.\-]*\d{2}){4}(?!\d)")
_ORDINALS = re.compile(r"\b(?:le |la )?(premier|premiere|1er|1ere|deuxieme|second|seconde|2eme|2e|troisieme|"
                       r"3eme|3e|dernier|derniere)\b")
_ORDINAL_VALUE = {"premier": 1, "premiere": 1, "1er": 1, "1ere": 1, "deuxieme": 2, "second": 2, "seconde": 2,
                  "2eme": 2, "2e": 2, "troisieme": 3, "3eme": 3, "3e": 3, "dernier": "dernier",
                  "derniere": "dernier"}
_NUMBERED = re.compile(r"\b(\d{1,2}) ?(?:e|eme|ieme|er|ere|em)\b")
_OTHER_DAY = re.compile(r"\b(?:un autre|une autre|autre (?:jour|date|creneau|moment)|aucun(?:e)?(?: ne)?|"
                        r"pas possible|je ne peux pas|je peux pas|ca ne va pas|ca va pas|aucun ne me va)\b")
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b")
_CALLBACK = re.compile(r"\b(?:rappel\w*|rapel\w*|appelez|appeler|m'appeler|telephon\w*|coup de fil)\b")
_MOVE = re.compile(r"\b(?:deplac\w*|change\w*|decal\w*|report\w*|autre (?:jour|date|creneau)|plus tard)\b")
_WHY = re.compile(r"\b(?:pourquoi|porquoi|pourquoa|comment ca se fait|pour quelle raison)\b")


def phone_mentions(nt: NormText) -> list[Mention]:
    """« 06 12 34 56 78 », « +33 6 12... » → the number in E.164 (+33612345678)."""
    found = []
    for match in _PHONE.finditer(nt.text):
        digits = re.sub(r"\D", "", match.group(0))
        national = digits[-9:]
        found.append(Mention("phone", f"+33{national}", match.start(), match.end()))
    return found


def choice_mentions(nt: NormText) -> list[Mention]:
    """A choice among offered options: an ordinal (1, 2, 3 or « dernier »), a weekday (entity
    `weekday`, 0 for Monday), or « un autre jour » (choice « autre »)."""
    found = []
    other = _OTHER_DAY.search(nt.text)
    if other:
        found.append(Mention("choice", "autre", other.start(), other.end()))
        return found
    ordinal = _ORDINALS.search(nt.text) or _NUMBERED.search(nt.text)
    if ordinal:
        value = _ORDINAL_VALUE.get(ordinal.group(1)) or int(ordinal.group(1))
        found.append(Mention("choice", value, ordinal.start(), ordinal.end()))
    bare = re.fullmatch(r"\s*(\d)\s*[.)]?\s*", nt.text)
    if bare and not ordinal:
        found.append(Mention("choice", int(bare.group(1)), bare.start(1), bare.end(1)))
    for day in _WEEKDAY.finditer(nt.text):
        found.append(Mention("weekday", _WEEKDAYS.index(day.group(1)), day.start(), day.end()))
    return found


def intention_mentions(nt: NormText) -> list[Mention]:
    """Wanting to be called back (`contact_mode` callback), to move an appointment
    (`appointment_change` move), and a « pourquoi » (`question` why)."""
    found = []
    for pattern, entity, value in ((_CALLBACK, "contact_mode", "callback"), (_MOVE, "appointment_change", "move"),
                                   (_WHY, "question", "why")):
        match = pattern.search(nt.text)
        if match:
            found.append(Mention(entity, value, match.start(), match.end()))
    return found
