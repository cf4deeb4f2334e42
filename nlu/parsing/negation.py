"""Scope of a fact in a message: its clause, whose it is, whether it is denied, past or to come.

The category readers (categories.py) find cues with regular expressions; this module says, for a
cue at [start, end) of the normalised text, what the words around it do to it:

- **clauses**: a message is cut at punctuation and at the words that join two statements (« et »,
  « mais », « parce que », « maintenant »...). Negation and subjects do not cross a clause
  boundary: in « je bosse pas et je vais plus à la fac » each « pas/plus » denies its own clause.
- **subject** (`SELF`, `PARTNER`, `BOTH`, `OTHER`): the last person named before the cue in its
  clause (« mon mari est à la retraite », « moi je cherche »), else the person named right after
  it (« au chômage, mon mari »), else the subject of the previous clause (« ma femme est
  aide-soignante, de nuit »), else the speaker. « il », « elle », « lui » stand for the last person
  named in the message, or for the partner when nobody was named (an answer to « et votre
  conjoint ? »). « tous les deux » makes it both. A child, a parent, a landlord, an ex... is
  `OTHER`: their facts are not the household's answers.
- **negation**: « pas », « plus », « jamais », « ni », « aucun », « sans », « non » between the
  subject and the cue (« je ne suis pas étudiant », « pas à la retraite ») or right after a verb
  cue (« je bosse pas », « je travaille plus »), and the verbs of stopping (« j'ai arrêté mes
  études », « j'ai quitté mon CDI »). « pas mal », « plus de 35 h », « en plus », « non plus »
  are not negations.
- **time**: « j'étais », « avant », « ancien », « j'ai travaillé » put a cue in the past; « je
  vais être », « bientôt », « je voudrais », « si je » put it in the future or the hypothetical.
  A clause opened by « maintenant », « actuellement », « aujourd'hui », « désormais » is `now`:
  it overrides what earlier clauses said about the same person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SELF, PARTNER, BOTH, OTHER = "self", "partner", "both", "other"

_B = r"(?<![a-z0-9'])"
_E = r"(?![a-z0-9])"

_NOW_WORDS = r"maintenant|actuellement|aujourd'hui|desormais|en ce moment|depuis peu|a present"
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[;!?()\n:]|[.,](?!\d)|\s-\s)\s*"
    r"|\s+(?:et puis|et|mais|sauf que|par contre|parce que|parce qu'|car|donc|alors que|tandis que|"
    r"puisque|pourtant|cependant|sinon|du coup|a cause de|a cause d'|a cause du|a cause des|vu que|"
    r"en raison de|en raison d'|en raison du|suite a|depuis)\s+"
    r"|\s+(?=(?:" + _NOW_WORDS + r"|avant|auparavant)" + _E + ")")
_NOW_START = re.compile(r"(?:" + _NOW_WORDS + r")" + _E)


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    now: bool       # opened by « maintenant », « actuellement »...


def clauses(text: str) -> list[Clause]:
    """The clauses of a normalised text, in order (empty ones left out)."""
    out: list[Clause] = []
    last = 0
    for match in _CLAUSE_BREAK.finditer(text):
        if match.start() > last:
            out.append(_clause(text, last, match.start()))
        last = match.end()
    if last < len(text):
        out.append(_clause(text, last, len(text)))
    return out


def _clause(text: str, start: int, end: int) -> Clause:
    while start < end and text[start] == " ":
        start += 1
    return Clause(start, end, bool(_NOW_START.match(text, start, end)))


def clause_of(clause_list: list[Clause], position: int) -> int:
    """Index of the clause holding `position` (the nearest one before it when in a gap)."""
    found = 0
    for index, clause in enumerate(clause_list):
        if clause.start <= position:
            found = index
        else:
            break
    return found


# --- persons ------------------------------------------------------------------------------------

PARTNER_NOUN = (r"(?:mari|femme(?! de menage| de chambre)|epoux|epouse|conjointe?|compagnon|compagne|concubine?|copain|copine|"
                r"cheri|cherie|homme|moitie|mec|meuf|partenaire|chere et tendre|bonhomme|"
                r"futur mari|future femme|fiancee?)")
OTHER_NOUN = (r"(?:fils|filles?|enfants?|gosses?|gamins?|gamines?|petits?|petites?|ados?|aine|ainee|"
              r"cadet|cadette|benjamin|benjamine|bebes?|peres?|meres?|parents?|freres?|soeurs?|"
              r"oncles?|tantes?|cousins?|cousines?|neveux?|nieces?|grand[- ]?meres?|grand[- ]?peres?|"
              r"grands[- ]?parents|beau[- ]?pere|belle[- ]?mere|beaux[- ]?parents|beau[- ]?frere|"
              r"belle[- ]?soeur|belle[- ]?fille|beau[- ]?fils|mamie|papi|papy|maman|papa|daron|daronne|"
              r"darons|voisins?|voisines?|amis?|amies?|potes?|colocs?|colocataires?|proprio|"
              r"proprietaires?|bailleur|patron|patronne|employeur|chef|cheffe|collegues?|ex|"
              r"assistante? sociale?|medecin|docteur|infirmiere?|aide[- ]soignante?|"
              r"auxiliaire de vie|aide a domicile|nounou|educatrice?|educateur|avocate?|"
              r"locataires?|hebergeur|famille|tuteur|tutrice|curateur|curatrice|gens|personnes?|autres|"
              r"jeunes|salaries|travailleurs|etudiants|retraites|chomeurs|chat|chien|animal)")
_PERSON = re.compile(
    r"(?P<other>" + _B + r"(?:mon|ma|m')\s*ex(?:[- ]?" + PARTNER_NOUN + r")?" + _E +
    r"|" + _B + r"(?<!suis )(?<!est )(?<!etre )(?<!sommes )(?<!chez )(?<!pour )(?:mon|ma|mes|m'|notre|nos|son|sa|ses|leur|"
    r"leurs|le|la|les|l'|un|une|des|du|au|aux|cette|ce)\s*" + OTHER_NOUN + _E + r")"
    r"|(?P<both>" + _B + r"(?:tous|toutes) (?:les )?deux" + _E + r"|" + _B + r"nous deux" + _E +
    r"|" + _B + r"(?:(?:mon|ma) " + PARTNER_NOUN + r" et moi|moi et (?:mon|ma) " + PARTNER_NOUN + r")" + _E +
    r"|" + _B + r"(?:lui et moi|elle et moi|moi et lui|moi et elle|les deux)(?= *(?:$|[,.;!?]))" + r")"
    r"|(?P<partner>" + _B + r"(?:mon|ma|m'|notre)\s*" + PARTNER_NOUN + _E +
    r"|" + _B + r"(?:j'ai|avec|on a) (?:un (?:mari|conjoint|compagnon|copain|concubin)|"
    r"une (?:femme|conjointe|compagne|copine|concubine))(?! de )" + _E + r")"
    r"|(?P<pronoun>" + _B + r"(?:il(?! y | faut| me | m'| reste| parait| semble| s'agit| fait (?:froid|chaud|beau))"
    r"|elle|lui)" + _E + r")"
    r"|(?P<self>" + _B + r"(?:(?:je|moi|nous|on|perso|personnellement)(?![a-z0-9])|j'))")
_WE = re.compile(r"(?:nous|on)")


@dataclass(frozen=True)
class Person:
    kind: str           # SELF, PARTNER, BOTH, OTHER (pronouns already resolved)
    start: int
    end: int
    we: bool = False    # « nous », « on »


def persons(text: str) -> list[Person]:
    """The persons named in a normalised text, pronouns resolved (see the module doc)."""
    out: list[Person] = []
    last_named: str | None = None
    for match in _PERSON.finditer(text):
        kind = match.lastgroup
        if kind == "pronoun":
            kind = last_named or PARTNER
        elif kind in (PARTNER, OTHER):
            last_named = kind
        out.append(Person(kind, match.start(), match.end(),
                          we=kind == SELF and _WE.fullmatch(match.group(0)) is not None))
    return out


# --- negation and time --------------------------------------------------------------------------

_NEGATION = re.compile(
    _B + r"(?:pas(?! mal\b| que\b| seulement\b| loin\b| trop mal\b)|plus(?! de \d| que\b| qu'| tard\b| tot\b| ou moins\b| d'un\b| d'une\b)"
    r"|jamais|ni|aucune?|point|sans|nulle? part|"
    r"arrete|arreter|arretee?|fini|finie|termine|terminee?|quitte|quittee?|lache|abandonne|stoppe)" + _E)
_NOT_NEGATION = re.compile(_B + r"(?:non plus|en plus|de plus|le plus|la plus|les plus|ne plus que|pas plus)" + _E)
_AFTER_VERB_NEGATION = re.compile(r"\s*(?:pas(?! mal\b| que\b| seulement\b| loin\b)|plus(?! de\b| d'| que\b| qu'| tard\b| tot\b| ou moins\b)"
                                  r"|jamais|point|rien|nulle part)" + _E)
_PAST = re.compile(
    _B + r"(?:j'etais|etais|etait|etions|etaient|j'ai ete|ai ete|a ete|avons ete|ont ete|avant|auparavant|"
    r"autrefois|anciennement|ancien|ancienne|ex|a l'epoque|il y a \d+ ans|jusqu'a|jusqu'en|"
    r"j'ai fait|je faisais|faisait|j'avais|avait|pendant \d+ ans|durant)" + _E)
_PASSE_COMPOSE = re.compile(r"(?<![a-z0-9'])(?:j'ai|ai|a|as|avons|avez|ont)(?: deja| toujours)?\s*$")
_FUTURE = re.compile(
    _B + r"(?:(?:vais|va|vas|allons|allez|vont)(?: bientot| peut-etre)? [a-z]+(?:er|ir|re|oir)|serai|sera|serons|"
    r"seront|serais|serait|bientot|prochainement|pars|part|partir|partirai|depart|voudrais|voudrait|veux|"
    r"veut|voulais|aimerais|aimerait|souhaite|souhaiterais|espere|compte|envisage|devrais|dois|doit|"
    r"pourrais|pourrait|reprendre|commencer|commence|l'annee prochaine|le mois prochain|"
    r"dans \d+ (?:mois|ans|semaines)|si (?:je|j'|on|il|elle|mon|ma|nous)|s'il|quand je serai)" + _E)


def negated_between(text: str, start: int, end: int) -> bool:
    """A negation in text[start:end] (the words between a subject and a cue)."""
    window = _NOT_NEGATION.sub(lambda m: " " * len(m.group(0)), text[start:end])
    return _NEGATION.search(window) is not None


def negated_after(text: str, end: int) -> bool:
    """« je bosse pas », « je travaille plus »: a negation right after a verb cue."""
    return _AFTER_VERB_NEGATION.match(text, end) is not None


def past_between(text: str, start: int, end: int, verb: bool = False) -> bool:
    """« j'étais », « avant », « ancien » in text[start:end]; for a verb cue, « j'ai » right before."""
    if _PAST.search(text, start, end):
        return True
    return verb and _PASSE_COMPOSE.search(text[max(start, end - 16):end]) is not None


def future_between(text: str, start: int, end: int) -> bool:
    """« je vais être », « bientôt », « je voudrais », « si je » in text[start:end]."""
    return _FUTURE.search(text, start, end) is not None


@dataclass(frozen=True)
class Scope:
    subject: str
    who: tuple[int, int] | None     # span of the person named for it, when one is
    negated: bool
    past: bool
    future: bool
    clause: int
    now: bool


class Scoper:
    """Scope of the cues of one normalised text: clauses and persons are found once."""

    def __init__(self, text: str):
        self.text = text
        self.clauses = clauses(text)
        self.persons = persons(text)
        # subject carried from clause to clause
        self._clause_subject: list[str | None] = []
        current: str | None = None
        for clause in self.clauses:
            inside = [p for p in self.persons if clause.start <= p.start < clause.end]
            if inside:
                current = inside[-1].kind
                if any(p.kind == BOTH for p in inside) and all(p.kind in (SELF, BOTH) for p in inside):
                    current = BOTH
            self._clause_subject.append(current)

    def subject_at(self, start: int, end: int, plural: bool = False) -> tuple[str, int, tuple[int, int] | None]:
        """Whose fact the cue at [start, end) is, and where the words before it that belong to it
        begin (just after the subject, or at the clause start)."""
        index = clause_of(self.clauses, start)
        clause = self.clauses[index] if self.clauses else Clause(0, len(self.text), False)
        # persons before the cue; a cue may begin with its own subject (« je loue »), but a person
        # inside it who is somebody else is part of the fact (« chez ma mère », « mon proprio »)
        before = [p for p in self.persons if clause.start <= p.start and (
            p.end <= start or (start <= p.start and p.end <= end and p.kind != OTHER))]
        inside = [p for p in self.persons if clause.start <= p.start < clause.end]
        both_here = any(p.kind == BOTH for p in inside)
        if before:
            person = before[-1]
            kind = person.kind
            if kind == SELF and (both_here or (person.we and (plural or self._both_before(start)))):
                kind = BOTH
            return kind, min(person.end, start), (person.start, person.end)
        after = [p for p in self.persons if end <= p.start < clause.end]
        if after and re.fullmatch(r"[\s,]*(?:de |d')?", self.text[end:after[0].start]):
            return after[0].kind, clause.start, (after[0].start, after[0].end)
        if both_here:
            return BOTH, clause.start, None
        inherited = self._clause_subject[index - 1] if index > 0 else None
        return inherited or SELF, clause.start, None

    def _both_before(self, position: int) -> bool:
        return any(p.kind == BOTH and p.end <= position for p in self.persons)

    def scope(self, start: int, end: int, verb: bool = False, plural: bool = False,
              check_time: bool = True) -> Scope:
        subject, window_start, who = self.subject_at(start, end, plural)
        index = clause_of(self.clauses, start)
        clause = self.clauses[index] if self.clauses else Clause(0, len(self.text), False)
        negated = negated_between(self.text, window_start, start) or (verb and negated_after(self.text, end))
        past = check_time and past_between(self.text, clause.start, start, verb)
        future = check_time and future_between(self.text, clause.start, start)
        return Scope(subject, who, negated, past, future, index, clause.now)

    def clause_text(self, index: int) -> str:
        clause = self.clauses[index]
        return self.text[clause.start:clause.end]
