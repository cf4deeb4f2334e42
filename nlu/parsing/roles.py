"""Whose number it is, and what it counts: the role of an amount (« 900 de chômage », « mon loyer c'est
450 », « ma femme gagne 1200 »), of an age (« mon mari a 58 ans », « 2 enfants de 4 et 9 ans ») and
whether a number is denied (« 850 pas 580 »: 580 is not said).

The role comes from the words of the number's clause (between commas, « et », « mais »...): the
nearest cue word wins. A list of ages (« 4, 7 et 12 ans ») shares the role of its first member.
"""
from __future__ import annotations

import re

from nlu.parsing.numbers import NumberMention, _mention_end
from nlu.parsing.text import NormText

_DIGIT = re.compile(r"\d")
_CLAUSE_END = re.compile(r"[,;.!?:()]|\s(?:et|mais|puis|sinon|ou|alors|donc|plus|\+)\s|\s?\+\s?")

_CHARGES = r"(?:charges?|charrges?|chrges?|chages?|charjes?|chareges?|chargs|chagres?|chrages?)"   # as typed
_SALARY = r"(?:salai+res?|salair|saliares?|salere|salerres?)"
# What an amount is, from the words around it (normalised text). Tried as (kind, pattern); the
# nearest match to the number wins, ties going to the first listed.
_INCOME_CUES: list[tuple[str, re.Pattern]] = [(kind, re.compile(r"(?<![a-z])(?:" + pattern + r")(?![a-z])"))
                                               for kind, pattern in [
    ("alimony", r"pension alimentaire|pensions alimentaires|alimentaire|pour (?:les|mes) (?:enfants|gosses|petits)|"
                r"le pere (?:des enfants )?(?:me )?(?:verse|donne|paie|paye)|leur pere|son pere"),
    ("disability_pension", r"pension d'invalidite|invalidite|pension invalidite"),
    ("benefit", r"rsa|r\.s\.a|apl|aah|caf|allocs?|allocations? (?:familiales|logement)|prime d'activite|"
                r"prime activite|af|als|alf|ppa|bourse|aspa|minimum vieillesse|cheque energie|c2s|css"),
    ("unemployment", r"chomage|chomeur|chomeuse|are|ass|pole emploi|france travail|allocation chomage|"
                     r"indemnites chomage|alloc chomage"),
    ("pension", r"retraite|retraites|pension de retraite|pension|pensions|carsat|agirc|arrco"),
    ("turnover", r"chiffre d'affaires?|chiffre d affaires?|je facture|factur\w*|clients?|encaisse\w*"),
    # « 460 charges comprises », « 605 hors charges »: the rent, with or without its charges
    ("rent", _CHARGES + r" (?:comprises?|incluses?)|cc|hc|hors " + _CHARGES + r"|sans (?:les )?" + _CHARGES +
             r"|tout compris|avec (?:les )?" + _CHARGES + r"|toutes " + _CHARGES + r" comprises|tcc"),
    # « 795 dont 90 de charges »: a total, charges included (the facts take the charges out)
    ("rent_with_charges", r"dont (?:\d+ ?(?:€|euros?|e)? ?)?(?:de |d')?" + _CHARGES),
    ("charges", _CHARGES),
    ("rent", r"loyers?|mensualites?|credit|pret|emprunt|rembourse\w*|bailleur|proprio|proprietaire"),
    ("salary", _SALARY + r"|ma paye|ma paie|sa paye|sa paie|fiche de paie|gagne|gagnes|gagnent|gagnons|gagnez|smic"),
    ("other", r"rentes?|revenus? locatifs?|loyers? (?:percus?|recus?)|autres? revenus?|a cote"),
]]
# « mon loyer » (what the person pays) versus « je loue à un proprio »: in a rent clause a pronoun
# does not make it the partner's.
_PARTNER = re.compile(r"(?<![a-z])(?:mon (?:mari|epoux|conjoint|compagnon|copain|concubin|homme|partenaire|cheri)|"
                      r"ma (?:femme|epouse|conjointe|compagne|copine|concubine|partenaire|cherie|moitie)|"
                      r"mon ami|mon amie|son salaire|sa retraite|sa paye|sa paie|son chomage|sa pension|lui|"
                      r"(?:il|elle) (?:touche|gagne|percoit|recoit|a|fait|est|bosse|travaille|vit)|"
                      r"monsieur|madame)(?![a-z])")
_SELF = re.compile(r"(?<![a-z])(?:(?:je|moi|mon " + _SALARY + r"|ma retraite|ma paye|ma paie|mon chomage|ma pension)"
                   r"(?![a-z])|j')")
