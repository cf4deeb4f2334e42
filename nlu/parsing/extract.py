"""All entities of one message, with normalised values and spans in the original text.

`extract_entities(text)` is what the Rasa component EntityNormaliser adds to each message:

    [{"entity": "amount", "value": 1200, "start": 0, "end": 11, "period": None}, ...]

Values follow ../shared/spec/intents.md: numbers for amount/age/number, a 5-digit string for
postcode, the official name for commune (with its INSEE "code"), the contract's values for
housing_status (with the finer `detail`, e.g. "locataire_meuble"), relationship, benefit,
life_event and activity.

Numbers are classified once: a postcode or an arrondissement is not also an amount, an age is not
also an amount, « 2 enfants » is a count. A message made of a bare number is read by its size:
below 15 a count, 15 to 120 an age, above 120 an amount.
"""
from __future__ import annotations

import re

from nlu.parsing import categories, numbers, places
from nlu.parsing.text import NormText, normalise_with_offsets

_FILLERS = re.compile(r"\b(?:euh+|heu+|ben|bah|bon|alors|environ|a peu pres|a peu pret|je crois|je pense|"
                      r"genre|dans les|vers|a peu pres|pres de|presque|a|j'ai|moi|c'est|ca fait|"
                      r"on va dire|disons|mettons|en gros|a vue de nez|et quelques|quelque chose comme|"
                      r"max|maximum|minimum|au moins|plus ou moins|grosso modo|voila|hein|ok|oui|"
                      r"bonjour|salut|merci)\b")
_LIST_SEP = re.compile(r"\s*(?:,|et|-|/|&|ou|;)\s*")
_AFTER_AGE_NEXT = re.compile(
    r"\s*(?:ans?|mois)?\s*(?:,|et|;)?\s*(?:puis\s*)?(?:l'autre|l autre|l'autres|le deuxieme|la deuxieme|le 2eme|"
    r"la 2eme|le second|la seconde|le petit|la petite|le grand|la grande|le dernier|la derniere|"
    r"l'aine|l'ainee|le plus jeune|la plus jeune|le troisieme|la troisieme|le cadet|la cadette|"
    r"un autre|une autre|un|une|mon fils|ma fille|le bebe|le plus grand|la plus grande)?\s*"
    r"(?:de|d'|a|qui a|il a|elle a|:)?\s*$")


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(not (span[1] <= s or span[0] >= e) for s, e in spans)


class _Collector:
    def __init__(self, text: str, nt: NormText):
        self.text = text
        self.nt = nt
        self.entities: list[dict] = []
        self.number_spans: list[tuple[int, int]] = []   # normalised spans already used by a number
        self.category_spans: list[tuple[int, int]] = []

    def add(self, entity: str, value, start: int, end: int, **extra) -> None:
        orig_start, orig_end = self.nt.span(start, end)
        item = {"entity": entity, "value": value, "start": orig_start, "end": orig_end}
        item.update({k: v for k, v in extra.items() if v is not None})
        for existing in self.entities:
            if existing["entity"] == entity and existing["start"] == orig_start and existing["end"] == orig_end:
                return
        self.entities.append(item)


def extract_entities(text: str) -> list[dict]:  # noqa: C901 - one pass per entity type
    """Entities of `text` with normalised values and original `start`/`end` (see module doc)."""
    if not text or not text.strip():
        return []
    nt = normalise_with_offsets(text)
    out = _Collector(text, nt)

    # benefits first: « aide pour payer mon loyer » is a benefit, not a housing status
    benefit_spans = []
    for value, start, end in categories.benefit_mentions(nt):
        out.add("benefit", value, start, end)
        benefit_spans.append((start, end))
    out.category_spans.extend(benefit_spans)

    life = categories.life_event_mention(nt)
    life_spans = []
    if life and not _overlaps((life[1], life[2]), benefit_spans):  # « minimum vieillesse » is the ASPA
        out.add("life_event", life[0], life[1], life[2])
        life_spans.append((life[1], life[2]))

    housing = categories.housing_mention(nt)
    if housing and not _overlaps((housing[1], housing[2]), benefit_spans):
        value = categories.HOUSING_ENTITY_VALUE.get(housing[0], housing[0])
        out.add("housing_status", value, housing[1], housing[2],
                detail=housing[0] if value != housing[0] else None)
        out.category_spans.append((housing[1], housing[2]))

    relationship = categories.relationship_mention(nt)
    if relationship and not _overlaps((relationship[1], relationship[2]), benefit_spans):
        out.add("relationship", relationship[0], relationship[1], relationship[2])

    activity = categories.activity_mention(nt)
    if activity and not _overlaps((activity[1], activity[2]), benefit_spans + life_spans):
        out.add("activity", activity[0], activity[1], activity[2])

    # places
    for code, start, end in places.postcode_mentions(nt):
        out.add("postcode", code, start, end)
        out.number_spans.append((start, end))
    try:
        communes = places.commune_matches(text, nt)
    except FileNotFoundError:
        communes = []
    for match in communes:
        if _overlaps((match.start, match.end), out.category_spans):
            continue
        out.add("commune", match.commune.name, match.start, match.end, code=match.commune.code)
        out.number_spans.append((match.start, match.end))

    _numbers(nt, out)
    return sorted(out.entities, key=lambda e: (e["start"], e["end"]))


