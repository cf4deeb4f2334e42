"""All entities of one message, with normalised values and spans in the original text.

`extract_entities(text)` is what the Rasa component EntityNormaliser adds to each message:

    [{"entity": "amount", "value": 1200, "start": 0, "end": 11, "period": None}, ...]

Values follow ../shared/spec/intents.md: numbers for amount/age/number, a 5-digit string for
postcode, the official name for commune (with its INSEE "code"), the contract's values for
housing_status (with the finer `detail`, e.g. "locataire_meuble"), relationship, benefit,
life_event and activity. Every fact keeps its detail (docs/conversation.md lists the entities and
their keys): whose age it is (`role`), what an amount is (`income`, `subject`, `period`), what a
count counts (`of`)... The action server maps these entities to the household and never reads the
text itself, so each message is read once, here.

Numbers are classified once: a postcode or an arrondissement is not also an amount, an age is not
also an amount, « 2 enfants » is a count, and a number the person denies (« 850 pas 580 ») is not
said at all. A message made of a bare number is read by its size (below 15 a count, 15 to 120 an
age, above 120 an amount) and marked `bare`: the question asked decides what it answers.
"""
from __future__ import annotations

import re

from nlu.parsing import categories, cues, numbers, places, roles
from nlu.parsing.mention import Mention
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

    def add_mention(self, mention: Mention) -> None:
        self.add(mention.entity, mention.value, mention.start, mention.end, **mention.extra)

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

    for mention in categories.housing_mentions(nt):
        if not _overlaps((mention.start, mention.end), benefit_spans):
            out.add_mention(mention)
            out.category_spans.append((mention.start, mention.end))
    for mention in categories.relationship_mentions(nt):
        if not _overlaps((mention.start, mention.end), benefit_spans):
            out.add_mention(mention)
    # an activity may share its words with an aid or a moment of life (« elle touche l'AAH »,
    # « licenciée »): both are true
    for mention in (categories.activity_mentions(nt) + categories.pregnancy_mentions(nt)
                    + categories.disability_mentions(nt) + categories.student_grant_mentions(nt)
                    + categories.self_employed_kind_mentions(nt)):
        out.add_mention(mention)
    correction = categories.correction_mention(nt)
    if correction:
        out.add_mention(correction)

    # places: a postcode, and the town it names or that is named (with its homonyms or its
    # arrondissements when not settled, see places.py)
    for code, start, end in places.postcode_mentions(nt):
        out.add("postcode", code, start, end)
        out.number_spans.append((start, end))
    try:
        communes = places.commune_mentions(text, nt)
    except FileNotFoundError:
        communes = []
    for mention in communes:
        if _overlaps((mention.start, mention.end), out.category_spans):
            continue
        out.add_mention(mention)
        out.number_spans.append((mention.start, mention.end))
    try:
        for mention in places.departement_name_mentions(nt):
            out.add_mention(mention)
    except FileNotFoundError:
        pass

    for mention in cues.phone_mentions(nt):
        out.add_mention(mention)
        out.number_spans.append((mention.start, mention.end))
    _numbers(nt, out)
    _answers(text, nt, out)
    for mention in cues.choice_mentions(nt) + cues.intention_mentions(nt):
        out.add_mention(mention)
    return sorted(out.entities, key=lambda e: (e["start"], e["end"]))


def _answers(text: str, nt: NormText, out: _Collector) -> None:
    """Yes, no and « je ne sais pas », read once like every other fact."""
    if categories.is_dont_know(text):   # « je ne sais pas trop » is not a « non »
        out.add("dont_know", True, 0, len(nt.text))
        return
    yes_no = categories.parse_yes_no(text)
    if yes_no is not None:
        out.add("yes_no", yes_no, 0, len(nt.text))


# a short answer saying « nothing »: « non », « rien du tout », « non rien », « que dalle »
_NOTHING = re.compile(r"^(?:non|nan|no|aucun|aucune|rien|nada|zero|walou|que dalle|nib|neant)\b[\s,.!]*"
                      r"(?:[a-z']+[\s,.!]*){0,3}$")
_ALL_CHILDREN = re.compile(r"\s*(?:enf(?!in)[a-z]*|efants?|gosses?|gamins?|momes?|mioches?|marmots?|minots?|"
                           r"loulous?|petits?|ptits?|p'tits?)(?![a-z])")