_CHILD = re.compile(r"(?<![a-z])(?:enf[a-z]*|fils|filles?|garcons?|gamins?|gamines?|gosses?|petits?|petites?|"
                    r"bebes?|ados?|momes?|loulous?|minots?|jumeaux|jumelles|aine|ainee|cadet|cadette|"
                    r"le grand|la grande|l'autre|ils ont|elles ont|les miens|mes [a-z]+)(?![a-z])")
_NEGATED_BEFORE = re.compile(r"(?:(?<![a-z])pas|et non|non pas|plutot que|au lieu de|et pas)\s*(?:de\s+|d')?$")
_AGE_LIST_JOIN = re.compile(r"\s*(?:ans?|mois)?\s*(?:,|et|/|-|&|;)\s*(?:l'autre\s*|le\s+\w+\s*|la\s+\w+\s*)?"
                            r"(?:de\s*|a\s*)?$")


def _clause(nt: NormText, start: int, end: int) -> tuple[int, int]:
    """The span of the clause around [start, end)."""
    text = nt.text
    begin = 0
    for match in _CLAUSE_END.finditer(text, 0, start):
        begin = match.end()
    after = _CLAUSE_END.search(text, end)
    return begin, (after.start() if after else len(text))


def _nearest(patterns: list[tuple[str, re.Pattern]], text: str, start: int, end: int,
             begin: int, finish: int) -> str | None:
    best: tuple[int, int, str] | None = None
    for order, (kind, pattern) in enumerate(patterns):
        for match in pattern.finditer(text, begin, finish):
            if match.start() < end and match.end() > start:
                continue   # the number itself (« 2 000 ca »)
            between = text[end:match.start()] if match.start() >= end else text[match.end():start]
            if _DIGIT.search(between) and not kind.startswith("rent_with"):
                continue   # « 700 é 80 de charges »: the word is the other number's
            distance = start - match.end() if match.end() <= start else match.start() - end
            if best is None or (distance, order) < best[:2]:
                best = (distance, order, kind)
    return best[2] if best else None


def is_negated(nt: NormText, mention: NumberMention) -> bool:
    """« pas 580 », « 850 et non 580 »: a number the person says is wrong."""
    return bool(_NEGATED_BEFORE.search(nt.text[max(0, mention.start - 16):mention.start]))


def amount_role(nt: NormText, mention: NumberMention) -> tuple[str | None, str | None]:
    """(income kind, subject) of an amount: kind in salary, unemployment, pension,
    disability_pension, alimony, other, rent, rent_with_charges, charges, turnover or benefit;
    subject self or partner; None when the words do not say."""
    end = _mention_end(mention)
    begin, finish = _clause(nt, mention.start, end)
    kind = _nearest(_INCOME_CUES, nt.text, mention.start, end, begin, finish)
    if kind is None and begin > 0:
        # « la pension d'invalidité, 710 par mois »: a short clause just before names it
        before_begin, _ = _clause(nt, max(0, begin - 2), max(0, begin - 1))
        previous = nt.text[before_begin:begin]
        if len(previous.split()) <= 5 and not re.search(r"\d", previous):
            kind = _nearest(_INCOME_CUES, nt.text, mention.start, end, before_begin, begin)
    clause = nt.text[begin:finish]
    subject = None
    if kind not in ("rent", "charges", "alimony", "benefit"):
        if _PARTNER.search(clause):
            subject = "partner"
        elif _SELF.search(clause):
            subject = "self"
    return kind, subject


def age_roles(nt: NormText, mentions: list[NumberMention]) -> list[str | None]:
    """The role (self, partner, child or None) of each age, in order; the ages of a list share the
    role of the first one that has one."""
    roles: list[str | None] = []
    for mention in mentions:
        begin, finish = _clause(nt, mention.start, mention.end)
        before = nt.text[begin:mention.start]
        around = nt.text[begin:finish]
        if _CHILD.search(before) or re.match(r"\s*(?:ans?|mois)\s+(?:et|,)?\s*(?:demi)?\s*$", nt.text[mention.end:finish]) \
                and _CHILD.search(nt.text[max(0, begin - 40):begin]):
            role = "child"
        elif _PARTNER.search(before):
            role = "partner"
        elif _SELF.search(before) or re.search(r"\bmoi\b", around):
            role = "self"
        elif _CHILD.search(around):
            role = "child"
        else:
            role = None
        roles.append(role)
    # a list « 4, 7 et 12 ans » follows its first member
    for index in range(1, len(mentions)):
        joined = _AGE_LIST_JOIN.fullmatch(nt.text[mentions[index - 1].end:mentions[index].start])
        if joined and roles[index - 1] == "child":
            roles[index] = "child"
    return roles
