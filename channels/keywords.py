"""Keywords that work on SMS and Telegram whatever the conversation is about: one word, any case,
with or without accents or final punctuation (« Stop », « arrêt ! », « SUPPRIMER. »).

Twilio's own stop words (STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) mean STOP here too, and its
opt-in word UNSTOP means START, so a number Twilio blocks or unblocks is treated the same way here.
"""
from __future__ import annotations

import unicodedata

from channels.base import Keyword

WORDS: dict[str, Keyword] = {
    **dict.fromkeys(("STOP", "ARRET", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"), Keyword.STOP),
    **dict.fromkeys(("START", "UNSTOP"), Keyword.START),
    **dict.fromkeys(("AIDE", "HELP"), Keyword.HELP),
    "SUPPRIMER": Keyword.DELETE,
}
# Answers that confirm (reminders by SMS to a number given on the web: « Répondez OUI »).
CONFIRMATIONS = {"OUI", "YES", "O"}
# Twilio Advanced Opt-Out tells which of its keywords a message was (OptOutType).
TWILIO_OPT_OUT_TYPES = {"STOP": Keyword.STOP, "START": Keyword.START, "HELP": Keyword.HELP}
_PUNCTUATION = " \t\r\n.!?,;:…'\"«»()-"


def fold(word: str) -> str:
    """Upper case without accents: « arrêt » -> « ARRET »."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def keyword_of(text: str | None) -> Keyword | None:
    """The keyword a message is, when it is one single keyword, else None."""
    if not text:
        return None
    word = text.strip(_PUNCTUATION)
    if not word or any(c.isspace() for c in word):
        return None
    return WORDS.get(fold(word))


def confirms(text: str | None) -> bool:
    """True when a message is one word of confirmation (« oui », « Oui ! »)."""
    word = (text or "").strip(_PUNCTUATION)
    return bool(word) and fold(word) in CONFIRMATIONS
