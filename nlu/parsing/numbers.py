"""Numbers in French messages: digits, number words, amounts, ages, counts and rates.

`find_numbers(nt)` lists every number mentioned in a normalised text (see `text.NormText`) with its
span, whether it was written in words, and the currency, period or scale marks glued to it.
The public parsers (`parse_amount`, `parse_age`, ...) read one answer; the `*_mentions` helpers
are used by `extract.extract_entities` to classify numbers inside free text.

Number words are parsed by our own small grammar (it must accept SMS typos such as « soixente »
and glued forms such as « dixhuit »); the value of a clean sequence is checked with text2num when
it is available.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from nlu.parsing.text import NormText, normalise_with_offsets

try:  # text2num is in the bot runtime; the parser works without it.
    from text_to_num import text2num as _text2num
except ImportError:  # pragma: no cover - exercised only outside the bot runtime
    _text2num = None

# --- number words -------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "deu": 2, "trois": 3, "troi": 3, "quatre": 4,
    "quatres": 4, "katre": 4, "cinq": 5, "cinque": 5, "sinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "douse": 12, "treize": 13, "treze": 13,
    "quatorze": 14, "quatorse": 14, "quinze": 15, "kinze": 15, "seize": 16, "seze": 16,
    "dixsept": 17, "dixhuit": 18, "dixneuf": 19,
}
_TENS = {
    "vingt": 20, "vingts": 20, "vint": 20, "vingt's": 20, "trente": 30, "trante": 30,
    "quarante": 40, "quarente": 40, "karante": 40, "cinquante": 50, "cinquente": 50,
    "cinkante": 50, "soixante": 60, "soixente": 60, "soisante": 60, "soixantes": 60,
    "septante": 70, "huitante": 80, "octante": 80, "nonante": 90,
}
_HUNDRED = {"cent", "cents", "cens", "sant"}
_THOUSAND = {"mille", "mil", "milles", "mile", "miles"}
_MILLION = {"million", "millions", "millon", "millons"}
_APPROX = {"vingtaine": 20, "trentaine": 30, "quarantaine": 40, "cinquantaine": 50,
           "soixantaine": 60, "centaine": 100}
_NUMBER_WORDS = set(_UNITS) | set(_TENS) | _HUNDRED | _THOUSAND | _MILLION
# Pieces used to split glued forms (« soixantesept », « quatrevingtdix »).
_GLUE_PIECES = sorted(
    ["zero", "un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
     "onze", "douze", "treize", "quatorze", "quinze", "seize", "vingt", "vingts", "trente",
     "quarante", "cinquante", "soixante", "cent", "cents", "mille", "et"],
    key=len, reverse=True)


def _split_glued(word: str) -> list[str] | None:
    """« soixantesept » → ['soixante', 'sept']; None when `word` is not made of number words."""
    if len(word) < 6:
        return None
    parts: list[str] = []
    rest = word
    while rest:
        for piece in _GLUE_PIECES:
            if rest.startswith(piece):
                parts.append(piece)
                rest = rest[len(piece):]
                break
        else:
            return None
    return parts if len(parts) >= 2 else None


@dataclass
class NumberMention:
    """A number found in normalised text: value, span in the normalised string, and marks."""

    value: float
    start: int
    end: int
    words: bool = False          # written in words (« deux »)
    article: bool = False        # the bare word « un »/« une », usually an article
    currency: bool = False       # €, euros, balles, k...
    decimal: bool = False        # had a decimal part
    approx: bool = False         # « la trentaine »
    ordinal: bool = False        # « 7e », « 7eme »
    percent: bool = False        # « 80% », « 80 pour cent »
    raw_digits: str = ""         # the digits exactly as typed, for postcodes
    tags: set = field(default_factory=set)


class _WordSequence:
    """Accumulates number words into a value, refusing sequences that are not one number."""

    def __init__(self) -> None:
        self.total = 0
        self.current = 0
        self.last = None  # kind of the last word: unit, teen, ten, hundred, thousand
        self.last_value = 0
        self.count = 0

    def value(self) -> int:
        return self.total + self.current

    def add(self, word: str) -> bool:  # noqa: C901 - a small grammar
        """Try to add `word`; False when it would start a new number."""
        if word in _UNITS:
            n = _UNITS[word]
            if self.count == 0:
                self.current = n
            else:
                low = self.current % 100
                if self.last == "ten" and ((low % 10 == 0 and low in (20, 30, 40, 50) and 1 <= n <= 9)
                                           or (low == 60 and 1 <= n <= 19)
                                           or (low == 80 and 1 <= n <= 19)
                                           or (low in (70, 90) and 1 <= n <= 9)
                                           or (low == 60 and n <= 9)):
                    self.current += n
                elif self.last == "unit" and self.last_value == 10 and low in (70, 90) and 1 <= n <= 9:
                    self.current += n  # soixante-dix-sept, quatre-vingt-dix-neuf
                elif self.last == "unit" and self.last_value == 10 and low == 10 and 7 <= n <= 9:
                    self.current += n  # dix-sept, cinq cent dix-neuf
                elif self.last in ("hundred", "thousand") and low == 0:
                    self.current += n
                elif self.last == "et" and low in (20, 30, 40, 50, 60, 70) and n in (1, 11):
                    self.current += n
                else:
                    return False
            self.last = "unit"
            self.last_value = n
        elif word in _TENS:
            n = _TENS[word]
            low = self.current % 100
            if self.count == 0:
                self.current = n
            elif n == 20 and self.last == "unit" and low == 4:
                self.current += 80 - 4  # quatre-vingt
            elif self.last in ("hundred", "thousand") and low == 0:
                self.current += n
            else:
                return False
            self.last = "ten"
        elif word in _HUNDRED:
            low = self.current % 1000
            if self.count == 0:
                self.current = 100
            elif self.last == "unit" and 1 <= low <= 9:
                self.current = self.current - low + low * 100
            elif self.last == "thousand" and self.current == 0:
                self.current = 100
            else:
                return False
            self.last = "hundred"
        elif word in _THOUSAND:
            if self.count == 0:
                self.total += 1000
            elif self.last in ("unit", "ten", "hundred") and self.current > 0 and self.total % 1000000 == self.total:
                self.total += self.current * 1000
                self.current = 0
            else:
                return False
            self.last = "thousand"
        elif word in _MILLION:
            if self.count == 0 or self.current == 0:
                return False
            self.total += self.current * 1000000
            self.current = 0
            self.last = "thousand"
        elif word == "et":
            if self.last != "ten":
                return False
            self.last = "et"
            return True  # does not count as a number word
        else:
            return False
        self.count += 1
        return True


_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")
_WORD_TOKEN = re.compile(r"[a-z]+")

# Digits: « 1 350 », « 1.350 », « 1,350 » (thousands), « 1350,50 », « 1,2k », « 2k », « 1k2 ».
_DIGITS = re.compile(
    r"(?<![\d.,a-z])(?P<int>\d{1,3}(?:(?P<sep>[ .,])\d{3})(?:(?P=sep)\d{3})*|\d+)(?![\d])"
    r"(?:[.,](?P<dec>\d{1,2})(?!\d))?"
    r"(?:\s?(?P<k>k)(?P<kdec>\d{1,3})?(?![a-z]))?"
    r"(?:\s?(?P<mille>mille|milles|mil)\b)?"
)
_CURRENCY_AFTER = re.compile(
    r"\s*(?:€|e(?![a-z])|eur(?:o|os)?(?![a-z])|eu(?![a-z])|euros?|balles?|boules?|bal(?![a-z])|"
    r"thunes?|ballons?|pepettes)")
_ORDINAL_AFTER = re.compile(r"(?:e|eme|ieme|er|ere|em|iem|nd|nde)(?![a-z])")
_PERCENT_AFTER = re.compile(r"\s*(?:%|pour ?cents?|pourcents?|pr ?100|p100)")


def _approx_word_mentions(nt: NormText) -> list[NumberMention]:
    found = []
    for match in re.finditer(r"\b(vingtaine|trentaine|quarantaine|cinquantaine|soixantaine|centaine)\b",
                             nt.text):
        found.append(NumberMention(_APPROX[match.group(1)], match.start(), match.end(), words=True,
                                   approx=True))
    return found


def _digit_mentions(nt: NormText) -> list[NumberMention]:
    text = nt.text
    mentions = []
    for match in _DIGITS.finditer(text):
        integer = match.group("int")
        sep = match.group("sep")
        digits = re.sub(r"[ .,]", "", integer) if sep else integer
        value = float(digits)
        decimal = False
        if match.group("dec") is not None:
            value = float(f"{digits}.{match.group('dec')}")
            decimal = True
        currency = False
        if match.group("k"):
            currency = True
            if match.group("kdec"):
                value = value * 1000 + float(match.group("kdec").ljust(3, "0"))
            else:
                value = value * 1000
        if match.group("mille"):
            value = value * 1000
        mention = NumberMention(value, match.start(), match.end(), decimal=decimal, currency=currency,
                                raw_digits=integer if not sep else "")
        if sep == " " and not currency:
            mention.tags.add("space_grouped")
        after = text[match.end():]
        if not match.group("k") and not match.group("mille") and _ORDINAL_AFTER.match(after):
            ordinal = _ORDINAL_AFTER.match(after)
            # « 900e » is 900 euros; « 7e », « 7eme » are ordinals
            if ordinal.group(0) == "e" and value >= 30:
                mention.currency = True
                mention.end = match.end() + 1
            else:
                mention.ordinal = True
                mention.end = match.end() + ordinal.end()
        mentions.append(mention)
    return mentions


def _word_mentions(nt: NormText) -> list[NumberMention]:
    """Sequences of number words (« mille deux cents », « soixante-sept », « dixhuit »)."""
    tokens: list[tuple[str, int, int]] = []
    for match in _WORD_TOKEN.finditer(nt.text):
        word = match.group(0)
        glued = None if word in _NUMBER_WORDS else _split_glued(word)
        if glued:
            for piece in glued:
                tokens.append((piece, match.start(), match.end()))
        else:
            tokens.append((word, match.start(), match.end()))
    mentions = []
    i = 0
    while i < len(tokens):
        word, start, end = tokens[i]
        if word not in _NUMBER_WORDS:
            i += 1
            continue
        seq = _WordSequence()
        seq.add(word)
        last_end = end
        previous_end = end
        j = i + 1
        used_words = [word]
        while j < len(tokens):
            next_word, next_start, next_end = tokens[j]
            gap = nt.text[previous_end:next_start]
            if gap.strip(" -") != "" or next_word not in _NUMBER_WORDS | {"et"}:
                break
            if not seq.add(next_word):
                break
            previous_end = next_end
            if next_word != "et":
                last_end = next_end
                used_words.append(next_word)
            j += 1
        # a trailing « et » is not part of the number
        while j > i + 1 and tokens[j - 1][0] == "et":
            j -= 1
        value = seq.value()
        article = used_words == ["un"] or used_words == ["une"]
        mentions.append(NumberMention(float(value), start, last_end, words=True, article=article))
        i = j if j > i else i + 1
    return mentions


def find_numbers(nt: NormText) -> list[NumberMention]:
    """Every number mentioned in normalised text, in order, with its marks (currency, %...)."""
    mentions = _digit_mentions(nt) + _word_mentions(nt) + _approx_word_mentions(nt)
    mentions.sort(key=lambda m: (m.start, -m.end))
    # digits followed by « mille » written in words (« 2 mille ») were merged by the regex;
    # drop word mentions covered by a digit mention
    kept: list[NumberMention] = []
    for mention in mentions:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    text = nt.text
    for mention in kept:
        after = text[mention.end:]
        currency = _CURRENCY_AFTER.match(after)
        if currency and not mention.ordinal:
            mention.currency = True
            mention.tags.add("currency_end:%d" % (mention.end + currency.end()))
        if _PERCENT_AFTER.match(after):
            mention.percent = True
    return kept


def _mention_end(mention: NumberMention) -> int:
    for tag in mention.tags:
        if tag.startswith("currency_end:"):
            return int(tag.split(":")[1])
    return mention.end


def _as_number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


# --- context around a number -------------------------------------------------------------------

_PERIOD_MONTH = re.compile(
    r"\s*(?:net|nets|brut|bruts|€|euros?|eur|balles?)?\s*(?:par|/|p/|chaque|le|du|a|au|tous les|ts les|"
    r"tout les)\s*(?:mois|moi|mensuel)\b|\s*(?:net|brut)?\s*(?:mensuels?|mensuellement|/m)\b")
_PERIOD_YEAR = re.compile(
    r"\s*(?:net|nets|brut|bruts|€|euros?|eur|balles?)?\s*(?:par|/|p/|chaque|l'|a l'|a l |l |de l'|dans l'|"
    r"sur l'|sur l |sur un |sur une |pour l'|en un |l'|)\s*(?:an|annee|annees|ans sur)\b(?!\s*(?:et|,))"
    r"|\s*(?:net|brut)?\s*(?:annuels?|annuellement|/an)\b")
_AMOUNT_BEFORE = re.compile(
    r"(?:gagne|gagnes|gagnent|gagnons|gagnez|gagner|touche|touches|touchons|touchent|toucher|percois|"
    r"recois|salaire|salaires|paye|paie|payes|paies|payer|loyer|loyers|pension|retraite|chomage|are|"
    r"indemnites?|revenus?|rsa|apl|aah|allocs|montant|smic|gagnais|touchais|verse|versent|rembourse|"
    r"credit|charges|mensualites?|somme|euros|paies|net|vit avec|vis avec|vivre avec|environ|"
    r"a peu pres|dans les|autour de|pres de|max|maximum|minimum|plus de|moins de|pas plus de)"
    r"(?:\s+(?:de|d'|du|des|a|en|est|c'est|fait|fais|donne|donnent|verse|versent|rapporte|rapportent|"
    r"mensuel|net|nette|brut|environ|a peu pres|"
    r"dans les|autour de|mois|par mois|qui|j'ai|je|moi|on|il|elle|me|nous|en tout|de))*\s*$")
_AGE_AFTER = re.compile(r"\s*(?:ans|an|annees|balais|piges|berges|printemps)(?![a-z])")
_MONTHS_AFTER = re.compile(r"\s*mois(?![a-z])")
_WEEKS_AFTER = re.compile(r"\s*(?:semaines?|jours?)(?![a-z])")
_DURATION_BEFORE = re.compile(
    r"(?:depuis|il y a|pendant|pdt|ca fait|ca va faire|cela fait|ya|durant|dans|en|sur|apres|avant|"
    r"fait|plus de|moins de|presque|bientot|deja|bien|environ|ca fera|cela fera|tous les)"
    r"(?:\s+(?:plus de|moins de|presque|environ|bientot|deja|a peu pres|bien|au moins))?\s*$")
_AGE_BEFORE = re.compile(
    r"(?:j'ai|jai|age|agee?|ages|a|aura|aurai|ont|avoir|je vais avoir|je viens d'avoir|moi|"
    r"je fete|fete|mon age|mon age c'est|mon age est|age de|agee de|age :|age:|ai)\s*:?\s*$")
_CHILD_NOUNS = (
    r"enf(?!in)[a-z]*|efants?|enafnts?|gosses?|gosse|gamins?|gamines?|momes?|mioches?|marmots?|"
    r"minots?|loulous?|petits?|petites?|filles?|fils|garcons?|garcon|gars|bebes?|bebe|ados?|"
    r"adolescents?|personnes?|pers|jumeaux|jumelles|triples|descendants?|mouflets?|lardons?|"
    r"chiards?|petiots?|a charge|ptits?|p'tits?|tites?|titis?")
_COUNT_AFTER = re.compile(r"\s*(?:seule?s?\s+)?(?:" + _CHILD_NOUNS + r")(?![a-z])")
_COUNT_BEFORE = re.compile(r"(?:j'en ai|jen ai|on est|nous sommes|on a|ils sont|elles sont|en a|"
                           r"foyer de|famille de|compose de|en ai)\s*$")
_BIRTH_YEAR = re.compile(
    r"(?<![a-z])(?:je suis nee?|suis nee?|nee?|naissance|annee de naissance|de l'annee)\s*(?:en|le|:)\s*"
    r"(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*)?(?P<year>(?:19|20)\d{2}|\d{2})(?!\d)")


def _before(nt: NormText, mention: NumberMention, width: int = 40) -> str:
    return nt.text[max(0, mention.start - width):mention.start].rstrip()


def _after(nt: NormText, mention: NumberMention) -> str:
    return nt.text[_mention_end(mention):]


def is_duration(nt: NormText, mention: NumberMention) -> bool:
    """« depuis 3 ans », « il y a 2 ans », « pendant 5 mois »: a duration, not an age."""
    return bool(_DURATION_BEFORE.search(_before(nt, mention)))


def has_age_unit(nt: NormText, mention: NumberMention) -> bool:
    return bool(_AGE_AFTER.match(nt.text[mention.end:])) and not _PERIOD_YEAR.match(nt.text[mention.end:])


def has_count_noun(nt: NormText, mention: NumberMention) -> bool:
    return bool(_COUNT_AFTER.match(nt.text[mention.end:]))


def amount_period(nt: NormText, mention: NumberMention) -> str | None:
    after = _after(nt, mention)
    if _PERIOD_MONTH.match(after):
        return "month"
    if _PERIOD_YEAR.match(after):
        return "year"
    return None


def has_amount_cue(nt: NormText, mention: NumberMention) -> bool:
    """Currency mark, k suffix, period (« par mois ») or a verb like « je gagne » before it."""
    if mention.currency or mention.decimal:
        return True
    if amount_period(nt, mention):
        return True
    return bool(_AMOUNT_BEFORE.search(_before(nt, mention)))


# --- amounts ------------------------------------------------------------------------------------

_ZERO_AMOUNT = re.compile(
    r"^(?:rien|zero|nada|que dalle|queudalle|nib|nul|neant|aucun|aucune|pas un rond|pas un sou|"
    r"0|sans revenus?|aucun revenu|aucuns revenus|pas de revenus?|pas de salaire|pas de loyer|"
    r"je touche rien|je gagne rien|je touche pas|je touche rien du tout|rien du tout|pas de paye|"
    r"je paie rien|je paye rien|gratuit|pas grand chose)\b")
_ZERO_IN_TEXT = re.compile(
    r"\b(?:(?:je|j'|on|il|elle) (?:ne )?(?:touche|touchons|gagne|gagnons|percois|recois|paie|paye|"
    r"payons)(?: plus)? (?:rien|que dalle|pas un rond|zero|0 ?(?:€|euros?)|nada)|aucun revenu|"
    r"aucune ressource|aucune ressources|pas de revenus?|sans revenus?|sans ressources?|zero revenu|"
    r"zero euros?|0 (?:€|euros?|revenu)|pas un rond|pas un sou|aucun salaire|pas de salaire|"
    r"je (?:touche|gagne|percois) que dalle)\b")
_RANGE = re.compile(r"\bentre\b")


def _amount_candidates(nt: NormText) -> list[NumberMention]:
    return [m for m in find_numbers(nt) if not m.ordinal and not m.percent]


def amount_mentions(nt: NormText) -> list[tuple[NumberMention, str | None]]:
    """Numbers of free text that are amounts (with a currency or income cue), with their period."""
    result = []
    for mention in _amount_candidates(nt):
        if mention.article:
            continue
        if has_count_noun(nt, mention) or (has_age_unit(nt, mention) and not mention.currency):
            continue
        if has_amount_cue(nt, mention):
            result.append((mention, amount_period(nt, mention)))
    return result


def zero_amount_span(nt: NormText) -> tuple[int, int] | None:
    """Span of « je touche rien », « aucun revenu », « 0 € » in free text."""
    match = _ZERO_IN_TEXT.search(nt.text)
    return (match.start(), match.end()) if match else None


def _pick_amount(nt: NormText) -> tuple[float, str | None] | None:
    text = nt.text
    candidates = [m for m in _amount_candidates(nt)
                  if not m.article and not has_count_noun(nt, m)
                  and not (has_age_unit(nt, m) and not m.currency)]
    if not candidates:
        stripped = text.strip(" .!?,")
        if _ZERO_AMOUNT.match(stripped) or _ZERO_IN_TEXT.search(text):
            return 0.0, None
        # « un euro » / « une centaine d'euros » are still amounts
        for mention in _amount_candidates(nt):
            if mention.currency:
                return float(mention.value), amount_period(nt, mention)
        return None
    cued = [m for m in candidates if has_amount_cue(nt, m)]
    chosen = cued or candidates
    first = chosen[0]
    # « entre 800 et 900 » → the middle
    if len(chosen) >= 2 and _RANGE.search(text[max(0, first.start - 12):first.start]):
        second = chosen[1]
        between = text[first.end:second.start]
        if re.fullmatch(r"\s*(?:€|euros?|e)?\s*(?:et|a|-)\s*", between):
            period = amount_period(nt, second) or amount_period(nt, first)
            return (first.value + second.value) / 2, period
    if re.fullmatch(r"\s*(?:-|a)\s*", text[first.end:chosen[1].start] if len(chosen) >= 2 else "x"):
        second = chosen[1]
        if second.value > first.value:
            return (first.value + second.value) / 2, amount_period(nt, second) or amount_period(nt, first)
    return float(first.value), amount_period(nt, first)


def parse_amount_period(text: str) -> tuple[float, str | None] | None:
    """(amount in euros as said, "month" | "year" | None), or None when no amount is found.

    « 18000 par an » → (18000.0, "year"); « 900 par mois » → (900.0, "month"); « rien » → (0.0, None).
    """
    nt = normalise_with_offsets(text)
    picked = _pick_amount(nt)
    if picked is None:
        return None
    value, period = picked
    return float(round(value, 2)), period


def parse_amount(text: str) -> float | None:
    """Euros as said (no conversion of yearly amounts): « 1200 balles » → 1200.0, « rien » → 0.0."""
    parsed = parse_amount_period(text)
    return parsed[0] if parsed else None


# --- ages ---------------------------------------------------------------------------------------

def _year_to_age(year: int, today: _dt.date | None = None) -> int | None:
    today = today or _dt.date.today()
    if year < 100:
        year += 2000 if year <= today.year % 100 else 1900
    age = today.year - year
    return age if 0 <= age <= 120 else None


def birth_year_age(nt: NormText) -> tuple[int, int, int] | None:
    """(age, start, end) for « né en 1958 », « née le 03/02/1985 »."""
    match = _BIRTH_YEAR.search(nt.text)
    if not match:
        return None
    age = _year_to_age(int(match.group("year")))
    if age is None:
        return None
    return age, match.start(), match.end()


def age_mentions(nt: NormText) -> list[tuple[NumberMention, int]]:
    """Numbers of free text that are ages: « 42 ans », « j'ai 42 », « un bébé de 8 mois » (→ 0)."""
    found: list[tuple[NumberMention, int]] = []
    mentions = [m for m in find_numbers(nt) if not m.ordinal and not m.percent]
    for index, mention in enumerate(mentions):
        if mention.currency or mention.decimal:
            continue
        after = nt.text[mention.end:]
        before = _before(nt, mention)
        if has_age_unit(nt, mention):
            if mention.article and not re.match(r"\s*an\b", after):
                continue
            if is_duration(nt, mention):
                continue
            if 0 <= mention.value <= 120:
                found.append((mention, int(mention.value)))
            continue
        if _MONTHS_AFTER.match(after) or _WEEKS_AFTER.match(after):
            if is_duration(nt, mention) or re.search(r"enceinte(?: de)?\s*$", before):
                continue
            if mention.article and not re.search(r"\bde\s*$", before):
                continue
            if re.search(r"(?:\bde|\ba|bebe|nourrisson|ai|j'ai)\s*$", before) and not amount_period(nt, mention):
                found.append((mention, int(mention.value // 12) if _MONTHS_AFTER.match(after) else 0))
            continue
        if mention.article:
            continue
        if re.search(r"(?<![a-z])(?:j'ai|age|agee?|mon age|moi|je vais avoir|je viens d'avoir|j'aurai|"
                     r"je fete|j'ai eu|j'ai bientot|bientot)\s*:?\s*$", before) \
                and not has_count_noun(nt, mention) and not has_amount_cue(nt, mention) \
                and 15 <= mention.value <= 120 and not _COUNT_AFTER.match(after):
            found.append((mention, int(mention.value)))
    return found


def parse_age(text: str) -> int | None:
    """Age in years: « soixante-sept ans » → 67, « 35 », « j'ai 42 ans », « né en 1958 »; None if >120."""
    nt = normalise_with_offsets(text)
    ages = age_mentions(nt)
    if ages:
        return ages[0][1]
    born = birth_year_age(nt)
    if born:
        return born[0]
    candidates = [m for m in find_numbers(nt)
                  if not m.currency and not m.percent and not m.ordinal and not has_count_noun(nt, m)]
    for mention in candidates:
        if mention.article and len(candidates) > 1:
            continue
        value = mention.value
        if not float(value).is_integer():
            continue
        if 1900 <= value <= _dt.date.today().year:
            return _year_to_age(int(value))
        if 0 <= value <= 120:
            return int(value)
        return None
    return None


# --- counts -------------------------------------------------------------------------------------

_ZERO_COUNT = re.compile(
    r"^(?:aucun|aucune|aucuns|non|nan|nn|zero|0|pas|personne|rien|nada|ni un ni|pas un|"
    r"j'en ai pas|j'en ai aucun|j'en ai point|pas encore|pas du tout|toujours pas|non aucun|non pas)\b"
    r"|\b(?:aucun|aucune|pas d'|pas de|sans|zero|0|plus d'|plus de|pas encore d'|pas encore de|"
    r"jamais eu d'|point d')\s*(?:" + _CHILD_NOUNS + r")(?![a-z])"
    r"|\bj'en ai (?:pas|aucun|point)\b|\bje n'en ai pas\b|\bje n'ai pas d'enf")
_SINGLE_CHILD = re.compile(
    r"\b(?:un|une|mon|ma|1|notre|seul|seule|d'un|d'une|qu'un|qu'une)\s+(?:seul\s+|seule\s+|petit\s+|"
    r"petite\s+|grand\s+|grande\s+)?(?:fils|fille|garcon|enfant|gosse|gamin|gamine|bebe|mome|petit|"
    r"petite|ado|loulou|minot|p'tit|ptit|nourrisson)(?![a-z])")
_MULTIPLES = {"jumeaux": 2, "jumelles": 2, "triples": 3, "tripletes": 3}


def count_mentions(nt: NormText) -> list[tuple[NumberMention, int]]:
    """Counted things in free text: « 3 gosses », « deux enfants », « j'en ai 2 », « on est 4 »."""
    found = []
    for mention in find_numbers(nt):
        if mention.currency or mention.percent or mention.ordinal or mention.decimal:
            continue
        after = nt.text[mention.end:]
        if mention.article:
            if re.match(r"\s*(?:seule?\s+)?(?:enf(?!in)[a-z]*|gosses?|gamins?|gamines?|momes?|fils|filles?|"
                        r"garcons?|bebes?|ados?|loulous?|minots?)(?![a-z])", after):
                found.append((mention, 1))
            continue
        if has_count_noun(nt, mention) and not mention.article:
            if re.match(r"\s*(?:petits?|petites?)\s+(?:boulots?|jobs?|revenus?|sommes?|montants?)", after):
                continue
            found.append((mention, int(mention.value)))
        elif _COUNT_BEFORE.search(_before(nt, mention)) and not has_age_unit(nt, mention) \
                and mention.value < 20:
            found.append((mention, int(mention.value)))
    return found


def zero_count_span(nt: NormText) -> tuple[int, int] | None:
    """Span of « pas d'enfant », « aucun gosse », « sans enfants » in free text."""
    match = re.search(
        r"\b(?:aucun|aucune|pas d'|pas de|sans|zero|0|pas encore d'|pas encore de|point d'|jamais eu d')"
        r"\s*(?:enf(?!in)[a-z]*|gosses?|gamins?|momes?|mioches?|marmots?|bebes?|loulous?)(?![a-z])"
        r"|\bj'en ai (?:pas|aucun|point)\b|\bje n'en ai pas\b|\bje n'ai pas d'enf[a-z]*", nt.text)
    return (match.start(), match.end()) if match else None


def parse_count(text: str) -> int | None:
    """How many: « deux enfants » → 2, « 3 gosses » → 3, « une fille et un garçon » → 2,
    « aucun », « pas d'enfant », « non » → 0; None when no count is found."""
    nt = normalise_with_offsets(text)
    norm = nt.text.strip(" .!?,")
    counted = count_mentions(nt)
    # « une fille et un garçon », « mon fils et mes 2 filles »
    singles = [m for m in _SINGLE_CHILD.finditer(norm)]
    multiples = sum(v for w, v in _MULTIPLES.items() if re.search(r"\b" + w + r"\b", norm))
    if counted or singles or multiples:
        total = 0
        covered: list[tuple[int, int]] = []
        for mention, value in counted:
            total += value
            noun = _COUNT_AFTER.match(nt.text[mention.end:])
            covered.append((mention.start, mention.end + (noun.end() if noun else 0)))
        for match in singles:
            if not any(start <= match.start() < end for start, end in covered):
                if not re.search(r"\b(?:de|d')\s*$", norm[:match.start()]) or match.group(0).startswith(("un", "une")):
                    total += 1
        if multiples and not counted:
            total = max(total - 1, 0) + multiples if singles else multiples
        if counted or total:
            if len(counted) == 1 and not singles and not multiples:
                return counted[0][1]
            return total
    if _ZERO_COUNT.search(norm):
        return 0
    numbers = [m for m in find_numbers(nt) if not m.currency and not m.percent and not m.ordinal]
    numbers = [m for m in numbers if not has_age_unit(nt, m)] or []
    if numbers:
        value = numbers[0].value
        if float(value).is_integer() and 0 <= value <= 30:
            return int(value)
    return None


# --- children ages ------------------------------------------------------------------------------

def parse_ages(text: str) -> list[int]:
    """Children's ages in order: « 3 et 7 ans » → [3, 7], « un de 5 ans et l'autre de 12 » → [5, 12],
    « 2, 6, 14 » → [2, 6, 14], « un bébé de 8 mois » → [0], « des jumeaux de 4 ans » → [4, 4]."""
    nt = normalise_with_offsets(text)
    ages: list[int] = []
    for mention in find_numbers(nt):
        if mention.currency or mention.percent or mention.ordinal or mention.decimal:
            continue
        after = nt.text[mention.end:]
        before = _before(nt, mention)
        if has_count_noun(nt, mention):
            continue  # « 2 enfants de 3 et 5 ans »: 2 is a count
        if re.match(r"\s*(?:de|d')\s", after) and not _AGE_AFTER.match(after):
            continue  # « un de 5 ans », « deux de 3 »
        if is_duration(nt, mention) and (_AGE_AFTER.match(after) or _MONTHS_AFTER.match(after)
                                         or _WEEKS_AFTER.match(after)):
            continue
        if mention.article:
            if re.match(r"\s*an\b", after):
                ages.append(1)
            continue
        if _MONTHS_AFTER.match(after):
            if re.search(r"enceinte(?: de)?\s*$", before):
                continue
            ages.append(int(mention.value // 12))
            continue
        if _WEEKS_AFTER.match(after):
            ages.append(0)
            continue
        if mention.value > 30 or not float(mention.value).is_integer():
            continue
        ages.append(int(mention.value))
    if re.search(r"\bnouveau[ -]?ne|\bnourrisson\b|\bvient de naitre\b", nt.text) and not ages:
        ages.append(0)
    for word, copies in _MULTIPLES.items():
        if re.search(r"\b" + word + r"\b", nt.text) and len(ages) == 1:
            ages = ages * copies
    return ages


# --- disability rate ----------------------------------------------------------------------------

def parse_disability_rate(text: str) -> float | None:
    """MDPH rate between 0 and 1: « 80% » → 0.8, « entre 50 et 79 » → 0.5, « taux de 50 » → 0.5.

    A band gives its lower bound (« plus de 80 » → 0.8, « moins de 50 » → 0.0)."""
    nt = normalise_with_offsets(text)
    norm = nt.text
    mentions = [m for m in find_numbers(nt) if not m.ordinal and not m.currency]
    if not mentions:
        return None
    if re.search(r"\b(?:moins de|inferieur a|en dessous de|sous les|pas)\s*(?:les\s*)?$",
                 norm[:mentions[0].start]) and mentions[0].value in (50, 80):
        return 0.0 if mentions[0].value == 50 else 0.5
    for mention in mentions:
        value = mention.value
        if 0 < value <= 1 and mention.decimal:
            return round(value, 2)
        if 0 <= value <= 100 and not mention.article:
            return round(value / 100, 2)
    return None


def as_number(value: float) -> float | int:
    """1200.0 → 1200, 1350.5 → 1350.5 (entity values are plain numbers)."""
    return _as_number(value)
