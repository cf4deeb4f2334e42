"""Job titles named in a message (« aide-soignante », « chauffeur livreur », « ASH »).

The titles come from data/occupations.txt (several hundred jobs along the ROME domains of France
Travail, masculine and feminine forms, usual short forms). `find_occupations(text)` finds them in
a normalised text (text.normalise) by looking up runs of up to `MAX_WORDS` words in a dictionary:
one dictionary look-up per word and run length, so the cost does not grow with the size of the
list. The longest title wins (« chauffeur livreur » rather than « chauffeur »); plural forms are
found too (« on est aides-soignantes »).

This module only says where a title is. Whether it is the person's own job (« je suis
infirmière ») or someone else (« l'infirmière passe le matin ») is decided by categories.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlu.parsing.text import normalise

DATA_FILE = Path(__file__).resolve().parent / "data" / "occupations.txt"
MAX_WORDS = 8
_WORD = re.compile(r"[a-z0-9]+")
_JOINER = re.compile(r"[\s'-]*")  # what may stand between two words of one title


@dataclass(frozen=True)
class Occupation:
    label: str        # the form as written in the data file (accents kept), e.g. "aide-soignante"
    status: str       # "salarie" or "independant": how the job is usually held


@dataclass(frozen=True)
class OccupationMatch:
    occupation: Occupation
    start: int        # span in the normalised text
    end: int


def _key(words: list[str]) -> str:
    return " ".join(words)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, Occupation], dict[str, Occupation], frozenset[str], int]:
    """Forms by their words, forms by their singular words, the first words, the longest form."""
    forms: list[tuple[int, str, str]] = []   # (line number, form, status)
    for number, raw in enumerate(DATA_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("["):
            continue
        status = "salarie"
        if "=" in line:
            line, tag = (part.strip() for part in line.split("=", 1))
            if tag != "independant":
                raise ValueError(f"{DATA_FILE}:{number}: unknown tag {tag!r}")
            status = "independant"
        for form in (f.strip() for f in line.split("/")):
            if not form or "|" in form:
                raise ValueError(f"{DATA_FILE}:{number}: empty form or « | » in a form")
            forms.append((number, form, status))
    # one call to normalise for all the forms (the « | » keeps them apart): as the messages are
    normalised = normalise(" | ".join(form.replace("-", " ") for _, form, _ in forms)).split("|")
    exact: dict[str, Occupation] = {}
    singular: dict[str, Occupation] = {}
    for (number, form, status), text in zip(forms, normalised):
        words = _WORD.findall(text)
        if not words or len(words) > MAX_WORDS:
            raise ValueError(f"{DATA_FILE}:{number}: form {form!r} has no word or too many")
        occupation = Occupation(form, status)
        exact.setdefault(_key(words), occupation)
        singular.setdefault(_key([_singular(w) for w in words]), occupation)
    firsts = frozenset(key.split(" ", 1)[0] for key in list(exact) + list(singular))
    longest = max(len(key.split()) for key in exact)
    return exact, singular, firsts, longest


TYPO_MIN_LENGTH = 6


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@lru_cache(maxsize=1)
def _typo_index() -> dict[str, frozenset[str]]:
    """First words of titles (6 letters or more) by each of their one-letter deletions."""
    index: dict[str, set[str]] = {}
    for first in _tables()[2]:
        if len(first) >= TYPO_MIN_LENGTH:
            for key in _deletions(first) | {first}:
                index.setdefault(key, set()).add(first)
    return {key: frozenset(words) for key, words in index.items()}


def _one_edit(a: str, b: str) -> bool:
    """True when b is a with one letter added, missing or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


@lru_cache(maxsize=4096)
def _typo_fix(word: str) -> str | None:
    """The one title word `word` is a typo of (one letter added, missing, changed or two swapped),
    when there is exactly one: « emplyee » → « employee »; None otherwise."""
    if len(word) < TYPO_MIN_LENGTH - 1:
        return None
    index = _typo_index()
    near = set(index.get(word, ()))
    for key in _deletions(word):
        near |= index.get(key, frozenset())
    near = {w for w in near if _one_edit(word, w)}
    return next(iter(near)) if len(near) == 1 else None


def occupation_count() -> int:
    """How many forms the list holds (masculine, feminine and short forms)."""
    return len(_tables()[0])


def find_occupations(text: str) -> list[OccupationMatch]:
    """Job titles in the normalised `text`, longest first at each place, left to right."""
    exact, singular, firsts, longest = _tables()
    words = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        if word not in firsts and _singular(word) not in firsts:
            word = _typo_fix(word) or word   # « emplyée de mairie »
        words.append((word, match.start(), match.end()))
    found: list[OccupationMatch] = []
    index = 0
    while index < len(words):
        if words[index][0] not in firsts and _singular(words[index][0]) not in firsts:
            index += 1
            continue
        # the longest run of words joined only by spaces, hyphens or apostrophes
        last = index
        while last + 1 < len(words) and last + 1 - index < longest and \
                _JOINER.fullmatch(text, words[last][2], words[last + 1][1]):
            last += 1
        match = None
        for stop in range(last, index - 1, -1):
            run = [w for w, _, _ in words[index:stop + 1]]
            occupation = exact.get(_key(run)) or singular.get(_key([_singular(w) for w in run]))
            if occupation:
                match = OccupationMatch(occupation, words[index][1], words[stop][2])
                index = stop + 1
                break
        if match:
            found.append(match)
        else:
            index += 1
    return found
