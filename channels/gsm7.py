"""GSM-7 (3GPP TS 23.038) for SMS: transliterate what a basic phone cannot show, count segments."""
from __future__ import annotations

import unicodedata

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENDED = "^{}\\[~]|€\f"
_BASIC_SET = frozenset(BASIC)
_EXTENDED_SET = frozenset(EXTENDED)

# Typographic characters people's phones can't show, and their plain equivalents.
REPLACEMENTS = {
    "’": "'", "‘": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
    "…": "...", "–": "-", "—": "-", "‑": "-", "•": "-", "·": ".",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "œ": "oe", "Œ": "OE", "æ": "ae", "ç": "c", "°": "o", "²": "2",
}
KEPT_ACCENTS = frozenset("éèàùìòÉÇ")


def to_gsm7(text: str) -> str:
    """The closest text that fits the GSM-7 alphabet (é è à ù kept, ê â î ô û ç œ ’ « » … replaced)."""
    out = []
    for char in text:
        if char in _BASIC_SET or char in _EXTENDED_SET:
            out.append(char)
        elif char in REPLACEMENTS:
            out.append(REPLACEMENTS[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            out.append(base if base and all(c in _BASIC_SET for c in base) else "?")
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(c in _BASIC_SET or c in _EXTENDED_SET for c in text)


def segments(text: str) -> tuple[int, str]:
    """(number of SMS segments, encoding) as a phone network counts them."""
    if is_gsm7(text):
        units = sum(2 if c in _EXTENDED_SET else 1 for c in text)
        return (1 if units <= 160 else -(-units // 153)), "GSM-7"
    units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
    return (1 if units <= 70 else -(-units // 67)), "UCS-2"
