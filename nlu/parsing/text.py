"""Text normalisation for French messages written the way people text.

`normalise(text)` lowercases, strips accents, unifies apostrophes, dashes and spaces, squeezes
letters repeated three times or more (« ouiii »), and expands the common SMS spellings that the
parsers rely on (« chui » → « je suis », « jsp » → « je sais pas », « c koi » → « c'est quoi »).

`normalise_with_offsets(text)` returns the same string together with, for every character, the
span of the original text it comes from, so that a match found in the normalised text can be
reported with `start`/`end` in the original message (what Rasa entities need).

Every parser of nlu.parsing starts from `normalise_with_offsets` of the text it is given, so one
message is normalised by many of them (issue 13): the result, an immutable `NormText` that depends on
the text alone, is kept in a small cache (the last `NORMALISED_CACHE_SIZE` texts), so that each
text is normalised once. Texts are at most 1000 characters (docs/limits.md): the cache stays
under a few megabytes.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

NORMALISED_CACHE_SIZE = 256

# Characters replaced one by one before anything else (after lowercasing and accent stripping).
_CHAR_MAP = {
    "œ": "oe", "æ": "ae", "ß": "ss",
    "’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "′": "'",
    "–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " ", "\n": " ", "\r": " ",
    "«": '"', "»": '"', "“": '"', "”": '"',
}

# SMS spellings and contractions, applied in order on whole words of the lowercased text.
# Left: regular expression (word boundaries are added); right: replacement.
_SMS_RULES: list[tuple[str, str]] = [
    # « je sais pas » and its many spellings (before the rule on « c »)
    (r"jsp|jsps|jcp|chepa|chepas|chpa|chaispas|chaipa|jsaispas|jspas", "je sais pas"),
    (r"(?:je|j'|j) ?(?:sais|sai|sait|se|c|sé|sé|say) ?(?:pas|pa|po|plus|pu)", "je sais \\g<neg>"),
    (r"(?:chais|chai|ché|che|chui|jsais|jsai|j'sais|j'sai|shai|chsais) (?:pas|pa|po)", "je sais pas"),
    (r"(?:chais|chai|jsais|jsai|j'sais) (?:plus|pu)", "je sais plus"),
    # « je suis »
    (r"chui|chuis|chu|jsuis|jsui|j'suis|j'sui|chsuis|shui|jesuis|jss", "je suis"),
    (r"jai|j'ai|g", "j'ai"),
    (r"jen|j'en", "j'en"),
    (r"jhabite|j'habite|jabite|j'abite", "j'habite"),
    (r"jetais|j'etais", "j'etais"),
    (r"jaimerais|j'aimerais|jaimerai|j'aimerai", "j'aimerais"),
    (r"jveux|jvx|jve", "je veux"),
    (r"jvoudrais|jvoudrai|jvoudré", "je voudrais"),
    (r"jpeux|jpx|jpe", "je peux"),
    (r"jvis", "je vis"),
    (r"jme", "je me"),
    (r"jtravaille|jtaf|jbosse", "je travaille"),
    (r"jloue", "je loue"),
    (r"jcomprend|jcomprends|jcomprens", "je comprends"),
    (r"jpense", "je pense"),
    (r"jcrois", "je crois"),
    # « c'est », « il y a »
    (r"cest|c'est|c", "c'est"),
    (r"ct|c'etait|cetait", "c'etait"),
    (r"ilya|il ya|(?<!il )(?:ya|y'a|yaa|y a)", "il y a"),
    (r"(?<!il )(?:yen a|y'en a|yena)", "il y en a"),
    (r"yapa|yapas", "il y a pas"),
    # frequent short forms
    (r"koi|kwa|quoa|quoi", "quoi"),
    (r"pk|pq|pkoi|pourkoi|prq|pourquoa", "pourquoi"),
    (r"tt", "tout"),
    (r"mn", "mon"),
    (r"tte", "toute"),
    (r"tts", "tous"),
    (r"bcp|bcq|bcoup|boucoup", "beaucoup"),
    (r"pb|pbm|pblm|prob|probleme|problem", "probleme"),
    (r"mtn|mnt|maint", "maintenant"),
    (r"slt", "salut"),
    (r"bjr|bjour|bnjr|bonjours|bjrs", "bonjour"),
    (r"bsr|bonsoire", "bonsoir"),
    (r"dacc|dac|dak|d'acc|daccord|dakor|dacor|d'ac", "d'accord"),
    (r"qqn|qq1|kelkun|quelqun|qlq1|kelk1", "quelqu'un"),
    (r"qqch|qqc|qqchose", "quelque chose"),
    (r"pr", "pour"),
    (r"ds", "dans"),
    (r"vs", "vous"),
    (r"ns", "nous"),
    (r"dc", "donc"),
    (r"tjrs|tjs|tjr|toujour", "toujours"),
    (r"auj|ajd|aujourdhui|aujourd'hui|ojd", "aujourd'hui"),
    (r"ki", "qui"),
    (r"ke|keu", "que"),
    (r"keske|kesk|kesse|qu'est ce|qu est ce|qu'est-ce", "qu'est-ce"),
    (r"bi1", "bien"),
    (r"ri1", "rien"),
    (r"2m1|dmain|dem1", "demain"),
    (r"mm|mm1", "meme"),
    (r"nn|non", "non"),
    (r"pa|po", "pas"),
    (r"moa", "moi"),
    (r"toa", "toi"),
    (r"svp|stp|svpl|svpp", "s'il vous plait"),
    (r"mr|mrc|mrci|mci|merci", "merci"),
    (r"rdv|rdz|rendez vous|rendez-vous|rendezvous|rdvs", "rendez-vous"),
    (r"tel|tél", "telephone"),
    (r"d'acc", "d'accord"),
    (r"chomdu|chomedu|chomage|chaumage|chommage", "chomage"),
    (r"appart|apart|appartemment|appartement|apartement", "appartement"),
    (r"alloc|allocs|aloc|alocs", "allocs"),
    (r"caf|kaf", "caf"),
]

_WORD = r"(?<![a-z0-9'])(?:{})(?![a-z0-9'])"
_COMPILED_SMS = []
for _pattern, _replacement in _SMS_RULES:
    if "\\g<neg>" in _replacement:
        _pattern = r"(?:je|j'|j) ?(?:sais|sai|sait|se|c|say) ?(?P<neg>pas|pa|po|plus|pu)"
    _COMPILED_SMS.append((re.compile(_WORD.format(_pattern)), _replacement))

_ELISION = re.compile(r"(?<![a-z0-9'])([jldnmtsc]|qu) (?=[aeiouyh][a-z])")
_NEG_FIX = {"pa": "pas", "po": "pas", "pu": "plus"}


@dataclass(frozen=True)
class NormText:
    """A normalised string with, for each of its characters, the original span it comes from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised slice text[start:end]."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def strip_accents(text: str) -> str:
    """Remove diacritics: « é » → « e », « ÿ » → « y »."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _char_level(text: str) -> tuple[list[str], list[int], list[int]]:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, original in enumerate(text):
        piece = original.lower()
        piece = _CHAR_MAP.get(piece, piece)
        piece = strip_accents(piece)
        piece = "".join(_CHAR_MAP.get(ch, ch) for ch in piece)
        for ch in piece:
            chars.append(ch)
            starts.append(index)
            ends.append(index + 1)
    return chars, starts, ends


def _substitute(nt: NormText, pattern: re.Pattern, replacement) -> NormText:
    """Apply a regex substitution while keeping the map to original offsets."""
    pieces_text: list[str] = []
    pieces_starts: list[int] = []
    pieces_ends: list[int] = []
    last = 0
    changed = False
    for match in pattern.finditer(nt.text):
        new = replacement(match) if callable(replacement) else match.expand(replacement)
        if new == match.group(0):
            continue
        changed = True
        pieces_text.append(nt.text[last:match.start()])
        pieces_starts.extend(nt.starts[last:match.start()])
        pieces_ends.extend(nt.ends[last:match.start()])
        orig_start, orig_end = nt.span(match.start(), match.end())
        pieces_text.append(new)
        pieces_starts.extend([orig_start] * len(new))
        pieces_ends.extend([orig_end] * len(new))
        last = match.end()
    if not changed:
        return nt
    pieces_text.append(nt.text[last:])
    pieces_starts.extend(nt.starts[last:])
    pieces_ends.extend(nt.ends[last:])
    return NormText("".join(pieces_text), tuple(pieces_starts), tuple(pieces_ends))


_REPEATED_LETTERS = re.compile(r"([a-z])\1{2,}")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=[a-z]) +(?=[,.!?;:])")


def _sms_replacement(replacement: str):
    def apply(match: re.Match) -> str:
        if "\\g<neg>" in replacement:
            neg = match.group("neg")
            return "je sais " + _NEG_FIX.get(neg, neg)
        return replacement
    return apply


@lru_cache(maxsize=NORMALISED_CACHE_SIZE)
def normalise_with_offsets(text: str, expand_sms: bool = True) -> NormText:
    """Normalise `text` and keep the map from normalised characters to original offsets
    (cached: see the module's doc; `normalise_with_offsets.__wrapped__` does the work)."""
    chars, starts, ends = _char_level(text or "")
    nt = NormText("".join(chars), tuple(starts), tuple(ends))
    nt = _substitute(nt, _REPEATED_LETTERS, lambda m: m.group(1))
    if expand_sms:
        # « j ai », « l autre », « pas d enfant », « c est » → elided forms
        nt = _substitute(nt, _ELISION, lambda m: m.group(1) + "'")
        for pattern, replacement in _COMPILED_SMS:
            nt = _substitute(nt, pattern, _sms_replacement(replacement))
    nt = _substitute(nt, _SPACES, lambda m: " ")
    # trim
    begin = len(nt.text) - len(nt.text.lstrip())
    finish = len(nt.text.rstrip())
    return NormText(nt.text[begin:finish], nt.starts[begin:finish], nt.ends[begin:finish])


def normalise(text: str) -> str:
    """Lowercase, accent-free, SMS-expanded form of `text` (« Chui à Nancy » → « je suis a nancy »)."""
    return normalise_with_offsets(text).text


def simple_normalise(text: str) -> str:
    """Lowercase and accent-free only, without SMS expansion (used for names)."""
    return normalise_with_offsets(text, expand_sms=False).text


_KEYBOARD_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = set("aeiouy")


def _keyboard_run(word: str, length: int = 4) -> bool:
    for row in _KEYBOARD_ROWS:
        for sequence in (row, row[::-1]):
            for i in range(len(sequence) - length + 1):
                if sequence[i:i + length] in word:
                    return True
    return False


def gibberish_word(word: str) -> bool:
    """« qsdfgh », « kkkkkk », « jkjkjk », « azertyuiop »: letters typed at random."""
    if len(word) < 3 or not word.isalpha():
        return False
    vowels = sum(ch in _VOWELS for ch in word)
    if vowels / len(word) < 0.2:
        return True
    if len(word) >= 4 and len(set(word)) <= max(2, len(word) // 3):
        return True
    return _keyboard_run(word)


def looks_like_gibberish(text: str, known_word=None) -> bool:
    """True when every word of 3 letters or more is unknown and looks typed at random.

    `known_word(word) -> bool` may say which words are real (for example spaCy's vocabulary);
    digits, short words and any known word make the message not gibberish."""
    raw = (text or "").lower()
    if re.search(r"\d", raw):
        return False
    words = re.findall(r"[^\W\d_]+", strip_accents(raw))
    long_words = [w for w in words if len(w) >= 3]
    if not long_words:
        return False
    for word in long_words:
        if known_word is not None and known_word(word):
            return False
        if not gibberish_word(word):
            return False
    return True