def _numbers(nt: NormText, out: _Collector) -> None:
    mentions = numbers.find_numbers(nt)
    free = [m for m in mentions if not _overlaps((m.start, m.end), out.number_spans)]
    used: set[tuple[int, int]] = set()

    def take(mention: numbers.NumberMention) -> bool:
        key = (mention.start, mention.end)
        if key in used or _overlaps(key, out.number_spans):
            return False
        used.add(key)
        return True

    # bare number as the whole message: read by its size
    bare = _FILLERS.sub(" ", re.sub(r"[^a-z0-9€ ,.'-]", " ", nt.text))
    if len(free) == 1 and re.fullmatch(r"[\s,.'-]*", bare.replace(nt.text[free[0].start:free[0].end], " ", 1)
                                       .replace("€", " ")):
        mention = free[0]
        if not mention.ordinal and not mention.percent and take(mention):
            value = mention.value
            if mention.currency or mention.decimal or value > 120:
                out.add("amount", numbers.as_number(value), mention.start, numbers._mention_end(mention))
            elif value >= 15:
                out.add("age", int(value), mention.start, mention.end)
            else:
                out.add("number", int(value), mention.start, mention.end)
            return

    for mention, period in numbers.amount_mentions(nt):
        if take(mention):
            out.add("amount", numbers.as_number(mention.value), mention.start,
                    numbers._mention_end(mention), period=period)
    zero_amount = numbers.zero_amount_span(nt)
    if zero_amount and not _overlaps(zero_amount, out.number_spans):
        out.add("amount", 0, *zero_amount)

    ages = numbers.age_mentions(nt)
    age_ids = {(m.start, m.end) for m, _ in ages}
    for mention, age in ages:
        if take(mention):
            out.add("age", age, mention.start, mention.end)
    # lists of ages: « 3, 7 et 12 ans », « un de 5 ans et l'autre de 12 »
    changed = bool(ages)
    while changed:
        changed = False
        ordered = [m for m in free if not m.currency and not m.percent and not m.ordinal]
        for index, mention in enumerate(ordered):
            if (mention.start, mention.end) in used or mention.article or mention.value > 30:
                continue
            if numbers.has_count_noun(nt, mention):
                continue
            later = ordered[index + 1:]
            earlier = ordered[:index]
            joins_next = bool(later) and (later[0].start, later[0].end) in age_ids and \
                _LIST_SEP.fullmatch(nt.text[mention.end:later[0].start]) is not None
            follows = bool(earlier) and (earlier[-1].start, earlier[-1].end) in age_ids and \
                _AFTER_AGE_NEXT.fullmatch(nt.text[earlier[-1].end:mention.start]) is not None
            if (joins_next or follows) and take(mention):
                out.add("age", int(mention.value), mention.start, mention.end)
                age_ids.add((mention.start, mention.end))
                changed = True
    born = numbers.birth_year_age(nt)
    if born and not _overlaps((born[1], born[2]), out.number_spans) and not any(
            e["entity"] == "age" for e in out.entities):
        out.add("age", born[0], born[1], born[2])

    counts = [(m, c) for m, c in numbers.count_mentions(nt) if take(m)]
    if len(counts) == 1:
        total = numbers.parse_count(nt.text)
        value = total if total is not None and total > counts[0][1] else counts[0][1]
        out.add("number", value, counts[0][0].start, counts[0][0].end)
    elif counts:
        # « une fille et un garçon », « mes 2 filles et mon fils »: one count for the household
        total = numbers.parse_count(nt.text)
        out.add("number", total if total is not None else sum(c for _, c in counts),
                counts[0][0].start, counts[-1][0].end)
    zero_count = numbers.zero_count_span(nt)
    if zero_count and not _overlaps(zero_count, out.number_spans):
        out.add("number", 0, *zero_count)
    # « aucun » alone answers « combien d'enfants ? »
    if re.fullmatch(r"\s*(?:aucun|aucune|zero|0)\s*[.!]*\s*", nt.text) and not out.entities:
        out.add("number", 0, 0, len(nt.text))