_TIME_UNIT = re.compile(r"\s*(?:ans?|annees?|mois|semaines?|jours?|heures?|h)\b")
_NOT_A_CHILD = re.compile(r"\s*(?:boulot|job|peu|revenu|salaire|loyer|appart|studio|logement|bout|moment|"
                          r"probleme|souci|travail|contrat|mot|creux)")
_RATE_CUE = re.compile(r"\b(?:handicap\w*|taux|mdph|cdaph|invalidite|incapacite|reconnu\w*|carte|cmi|rqth)\b")
_CHILD_COUNT_NOUN = re.compile(r"\s*(?:seule?s?\s+)?(?:enf(?!in)[a-z]*|efants?|gosses?|gamins?|gamines?|momes?|"
                               r"mioches?|marmots?|minots?|loulous?|petits?|petites?|filles?|fils|garcons?|"
                               r"bebes?|ados?|jumeaux|jumelles|triples|mouflets?|lardons?|ptits?|p'tits?)(?![a-z])")


def _numbers(nt: NormText, out: _Collector) -> None:
    mentions = numbers.find_numbers(nt)
    for mention in mentions:   # « 850 pas 580 »: 580 is not said
        if roles.is_negated(nt, mention):
            out.number_spans.append((mention.start, mention.end))
    free = [m for m in mentions if not _overlaps((m.start, m.end), out.number_spans)]
    used: set[tuple[int, int]] = set()

    def take(mention: numbers.NumberMention) -> bool:
        key = (mention.start, mention.end)
        if key in used or _overlaps(key, out.number_spans):
            return False
        used.add(key)
        return True

    # a disability rate: « 80 % », « taux de 50 » (with a word about disability)
    for mention in free:
        if mention.percent or (_RATE_CUE.search(nt.text[max(0, mention.start - 30):mention.start])
                               and 0 < mention.value <= 100 and not mention.currency):
            if mention.value <= 100 and take(mention):
                clause = nt.text[max(0, mention.start - 40):mention.start]
                subject = "partner" if roles._PARTNER.search(clause) else None
                out.add("disability_rate", round(mention.value / 100, 2), mention.start,
                        numbers._mention_end(mention), subject=subject)

    # bare number as the whole message: read by its size, marked bare (the question decides)
    bare = _FILLERS.sub(" ", re.sub(r"[^a-z0-9€ ,.'-]", " ", nt.text))
    if len(free) == 1 and re.fullmatch(r"[\s,.'-]*", bare.replace(nt.text[free[0].start:free[0].end], " ", 1)
                                       .replace("€", " ")):
        mention = free[0]
        if not mention.ordinal and not mention.percent and take(mention):
            value = mention.value
            if mention.currency or mention.decimal or value > 120:
                out.add("amount", numbers.as_number(value), mention.start, numbers._mention_end(mention),
                        period=numbers.amount_period(nt, mention), bare=True)
            elif value >= 15:
                out.add("age", int(value), mention.start, mention.end, bare=True)
            else:
                out.add("number", int(value), mention.start, mention.end, bare=True)
            return

    for mention, period in numbers.amount_mentions(nt):
        if take(mention):
            income, subject = roles.amount_role(nt, mention)
            out.add("amount", numbers.as_number(mention.value), mention.start,
                    numbers._mention_end(mention), period=period, income=income, subject=subject)
    zero_amount = numbers.zero_amount_span(nt)
    if zero_amount and not _overlaps(zero_amount, out.number_spans):
        out.add("amount", 0, *zero_amount)
    elif not mentions and _NOTHING.search(nt.text.strip(" .!")) and not categories.is_dont_know(nt.text):
        out.add("amount", 0, 0, len(nt.text), bare=True)   # « non », « rien » answering « combien ? »

    ages = numbers.age_mentions(nt)
    age_ids = {(m.start, m.end) for m, _ in ages}
    found_ages: list[tuple[numbers.NumberMention, int]] = []
    for mention, age in ages:
        if take(mention):
            found_ages.append((mention, age))
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
                found_ages.append((mention, int(mention.value)))
                age_ids.add((mention.start, mention.end))
                changed = True
    found_ages.sort(key=lambda item: item[0].start)
    for (mention, age), role in zip(found_ages, roles.age_roles(nt, [m for m, _ in found_ages])):
        out.add("age", age, mention.start, mention.end, role=role)
    born = numbers.birth_year_age(nt)
    if born and not _overlaps((born[1], born[2]), out.number_spans) and not any(
            e["entity"] == "age" for e in out.entities):
        out.add("age", born[0], born[1], born[2], role="self")

    counts = [(m, c) for m, c in numbers.count_mentions(nt) if take(m)]
    if len(counts) == 1:
        total = numbers.parse_count(nt.text)
        value = total if total is not None and total > counts[0][1] else counts[0][1]
        if _ALL_CHILDREN.match(nt.text[counts[0][0].end:]):
            value = counts[0][1]   # « 3 enfants : un de 10 ans, un de 4 ans et un bébé »: the 3 are all
        out.add("number", value, counts[0][0].start, counts[0][0].end, of=_counted(nt, counts[0][0]))
    elif counts and _ALL_CHILDREN.match(nt.text[counts[0][0].end:]) and not counts[0][0].article:
        # « 3 enfants : un de 10 ans, un de 4 ans et un bébé »: the first count is all of them
        out.add("number", counts[0][1], counts[0][0].start, counts[0][0].end, of="children")
    elif counts:
        # « une fille et un garçon », « mes 2 filles et mon fils »: one count for the household
        total = numbers.parse_count(nt.text)
        out.add("number", total if total is not None else sum(c for _, c in counts),
                counts[0][0].start, counts[-1][0].end, of=_counted(nt, counts[0][0]))
    if not counts:   # « un petit », « avec mon enfant », « ma fille et mon fils »: no digit, still a count
        single = numbers._SINGLE_CHILD.search(nt.text)
        if single and not _NOT_A_CHILD.match(nt.text, single.end()) and \
                not _overlaps((single.start(), single.end()), out.number_spans):
            total = numbers.parse_count(nt.text)
            if total:
                out.add("number", total, single.start(), single.end(), of="children")
    zero_count = numbers.zero_count_span(nt)
    if zero_count and not _overlaps(zero_count, out.number_spans):
        out.add("number", 0, *zero_count, of="children")
    # « un seul », « une seule », « juste un »: one
    if re.fullmatch(r"\s*(?:un|une|juste un|juste une|qu'un|qu'une|seulement un|seulement une) ?(?:seule?)?\s*[.!]*\s*",
                    nt.text) and not any(e["entity"] == "number" for e in out.entities):
        out.add("number", 1, 0, len(nt.text), bare=True)
    # « aucun » alone answers « combien d'enfants ? »
    if re.fullmatch(r"\s*(?:aucun|aucune|zero|0)\s*[.!]*\s*", nt.text) and not any(
            e["entity"] in ("number", "age") for e in out.entities):
        out.add("number", 0, 0, len(nt.text), bare=True)
    # « 6 mois » left alone (not « depuis 6 mois », not « enceinte de 6 mois »): a baby's age in years
    for mention in free:
        if (mention.start, mention.end) in used or _overlaps((mention.start, mention.end), out.number_spans):
            continue
        if numbers._MONTHS_AFTER.match(nt.text[mention.end:]) and not numbers.is_duration(nt, mention) \
                and not re.search(r"enceinte(?: de)?\s*$", nt.text[:mention.start]) and mention.value <= 36:
            used.add((mention.start, mention.end))
            out.add("age", int(mention.value // 12), mention.start, mention.end, role="child")
    # numbers left: an amount when its clause says what it is (« ma femme 1200 de salaire », « 50 de
    # charges ») or when it is large; else a plain number (« 4 et 9 » answering « quel âge ont vos
    # enfants ? »), which the question asked decides
    for mention in free:
        if (mention.start, mention.end) in used or _overlaps((mention.start, mention.end), out.number_spans) \
                or mention.ordinal or mention.percent or mention.article:
            continue
        if numbers.is_duration(nt, mention) or _TIME_UNIT.match(nt.text, numbers._mention_end(mention)):
            continue   # « depuis 6 mois », « 3 ans »: a time, not an amount
        income, subject = roles.amount_role(nt, mention)
        if (income and mention.value >= 10) or mention.currency or mention.value > 30:
            used.add((mention.start, mention.end))
            out.add("amount", numbers.as_number(mention.value), mention.start, numbers._mention_end(mention),
                    period=numbers.amount_period(nt, mention), income=income, subject=subject)
        elif float(mention.value).is_integer() and 0 <= mention.value <= 30:
            used.add((mention.start, mention.end))
            out.add("number", int(mention.value), mention.start, mention.end, bare=True)


def _counted(nt: NormText, mention: numbers.NumberMention) -> str | None:
    """« 2 enfants » counts children; « on est 4 » counts people."""
    return "children" if _CHILD_COUNT_NOUN.match(nt.text[mention.end:]) or mention.article else None
