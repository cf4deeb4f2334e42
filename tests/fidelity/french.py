"""French helpers of the harness's renderer: numbers in words, texting style, small typos, agreement.
Written for the harness (not taken from the NLU training data)."""
from __future__ import annotations

import random
import re
import unicodedata

from knowledge import load

UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
         "douze", "treize", "quatorze", "quinze", "seize"]
TENS = {20: "vingt", 30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante"}


def _below_100(n: int) -> str:
    if n <= 16:
        return UNITS[n]
    if n < 20:
        return "dix-" + UNITS[n - 10]
    if n < 70:
        tens, unit = divmod(n, 10)
        word = TENS[tens * 10]
        if unit == 0:
            return word
        return f"{word} et un" if unit == 1 else f"{word}-{UNITS[unit]}"
    if n < 80:
        return "soixante et onze" if n == 71 else "soixante-" + _below_100(n - 60)
    if n == 80:
        return "quatre-vingts"
    return "quatre-vingt-" + _below_100(n - 80)


def _below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _below_100(rest)
    head = "cent" if hundreds == 1 else f"{UNITS[hundreds]} cent"
    if rest == 0:
        return head + ("s" if hundreds > 1 else "")
    return f"{head} {_below_100(rest)}"


def in_words(n: int) -> str:
    """0 ≤ n < 1 000 000 in French words (« mille deux cents », « quatre-vingt-dix »)."""
    if not 0 <= n < 1_000_000:
        raise ValueError(n)
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        return _below_1000(rest)
    head = "mille" if thousands == 1 else f"{_below_1000(thousands).removesuffix('s')} mille"
    return head if rest == 0 else f"{head} {_below_1000(rest)}"


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def amount(rng: random.Random, value: float, words: float = 0.12, grouped: float = 0.3) -> str:
    """An amount as people write it: « 1200 », « 1 200 », « 1200€ », « mille deux cents »."""
    whole = int(round(value))
    if abs(value - whole) > 0.001:
        return f"{value:.2f}".replace(".", ",")
    if rng.random() < words and whole < 10000:
        return in_words(whole)
    text = f"{whole:,}".replace(",", " ") if whole >= 1000 and rng.random() < grouped else str(whole)
    return text + rng.choice(["", "", "", " €", "€", " euros", " e"])


def age(rng: random.Random, value: int, words: float = 0.12) -> str:
    return in_words(value) if rng.random() < words else str(value)


# Texting: shortenings people use on a phone (applied to whole words, never to numbers).
SMS_WORDS = [
    (r"\bje suis\b", "jsuis", 0.6), (r"\bj'ai\b", "jai", 0.6), (r"\bc'est\b", "c", 0.5), (r"\bquoi\b", "koi", 0.6),
    (r"\bje sais pas\b", "jsp", 0.6), (r"\bbeaucoup\b", "bcp", 0.6), (r"\bpour\b(?! cent)", "pr", 0.4),
    (r"\bvous\b", "vs", 0.6), (r"\bqu'il\b", "kil", 0.5), (r"\bqu'elle\b", "kel", 0.5), (r"\bd'accord\b", "dac", 0.6),
    (r"\bmaintenant\b", "mtn", 0.6), (r"\btoujours\b", "tjrs", 0.6), (r"\bquelque chose\b", "qqch", 0.6),
    (r"\bil y a\b", "ya", 0.6), (r"\bmon\b", "mn", 0.3), (r"\bet\b", "é", 0.2),
]


def sms(rng: random.Random, text: str) -> str:
    """Lower case, no accents, a few shortenings: the way many people text from a basic phone."""
    out = strip_accents(text.lower())
    for pattern, short, chance in SMS_WORDS:
        if rng.random() < chance:
            out = re.sub(pattern, short, out)
    return out.replace(" ,", ",").rstrip(".")


NUMBER_WORDS = set(" ".join(UNITS + list(TENS.values())).split()) | {
    "vingts", "cent", "cents", "mille", "dix", "soixante", "quatre"}


def typo(rng: random.Random, text: str, rate: float = 0.5, protect: frozenset[str] = frozenset()) -> str:
    """One small slip in one word of 6 letters or more that is not a number (in words too) or a word of
    `protect` (the name of the town): a doubled or dropped letter, two letters swapped. The answer
    stays clear to a human reader."""
    words = text.split(" ")
    protected = {strip_accents(w).lower() for w in protect} | NUMBER_WORDS
    candidates = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha() and w.islower()
                  and strip_accents(w) not in protected and not any(part in NUMBER_WORDS for part in w.split("-"))]
    if not candidates or rng.random() > rate:
        return text
    i = rng.choice(candidates)
    word = words[i]
    k = rng.randrange(1, len(word) - 2)
    kind = rng.choice(["double", "drop", "swap"])
    if kind == "double":
        word = word[:k] + word[k] + word[k:]
    elif kind == "drop":
        word = word[:k] + word[k + 1:]
    else:
        word = word[:k] + word[k + 1] + word[k] + word[k + 2:]
    words[i] = word
    return " ".join(words)


def agree(text: str, sex: str) -> str:
    """« seul(e) », « retraité(e) »: the persona's grammatical gender."""
    return re.sub(r"\(e\)", "e" if sex == "f" else "", re.sub(r"\(ne\)", "ne" if sex == "f" else "", text))


DEPARTEMENTS: dict[str, str] = {str(code): name for code, name in load("departements").items()}
