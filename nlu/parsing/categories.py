"""Categorical facts: activity (the speaker's and the partner's), housing, couple or alone,
pregnancy, disability, student grant, kind of self-employment, corrections, yes/no,
« je sais pas », benefits, life events.

Every reader works on the normalised text (text.normalise: lowercase, no accents, SMS spellings
expanded) and reports spans in it. Two styles live here:

- **first rule wins** (yes/no, « je sais pas », benefits, life events, couple or alone): a list of
  (value, pattern) tried in order of priority, so specific phrasings come before general ones.
- **cues in scope** (activity, housing, pregnancy, disability, student grant): every cue of every
  rule is found (a longer cue listed first hides a shorter one inside it: « pas de travail »
  hides « travail »), then negation.py says, for each, whose it is (the speaker, the partner, both,
  or somebody else), whether it is denied, and whether it is past, to come or hypothetical. Denied,
  past, hypothetical cues and other people's cues give no value; the remaining ones are weighed.

Decisions (what residents say → what is read):

Activity (`activity_mentions`: entity "activity" for the speaker, "partner_activity" for the
partner; `activity_mention`/`parse_activity` give the speaker's value only):
- Several activities of one person: the rank decides — retraite > inactif for an illness or a
  disability that stops work (« en arrêt maladie », « en invalidité ») > apprenticeship
  (« en BTS en alternance » is salarie: it is an employment contract paid a salary) > etudiant >
  chomeur > independant > salarie > inactif (« au foyer ») > chomeur only from an event or a lack
  (« licenciée », « pas de travail ») > inactif from a disability or an illness named without
  saying it stops work (« handicapée », « malade », « je touche l'AAH »). That last kind gives a
  value only in a short answer (six words at most: « elle touche l'AAH », « mon mari est
  handicapé ») or next to a denied job; in a longer message (« je suis malade, je pourrai pas
  venir au rendez-vous ») it only gives the reason of an inactif value said otherwise. So « étudiante et je
  bosse le week-end » is etudiant, « au chômage et je fais des ménages » is chomeur, « licenciée,
  maintenant en CDD » is salarie. The other activities said are kept in extra "also" (a list,
  highest rank first): a student's job is noted there, and the salary question follows from it.
- Not read: other people's activities (« les gens qui travaillent », « mon fils est étudiant »),
  rights (« droit au chômage »), questions (« c'est qui qui a droit au RSA »), the future
  (« je prends ma retraite le mois prochain »), fears (« peur de perdre mon travail »), and
  « travailleur handicapé » / RQTH, which say nothing of the activity.
- A clause opened by « maintenant », « actuellement », « aujourd'hui » overrides the earlier
  clauses about the same person (« j'étais au chômage, maintenant je bosse »).
- Denials: a denied activity is not read (« je suis pas étudiant », « je ne suis pas à la
  retraite », « je suis plus au chômage »). When work itself is denied and nothing positive is
  said (« je bosse pas et je vais plus à la fac », « je travaille pas »), the value is inactif
  (« vous ne travaillez pas »), not chomeur: chomeur needs a sign of looking for work or of being
  registered (« je cherche », « au chômage », « inscrite à France Travail », « pas de travail »,
  « sans emploi »), as the contract's label « vous cherchez du travail » says.
- extra "reason": "handicap" or "maladie" on an inactif value when a disability or an illness is
  said for that person (« je travaille pas à cause de mon handicap », « en invalidité » →
  handicap; « en arrêt longue maladie », « malade » → maladie).
- Trades: a job title of data/occupations.txt counts only when it is said of a person (« je suis
  aide-soignante », « je bosse comme cariste », « mon mari est maçon », « moi caissière ») or is
  the answer on its own (« aide soignante en ehpad »), never after an article (« l'infirmière
  passe le matin », « mon assistante sociale »), nor after looking for or training for it (« je
  cherche un poste de vendeuse », « en formation d'aide-soignante »). It gives salarie, or
  independant for the jobs marked so in the file (agriculteur, commerçant, artisan, VTC...);
  extra "occupation" is the title as written in the file (« aide-soignante »).
- Self-employment: auto-/micro-entrepreneur, « à mon compte », freelance, SIRET, VTC, platform
  delivery, « non-salarié », profession libérale → independant. A childminder (« nounou agréée »,
  « assistante maternelle ») is salarie: the parents employ her and pay a salary (Pajemploi).
  Interim, CDD, CDI, apprenticeship, contrat aidé (PEC, CUI), service civique, CESU,
  « chômage partiel » → salarie.
- « il », « elle », « lui » with nobody named before are the partner (« elle touche l'AAH » →
  partner inactif, reason handicap); a child's, a parent's or an ex's activity is not read.
  « on est au chômage tous les deux », « nous sommes retraités » are both.

Housing (`housing_mentions`: entity "housing_status", value the contract entity's coarse value
(knowledge/vocabulary.py HOUSING_ENTITY_VALUE), extra "detail" the finer value, always set):
- Priority when several are said: sans_domicile > foyer > Crous residence > logement_social >
  unfurnished rental > locataire_meuble > accedant > locataire > proprietaire > heberge > « pas
  de loyer » (proprietaire, the weakest). Denied ones are dropped (« je suis pas propriétaire, je
  loue » → locataire); « non meublé » is a plain rental.
- A Crous room (« résidence Crous », « cité U ») is locataire_meuble with extra "crous": True, not
  foyer. OpenFisca computes no housing aid for `locataire_foyer` (aide_logement_non_calculable),
  while a furnished rental gets an estimate; the exact Crous formula needs OpenFisca's
  `logement_crous`, which the contract could take from that extra.
- Domiciliation at a CCAS or an association (« je suis domicilié au CCAS », « j'ai une adresse au
  CCAS ») is sans_domicile; « chez ma mère », « hébergé par un ami » are heberge.

Couple (`relationship_mentions`): extra "couple_type" marie, pacse or union_libre when said
(« mariés », « pacsés », « concubinage », « on vit ensemble sans être mariés »).

Pregnancy (`pregnancy_mentions`): « on attend un bébé » is the speaker; « je vais être papa »,
« ma femme est enceinte » the partner; a daughter's pregnancy is not read.

Disability (`disability_mentions`): "disability" for the speaker or the partner (a child's is not
read); not having the AAH does not deny a disability. "work_restriction" is the RSDAE.

Kind of self-employment (`self_employed_kind_mentions`): the kind itself (« vente »,
« prestations de services », « profession libérale ») is always read; a trade or a field
(« coiffure », « VTC », « formatrice ») only for a self-employed person (« à mon compte »,
« auto-entrepreneur », a self-employed activity in the message) or as a bare answer of four words
at most without an article (« coiffure à domicile », not « je cherche un plombier »).

Correction (`correction_mention`): only explicit cues (« non en fait », « je me suis trompée »,
« c'est 850 pas 580 », « non, 2 enfants », « pas X mais Y » between two values, « c'est pas ça,
j'ai 3 enfants »); « non » alone, « non merci », « non c'est bon », « non c'est pas ça » (a plain
no, with no new fact), « non 2 » (the SMS menu digit), « si je me trompe », « erreur de numéro »
are not corrections.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.vocabulary import HOUSING_ENTITY_VALUE as _HOUSING_ENTITY_VALUE
from nlu.parsing import negation
from nlu.parsing.mention import Mention
from nlu.parsing.negation import BOTH, OTHER, PARTNER, SELF, Scoper
from nlu.parsing.occupations import find_occupations, occupation_count
from nlu.parsing.text import NormText, normalise_with_offsets

_B = r"(?<![a-z0-9])"   # word start
_E = r"(?![a-z0-9])"    # word end


def _rules(pairs: list[tuple[str, str]]) -> list[tuple[str, re.Pattern]]:
    return [(value, re.compile(_B + "(?:" + pattern + ")" + _E)) for value, pattern in pairs]


def _first(rules: list[tuple[str, re.Pattern]], nt: NormText) -> tuple[str, int, int] | None:
    for value, pattern in rules:
        match = pattern.search(nt.text)
        if match:
            return value, match.start(), match.end()
    return None


def _all(rules: list[tuple[str, re.Pattern]], nt: NormText) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for value, pattern in rules:
        for match in pattern.finditer(nt.text):
            if any(not (match.end() <= s or match.start() >= e) for _, s, e in found):
                continue
            found.append((value, match.start(), match.end()))
    return sorted(found, key=lambda f: f[1])


# --- cues in scope ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Rule:
    value: object
    pattern: re.Pattern
    rank: int = 0
    verb: bool = False          # ends with a verb: a negation may follow it (« je bosse pas »)
    person: bool = False        # a noun for a person: after an article it is generic (« les étudiants »)
    denial: bool = False        # carries its own negation (« pas de travail »): never negated again
    event: bool = False         # a past event telling the present (« licenciée »): no time check
    reason: str | None = None
    occupation: str | None = None
    extra: tuple = ()


def _rule(value, pattern: str, rank: int = 0, **flags) -> _Rule:
    return _Rule(value, re.compile(_B + "(?:" + pattern + ")" + _E), rank, **flags)


@dataclass(frozen=True)
class _Cue:
    rule: _Rule
    start: int
    end: int
    subject: str
    negated: bool
    void: bool                  # past, to come, hypothetical, generic or in a question
    clause: int
    now: bool
    occupation: str | None = None
    who: tuple[int, int] | None = None    # span of the person it is said of, when named

    @property
    def value(self):
        return self.rule.value

    @property
    def live(self) -> bool:
        return not self.negated and not self.void


_DETERMINER_BEFORE = re.compile(r"(?:^|\s)(?:le|la|les|l'|un|une|des|du|aux?|ces|cette|ce|pour les|pour un|"
                                r"pour une|quel|quelle|quels|quelles)\s*$")
_QUESTION = re.compile(r"(?:^|\s)(?:c'est quoi|qu'est-ce|c quoi|quoi l'|comment|combien|pourquoi|est-ce que|"
                       r"est ce que|a quoi)(?:\s|$)")
_ME = re.compile(_B + r"(?:je|j'|moi|mon|ma|mes|m'|on|nous)(?![a-z0-9])")


_RIGHTS_BEFORE = re.compile(r"droits? (?:a |au |aux |a la |de |du )?$")
_FUTURE_AFTER = re.compile(r"[a-z' ]{0,20}?\b(?:le mois prochain|l'annee prochaine|la semaine prochaine|bientot|"
                           r"dans (?:\d+|un|une|deux|trois|quelques) (?:jours?|semaines?|mois|ans?))\b")


def _question(text: str, scoper: Scoper, index: int) -> bool:
    """A clause asking something in general (« c'est quoi l'AAH ? », « les étudiants ont droit ? »)."""
    clause = scoper.clauses[index]
    words = text[clause.start:clause.end]
    after = text[clause.end:clause.end + 2]
    if _QUESTION.search(words):
        return True
    return "?" in after and not _ME.search(words)


def _cues(rules: list[_Rule], nt: NormText, scoper: Scoper, taken: list[tuple[int, int]] | None = None,
          check_time: bool = True) -> list[_Cue]:
    """Every cue of `rules` in the text (a cue overlapping an earlier one is left out), in scope."""
    text = nt.text
    spans = list(taken or [])
    found: list[_Cue] = []
    for rule in rules:
        for match in rule.pattern.finditer(text):
            start, end = match.start(), match.end()
            if any(not (end <= s or start >= e) for s, e in spans):
                continue
            spans.append((start, end))
            found.append(_scoped(rule, start, end, text, scoper, check_time))
    return sorted(found, key=lambda c: c.start)


def _scoped(rule: _Rule, start: int, end: int, text: str, scoper: Scoper, check_time: bool = True,
            occupation: str | None = None) -> _Cue:
    plural = rule.person and text[end - 1] == "s"
    scope = scoper.scope(start, end, verb=rule.verb, plural=plural,
                         check_time=check_time and not rule.event)
    negated = scope.negated and not rule.denial
    clause = scoper.clauses[scope.clause] if scoper.clauses else None
    before = text[clause.start:start] if clause else text[:start]
    generic = rule.person and _DETERMINER_BEFORE.search(before) is not None and \
        not re.search(r"(?:suis|sommes|est|comme) (?:un|une)\s*$", before)
    rights = _RIGHTS_BEFORE.search(before) is not None   # « droit au chômage », « mes droits à la retraite »
    later = clause is not None and _FUTURE_AFTER.match(text, end, clause.end) is not None   # « ... le mois prochain »
    void = scope.past or scope.future or generic or rights or (check_time and not rule.event and later) or (
        bool(scoper.clauses) and _question(text, scoper, scope.clause))
    return _Cue(rule, start, end, scope.subject, negated, void, scope.clause, scope.now, occupation, scope.who)


def _of(cues: list[_Cue], subject: str) -> list[_Cue]:
    """The cues about `subject` (SELF or PARTNER; BOTH counts for each)."""
    return [c for c in cues if c.subject == subject or c.subject == BOTH]


def _drop_overridden(cues: list[_Cue]) -> list[_Cue]:
    """A « maintenant ... » clause with a live cue overrides the earlier clauses' cues."""
    now = [c.clause for c in cues if c.now and c.live]
    if not now:
        return cues
    first_now = min(now)
    return [c for c in cues if c.clause >= first_now or not c.live]


# --- housing ------------------------------------------------------------------------------------

# The coarse value of the `housing_status` entity for each finer value (knowledge/vocabulary.yml).
HOUSING_ENTITY_VALUE: dict[str, str] = dict(_HOUSING_ENTITY_VALUE)

_KIN = (r"(?:parents?|mere|pere|daron|darons|daronne|mama|maman|papa|famille|soeur|frere|soeurs|freres|"
        r"tante|oncle|cousin|cousine|cousins|ami|amie|amis|amies|pote|potes|copain|copine|copains|copines|"
        r"grand[- ]?mere|grand[- ]?pere|grands[- ]?parents|mamie|mamy|papi|papy|fils|fille|enfants?|"
        r"connaissance|connaissances|quelqu'un|gens|belle[- ]?mere|beau[- ]?pere|beaux[- ]?parents|"
        r"belle[- ]?soeur|beau[- ]?frere|collegue|voisin|voisine|ex|famille d'accueil|tata|tonton|"
        r"frangin|frangine|gamins|marraine|parrain|compatriote|cheri|cherie)")
_ROOM = r"(?:location|appartement|studio|chambre|logement|f1|t1|f2|t2|f3|t3|piaule|studette|deux pieces|2 pieces)"
# (value, pattern, priority: the lowest wins, flags), in the order they are looked for: a cue
# found first hides any later cue overlapping it.
_HOUSING_SPEC: list[tuple[str, str, int, dict]] = [
    ("sans_domicile",
     r"domiciliee?s? (?:au|a la|a l'|par le|par la|par l'|aupres d[eu]|dans une?) ?(?:ccas|cias|mairie|"
     r"association|asso|secours (?:populaire|catholique)|croix[- ]rouge|emmaus|restos? du coeur|armee du salut|"
     r"fondation|centre social|point d'accueil|accueil de jour)|domiciliation|adresse (?:administrative|postale)|"
     r"(?:une |mon |l')?adresse (?:au|a la|a l'|chez une?|par le|par la) (?:ccas|cias|mairie|association|asso|"
     r"secours|croix[- ]rouge|emmaus|restos|armee du salut|fondation|centre social)|"
     r"boite postale (?:au|a la) (?:ccas|mairie|association)", 1, {"event": True}),
    ("sans_domicile",
     r"sans domicile(?: fixe)?|sans abri|sans-abri|sans logement|sans toit|"
     r"sans hebergement|pas de (?:logement|toit|domicile|maison|appartement|hebergement)|"
     r"(?:n'ai|ai|a|avons) (?:pas|plus) de (?:logement|toit|domicile)|plus de (?:logement|toit)",
     1, {"denial": True}),
    ("sans_domicile",
     r"a la rue|dans la rue|sdf|s\.d\.f|"
     r"dans (?:ma|une|la|mon) (?:voiture|caisse|bagnole|camion|camionnette|tente|van|squat)|"
     r"(?:je )?(?:dors|dort|dormons|vis|vit|dormir) (?:dehors|dans la rue)|en squat|un squat|dans un squat|"
     r"squatte|hotel social|hebergement d'urgence|(?:le|au|du|appele le|appelle le) 115|hotel du 115|"
     r"a l'hotel|en hotel|a l'hotel social|mobil[- ]?home|camping|caravane|sous une tente|sous la tente|"
     r"expulsee?s?|a la porte", 1, {}),
    ("proprietaire", r"(?:je )?(?:ne )?(?:paie|paye|payons|paient) (?:pas|plus|aucun) (?:de )?loyer|"
                     r"pas de loyer(?: a payer)?|aucun loyer|plus de loyer|sans loyer", 30, {"denial": True}),
    ("foyer", r"foyer(?: de jeunes travailleurs| jeunes travailleurs| d'hebergement| logement| de vie)?|fjt|chrs|"
              r"residences? sociales?|residence social|resid sociale|centre d'hebergement|centre d hebergement|"
              r"pension de famille|maison relais|residence autonomie|ehpad|foyer adoma|adoma|coallia|aftam|"
              r"cada|huda|residence jeunes|maison de retraite|foyer-logement|foyer logement|"
              r"residence (?:habitat )?jeunes|logement accompagne|intermediation locative", 2, {}),
    ("locataire_meuble", r"(?<!bourse du )(?<!bourse de )(?<!bourse au )(?<!bourse )crous|residences? (?:universitaire|etudiante|u|du crous)|cite (?:u|universitaire)|"
                         r"chambre (?:u|universitaire|etudiante|du crous|au crous)|logement (?:crous|etudiant)",
     3, {"extra": (("crous", True),)}),
    ("logement_social", r"hlm|h\.l\.m|h l m|oph|opac|logement social|logements sociaux|logt social|"
                        r"bailleur social|bailleurs sociaux|office public|office hlm|habitat social|"
                        r"appartement social|appart social|logement aide|en social|logement conventionne|"
                        r"cite hlm|habitat 93|paris habitat|logirep|3f|vilogia|icf habitat|"
                        r"batigere|logiest|sa hlm|logement de la mairie|logement mairie|cdc habitat|"
                        r"erilia|logements? (?:social|sociale)|social housing", 4, {}),
    ("locataire", r"(?:non|pas|sans)[- ]meublee?s?|location vide|(?:logement|appartement|studio|maison) vide",
     5, {"denial": True}),
    ("locataire", r"(?:dans le|parc|secteur|du|le) prive|(?:proprio|proprietaire|bailleur) prive|"
                  r"location privee|loue (?:a|chez) un particulier", 8, {}),
    ("locataire_meuble", _ROOM + r" meublee?s?|(?:je |on )?loue (?:un |une )?" + _ROOM + r" meublee?s?|"
                         r"meublee?s?|en meuble|un meuble|location meublee|"
                         r"(?:une )?chambre chez (?:l'habitant|un particulier|une dame|un monsieur|des gens)|"
                         r"chez l'habitant|(?:une )?chambre (?:d'hotel|en hotel) (?:a l'annee|au mois)|"
                         r"hotel meuble|garni", 6, {}),
    ("accedant", r"proprietaire avec (?:un )?(?:credit|pret|emprunt)|proprio avec (?:un )?(?:credit|pret)|"
                 r"(?:je |on |nous )?rembourse(?:ons|z|nt)? (?:encore )?(?:un |mon |notre |le |la |ma |l'|les )?"
                 r"(?:credit|pret|emprunt|maison|appartement|mensualites)|credit (?:immo|immobilier|maison|"
                 r"de la maison|sur la maison|de l'appartement|pour la maison)|pret immo(?:bilier)?|"
                 r"emprunt (?:immo|immobilier|maison|pour la maison)|on paie (?:encore )?(?:la|le|notre) "
                 r"(?:maison|credit|appartement)|accedant|accession|en accession|pas fini de payer|"
                 r"encore (?:a|un) (?:credit|payer)|mensualites? (?:de|du) (?:credit|pret)|"
                 r"pret pour (?:la|ma|notre) maison|(?:j'ai|on a|nous avons) un (?:credit|pret)"
                 r"(?! (?:conso|consommation|auto|voiture|revolving|etudiant))|credit en cours|"
                 r"(?:credit|pret) sur \d+ ans|pret a taux zero|ptz|"
                 r"(?:je |on |nous )?(?:paye|paie|payons|payent) (?:encore |toujours )?(?:le|un|mon|notre|la|les) "
                 r"(?:credit|pret|emprunt|traites|mensualites)", 7, {}),
    ("locataire", r"locataire|locatair|locataires|je loue|on loue|nous louons|jloue|loue un|loue une|"
                  r"loue (?:mon|ma|notre|l')|en location|location|bail|agence immo(?:biliere)?|colocation|coloc|"
                  r"sous[- ]location|sous[- ]loue", 8, {}),
    # a rent or a landlord says the person pays rent, not what kind of home: « implied » (it does not
    # replace a kind said before, such as HLM)
    ("locataire", r"(?:mon|ma|le|la|notre) (?:proprio|proprietaire|bailleur)|je paie (?:un|mon|le) loyer|"
                  r"je paye (?:un|mon|le) loyer|on paie (?:un|le|notre) loyer|on paye (?:un|le|notre) loyer|"
                  r"j'ai un loyer|loyers?", 11, {"extra": (("implied", True),)}),
    ("proprietaire", r"proprietaire|proprio|proprietaires|propriete|proprietere|proprietaite|"
                     r"(?:ma|notre|la) maison est (?:a moi|a nous|payee|remboursee)|maison (?:payee|a moi|a nous)|"
                     r"(?:j'ai|on a|nous avons) (?:achete|acheter|une maison|ma maison|notre maison)|"
                     r"chez moi (?:c'est|c) a moi|c'est a moi|c'est ma maison|"
                     r"j'ai ma maison|on a notre maison|ma propre maison|a moi la maison|"
                     r"j'ai herite de (?:la|ma) maison|(?:fini|termine) de (?:payer|rembourser) (?:la|notre|ma|le|mon) "
                     r"(?:maison|appartement|credit|pret)|(?:credit|pret) (?:fini|termine|rembourse|solde)",
     9, {"person": True}),
    ("heberge", r"chez (?:mes|ma|mon|un|une|des|les|la|le|l'|ma grand|mon grand|notre|nos|moi chez) ?" + _KIN +
                r"|chez quelqu'un|hebergee?s?(?! a| au| dans un| en)|heberger|je suis heberge|"
                r"herbergee?|hebergement gratuit|(?:loge|logee|heberge|hebergee|vis|vit|habite|dors) gratuitement|"
                r"gratuitement chez|a titre gratuit|logee? par|on m'heberge|on me loge|je squatte chez|"
                r"je dors chez|je vis chez|j'habite chez|habite chez|vis chez|vit chez|chez eux|chez elle|"
                r"chez lui|sur le canape|canape|logee? chez", 10, {}),
]
_HOUSING_RULES: list[_Rule] = [_rule(value, pattern, priority, **flags)
                               for value, pattern, priority, flags in _HOUSING_SPEC]
# first-rule-wins view kept for callers that read the rules (one pattern per value, by priority)
HOUSING_RULES = [(r.value, r.pattern) for r in sorted(_HOUSING_RULES, key=lambda r: r.rank)]

_HOUSING_VOID = re.compile(_B + r"(?:cherche|recherche|demande|demander|attente|attends|dossier|voudrais|veux|"
                           r"aimerais|souhaite|besoin|trouver|obtenir|avoir un|inscrite? pour)" + _E)
_LIVING_CUE = re.compile(r"\b(?:vis|vit|vivons|vivent|vivre|habite|habitons|habitent|loge|logee?|dors|dort|"
                         r"suis|sommes|reste|restons|heberge|hebergee?|installee?|log[eé]|domicile|"
                         r"celibataire|eleve|j'eleve)\b|\bseule?s? (?:avec|sans)\b")


def _short_or_living(nt: NormText, max_words: int = 4) -> bool:
    """A bare answer (« chez ma mère », « seule ») or a sentence about where/how one lives."""
    return len(nt.text.split()) <= max_words or bool(_LIVING_CUE.search(nt.text))


_LANDLORD = re.compile(r"proprio|proprietaire|bailleur|hebergeur|agence")


_WORKPLACE = re.compile(_B + r"(?:travaille|bosse|taffe|taf|job|boulot|poste|cdi|cdd|interim|mission|stage|"
                        r"embauchee?|salariee?|employee?)" + _E)


def _housing_cues(nt: NormText, scoper: Scoper) -> list[_Cue]:
    text = nt.text
    out = []
    for cue in _cues(_HOUSING_RULES, nt, scoper):
        if cue.subject == OTHER and not (cue.who and _LANDLORD.search(text, *cue.who)):
            continue  # « mon fils est locataire », but « mon bailleur c'est Vilogia »
        if cue.value == "heberge" and text[cue.start:cue.end].startswith("chez") and not _short_or_living(nt):
            continue  # « un contrôleur est venu chez ma soeur »
        clause = scoper.clauses[cue.clause]
        if _HOUSING_VOID.search(text, clause.start, cue.start):
            continue  # « je cherche un logement social », « en attente d'un HLM »
        if cue.value not in ("sans_domicile", "heberge") and (
                _WORKPLACE.search(text, clause.start, clause.end)
                or any(clause.start <= m.start < clause.end for m in find_occupations(text[:clause.end]))):
            continue  # a workplace: « aide-soignante en EHPAD », « je bosse au Crous »
        out.append(cue)
    return out


def housing_mentions(nt: NormText) -> list[Mention]:
    """How the household is housed: at most one Mention "housing_status" with extra "detail" (the
    finer value) and "crous" for a Crous residence; [] when nothing (undenied) is said."""
    cues = [c for c in _drop_overridden(_housing_cues(nt, Scoper(nt.text))) if c.live]
    if not cues:
        return []
    best = min(cues, key=lambda c: (c.rule.rank, c.start))
    detail = best.value
    extra = {"detail": detail, **dict(best.rule.extra)}
    return [Mention("housing_status", HOUSING_ENTITY_VALUE.get(detail, detail), best.start, best.end, extra)]


def housing_mention(nt: NormText) -> tuple[str, int, int] | None:
    """(fine value, start, end) of the housing said, or None."""
    found = housing_mentions(nt)
    return (found[0].extra["detail"], found[0].start, found[0].end) if found else None


def parse_housing_status(text: str) -> str | None:
    """locataire, locataire_meuble, logement_social, proprietaire, accedant, heberge,
    sans_domicile or foyer; None when the text says nothing about housing."""
    found = housing_mention(normalise_with_offsets(text))
    return found[0] if found else None


# --- couple or alone ----------------------------------------------------------------------------

RELATIONSHIP_RULES = _rules([
    ("seul", r"pas en couple|plus en couple|pas mariee?s?|plus mariee?s?|celibataire|celib|celibat|"
             r"(?<!un )(?<!une )(?<!le )(?<!la )(?<!les )(?<!qu'un )(?<!qu'une )seule?s?"
             r"(?! enfant| fils| fille| gosse| revenu| salaire| bebe| garcon| a charge)|tout seul|toute seule|solo|seulement moi|juste moi|que moi|moi seule?|"
             r"divorcee?|separee?|veuve?|veuf|en instance de divorce|sans conjoint|sans compagnon|"
             r"sans compagne|personne d'autre|mere celibataire|pere celibataire|maman solo|papa solo|"
             r"parent isole|famille monoparentale|je vis seule?|j'habite seule?|isolee?"),
    ("couple", r"en couple|couple|mariee?s?|pac+see?s?|pacs|concubin|concubine|concubinage|"
               r"union libre|vie maritale|avec (?:mon|ma) (?:mari|femme|epouse|epoux|conjoint|conjointe|"
               r"compagnon|compagne|copain|copine|chéri|cheri|cherie|homme|meuf|mec|partenaire|ami|amie)|"
               r"(?:mon|ma) (?:mari|femme|epouse|epoux|conjoint|conjointe|compagnon|compagne|concubin|"
               r"concubine|chere et tendre|moitie)|on est deux|nous sommes deux|on vit a deux|"
               r"vit a deux|on vit ensemble|vivons ensemble|vivent ensemble|ensemble depuis|mon copain et moi|ma copine et moi|mon mari et moi|"
               r"ma femme et moi|moi et (?:mon|ma) (?:mari|femme|copain|copine|compagnon|compagne)"),
])


def relationship_mention(nt: NormText) -> tuple[str, int, int] | None:
    text = nt.text
    # « seul avec mes enfants », « je vis seule » but « on est deux »: the first rule to match wins,
    # except that a partner living in the home beats « seul » in « je suis seule avec mon mari »
    found = _first(RELATIONSHIP_RULES, nt)
    if found and re.fullmatch(r"pas mariee?s?", text[found[1]:found[2]]):
        # « on est pas mariés mais on vit ensemble »: a couple in free union
        together = [c for c in _all([r for r in RELATIONSHIP_RULES if r[0] == "couple"], nt)
                    if c[2] <= found[1] or c[1] >= found[2]]
        if together:
            return together[0]
    if found and found[0] == "seul" and re.fullmatch(
            r"(?:tout |toute )?seule?s?|que moi|juste moi|seulement moi|moi seule?", text[found[1]:found[2]]) \
            and not _short_or_living(nt):
        return None  # « je me débrouille toute seule », « ça répond tout seul ? »
    if found and found[0] == "couple" and text[found[1]:found[2]] == "marie" and re.search(
            r"(?:appelle|appele|prenom|nom|nommee?|c'est)\s*:?\s*$", text[:found[1]]):
        return None  # « je m'appelle Marie »
    if found and found[0] == "seul":
        couple = _first([r for r in RELATIONSHIP_RULES if r[0] == "couple"], nt)
        if couple and re.search(r"avec (?:mon|ma) (?:mari|femme|conjoint|conjointe|compagnon|compagne)",
                                text) and not re.search(r"separee?|divorcee?|veuve?|veuf|pas|plus", text):
            return couple
        # « mon mari est décédé » / « mon ex-mari »: alone
    if found and found[0] == "couple":
        if re.search(r"m'a quittee?\b|(?:est|sont) partie?s?\b|(?:mon|ma) ex\b|ex[- ](?:mari|femme|compagnon|compagne)|(?:mari|femme|conjoint|"
                     r"compagnon|compagne) (?:est )?(?:decede|decedee|mort|morte|parti|partie)", text):
            return "seul", found[1], found[2]
    return found


def parse_relationship(text: str) -> str | None:
    """"seul" or "couple" (married, pacsé, living together), None when not said."""
    found = relationship_mention(normalise_with_offsets(text))
    return found[0] if found else None



_COUPLE_TYPES = [(value, re.compile(_B + "(?:" + pattern + ")" + _E)) for value, pattern in [
    ("union_libre", r"union libre|concubinage|concubine?s?|vie maritale|en menage|"
                    r"(?:sans etre|pas|non|ni|jamais) mariee?s?|(?:vivre|vit|vivons|on vit) ensemble sans|"
                    r"ni l'un ni l'autre|aucun des deux|ni l'une ni l'autre|ni mariee?s? ni pac+see?s?|"
                    r"juste ensemble|on vit juste ensemble"),
    ("pacse", r"(?<!pas )(?<!non )(?<!ni )(?<!plus )(?:pac+see?s?|pacs|pac+se|pacser|pax[ée]s?)"),
    ("marie", r"(?<!pas )(?<!non )(?<!sans etre )(?<!ni )(?<!plus )(?<!jamais )(?:mariee?s?|marie|epoux|epouse|"
              r"mariage|mon mari et moi sommes maries)"),
]]


def relationship_mentions(nt: NormText) -> list[Mention]:
    """Alone or in a couple: one Mention "relationship" (seul/couple) with extra "couple_type"
    (marie, pacse, union_libre) when the kind of couple is said; a Mention "couple_type" when only
    the kind is said; [] when nothing is said."""
    found = relationship_mention(nt)
    if not found:
        # « ni l'un ni l'autre » answering « mariés, pacsés ? »: the kind of couple alone
        for couple_type, pattern in _COUPLE_TYPES:
            match = pattern.search(nt.text)
            if match:
                return [Mention("couple_type", couple_type, match.start(), match.end())]
        return []
    value, start, end = found
    extra = {}
    if value == "couple":
        for couple_type, pattern in _COUPLE_TYPES:
            if pattern.search(nt.text):
                extra["couple_type"] = couple_type
                break
    return [Mention("relationship", value, start, end, extra)]
# --- activity -----------------------------------------------------------------------------------

_WORK = r"(?:travail|boulot|taf|taff|job|emploi|poste|cdi|cdd|contrat|mission|missions|interim|alternance)"
_R_RETRAITE, _R_STOPPED, _R_APPRENTICE, _R_ETUDIANT, _R_CHOMEUR = 90, 80, 75, 70, 60
_R_INDEPENDANT, _R_SALARIE, _R_INACTIF, _R_CHOMEUR_LACK, _R_INACTIF_WEAK = 50, 40, 30, 25, 20

ACTIVITY_CUES: list[_Rule] = [
    # said of a worker: no activity of its own (the words inside are not read either)
    _rule(None, r"travailleu(?:r|se)s? handicapee?s?|rqth|reconnaissance (?:de la qualite de )?travailleur handicape|"
                r"(?:rend|rendre|rends) malade|(?:peur|risque|crainte) de (?:perdre|me retrouver)[a-z ]*"),
    _rule("independant", r"non[- ]salariee?s?|travailleu(?:r|se)s? non salariee?s?|tns", _R_INDEPENDANT),
    # a lack of work or an event that left the person without it
    _rule("chomeur", r"(?<!cherche )(?<!cherche pas )(?:pas|plus|aucun) (?:de |d')?(?:travail|boulot|taf|taff|job|emploi)|"
                     r"sans (?:emploi|travail|boulot|taf|taff|job|activite professionnelle)|"
                     r"perdu (?:mon|ma|son|sa|le|notre) "
                     r"(?:travail|boulot|taf|taff|job|emploi|poste|cdi|contrat|place)|(?:viens|vient) de perdre "
                     r"(?:mon|ma|son|sa|le) (?:travail|boulot|taf|taff|job|emploi|poste|cdi|contrat)|"
                     r"(?:entreprise|boite|usine|magasin|societe) a ferme|liquidation|depot de bilan|plan social|"
                     r"licenciee?s?|licenciement|viree?s?|fin de (?:mon |son )?(?:contrat|cdd|mission|interim)|"
                     r"rupture conventionnelle|entre deux (?:boulots|jobs|contrats|missions)|"
                     r"trouve (?:pas|rien|aucun) (?:de |d')?(?:travail|boulot|taf|job|emploi)|trouve rien(?= *(?:$|[,.;!?]))",
          _R_CHOMEUR_LACK, denial=True, event=True),
    # looking for work
    _rule("chomeur", r"(?:re)?(?:cherche|cherhe|cheche|chreche|cherch|cherce)(?:s|nt)? (?:activement |toujours |encore |serieusement )?"
                     r"(?:du |un |une |de |d'|des )" + _WORK + r"|en recherche(?: active)?(?: d'emploi| de travail| de boulot)?|"
                     r"recherche d'emploi|(?:(?<=je )|(?<=on )|(?<=il )|(?<=elle ))cherche(?= *(?:$|[,.;!?]| et | mais | depuis | toujours"
                     r"| encore| activement))|(?:je veux|je voudrais|j'aimerais|je souhaite|je souhaiterais|"
                     r"j'ai besoin de) (?:travailler|bosser|retravailler|trouver (?:du|un) (?:travail|boulot|emploi|job)|"
                     r"un (?:travail|boulot|emploi|job)|du (?:travail|boulot))", _R_CHOMEUR, event=True),
    _rule("salarie", r"chomage (?:technique|partiel)|activite partielle", _R_SALARIE),
    _rule("chomeur", r"chomeur|chomeuse|chomeurs|chomeuses|demandeu(?:r|se)s? d'emploi", _R_CHOMEUR, person=True),
    _rule("chomeur", r"chomage|pole emploi|france travail|inscrite?s? (?:a|au|chez) (?:pole emploi|france travail|pole|france)|"
                     r"allocation chomage|are|ass|allocation de retour a l'emploi|indemnites chomage", _R_CHOMEUR),
    _rule("retraite", r"(?<!maison de )(?<!caisse de )(?<!caisses de )(?<!age de )(?<!depart a )(?<!partir a )"
                      r"(?<!droits a )(?<!droit a )(?<!dossier de )(?<!demande de )(?<!points de )"
                      r"(?:retraitee?s?|a la retraite|en retraite|pensionnee?s?|pension de (?:retraite|vieillesse)|"
                      r"(?:ma|sa|notre) retraite|je touche (?:la|ma) retraite|pre[- ]?retraite|retraite)"
                      r"(?! complementaire| anticipee dans| progressive dans)", _R_RETRAITE, person=True),
    _rule("salarie", r"apprentie?s?|en apprentissage|apprentissage|alternance|alternante?s?|en alternance|"
                     r"contrat (?:pro|de professionnalisation|d'apprentissage)", _R_APPRENTICE),
    _rule("etudiant", r"etudiante?s?|j'etudie|etudie|(?:des|mes|ses|en|les|d') etudes|a la fac|en fac|la fac|"
                      r"universite|univ|en bts|en licence|en master|en l1|en l2|en l3|en m1|en m2|en iut|"
                      r"en dut|en but|en prepa|en these|doctorante?s?|en ecole (?:d'|de )?"
                      r"(?:infirmiere|commerce|ingenieur|art|design)|lyceen|lyceenne|au lycee|en terminale|"
                      r"en formation|stagiaire de la formation|en cap|en bac pro|boursiere?s?", _R_ETUDIANT,
          person=True),
    _rule("independant", r"independante?s?|auto[- ]?entrepreneu(?:r|re|se)s?|autoentrepreneu(?:r|re|se)s?|auto[- ]?entreprises?|"
                         r"auto entrepreneu(?:r|re|se)|micro[- ]?entreprises?|micro[- ]?entrepreneu(?:r|re|se)s?|"
                         r"freelance|free[- ]lance|a (?:mon|son|notre|leur) (?:propre )?compte|"
                         r"(?:ma|sa|notre) propre (?:boite|entreprise|societe|affaire)|"
                         r"(?:ai|a|avons|avez|ont) (?:ma|sa|une|mon|son|un|notre) "
                         r"(?:boite|entreprise|societe|commerce|restaurant|resto|snack|boutique|magasin|salon|"
                         r"food truck|epicerie|exploitation)|"
                         r"profession liberale|en liberal|liberale?s?|ai cree (?:ma|mon|une) "
                         r"(?:boite|entreprise|societe|activite)|vtc|uber(?: eats)?|deliveroo|stuart|"
                         r"livreu(?:r|se) (?:a velo|a scooter|uber|deliveroo|independante?|auto[- ]?entrepreneur)|"
                         r"entreprise individuelle|eurl|sasu|siret|mon propre patron|ma propre patronne|"
                         r"travailleu(?:r|se) independante?|travaille pour moi|vends (?:sur|en ligne|au marche|"
                         r"sur les marches)|fais les marches|statut (?:d')?(?:auto|micro)", _R_INDEPENDANT),
    # not working because of an illness or a disability
    _rule("inactif", r"(?:en )?arret (?:de travail|maladie)|en arret|arret longue maladie|(?:en )?longue maladie|"
                     r"en maladie|accident du travail|en accident de travail",
          _R_STOPPED, reason="maladie"),
    _rule("inactif", r"en invalidite|pension d'invalidite|invalidite (?:categorie|cat|1|2|3)|inapte|inaptitude|"
                     r"reconnue? inapte", _R_STOPPED, reason="handicap"),
    # working: contracts, verbs, nouns
    _rule("salarie", r"(?:fais|fait|faisons|font) (?:des|du|les) menages?|des menages|menages chez",
          _R_SALARIE, occupation="ménages"),
    _rule("salarie", r"(?:travaille|travaillons|travaillent|bosse|bossons|bossent|"
                     r"taffe|taf)", _R_SALARIE, verb=True),
    _rule("salarie", r"salariee?s?|interimaire|ouvriere?s?|employee?s?|fonctionnaire|contractuelle?|saisonniere?s?|"
                     r"intermittente?s?(?: du spectacle)?|vacataire", _R_SALARIE, person=True),
    _rule("salarie", r"boulot|job|petits? boulots?|petits? jobs?|cdi|cdd|interim|en interim|"
                     r"temps partiel|mi[- ]temps|plein temps|temps plein|a temps partiel|au smic|"
                     r"a l'usine|sur les chantiers|contrat aide|pec|cui|"
                     r"parcours emploi competences?|service civique|ai un (?:emploi|travail|boulot|job|contrat|"
                     r"poste)|en poste|cesu|cheque emploi service|emploi (?:aide|d'avenir)|"
                     r"stage remunere|agence d'interim|(?:mon|son|notre) (?:patron|employeur|entreprise)",
          _R_SALARIE),
    _rule("inactif", r"(?:peux|peut|pouvons|peuvent|pourrai|pourrais) (?:pas|plus|jamais) (?:travailler|bosser|"
                     r"reprendre|retravailler)|incapable de travailler|inapte au travail", _R_INACTIF, denial=True),
    _rule("inactif", r"^(?:rien|rien du tout|nada|que dalle)(?= *[.!]* *$)|"
                     r"(?:mere|pere|femme|homme|maman|papa|parent|reste|suis|est) au foyer|sans activite|"
                     r"inactive?s?|(?:fais|(?<=il )fait|(?<=elle )fait|(?<=lui )fait) "
                     r"(?:rien|plus rien|pas grand chose|plus grand chose)|reste a la maison|(?:m'occupe|s'occupe) (?:de mes|des|de mon|"
                     r"de ma|de nos|de ses) (?:enfants|gosses|petits|bebe|fils|fille|mere|pere|mari|parents)|"
                     r"conge parental|aidante?s? familiale?s?|(?<=suis )aidante?|sans profession|benevole|au rsa|rsaste|"
                     r"(?:touche|ai|suis au) (?:le )?rsa", _R_INACTIF),
    # a disability or an illness named, without saying that it stops work
    _rule("inactif", r"(?:a cause|en raison|du fait|a la suite|suite) (?:de |d'|du )(?:mon |ma |mes |son |sa |ses |"
                     r"leur |l'|la |le |un |une )?(?:handicap|invalidite|infirmite|accident)",
          _R_INACTIF_WEAK, reason="handicap", denial=True),
    _rule("inactif", r"(?:a cause|en raison|du fait|a la suite|suite) (?:de |d'|du )(?:mon |ma |mes |son |sa |ses |"
                     r"leur |l'|la |le |un |une )?(?:maladie|sante|etat de sante|dos|cancer|depression|burn[- ]?out|"
                     r"operation)",
          _R_INACTIF_WEAK, reason="maladie", denial=True),
    _rule("inactif", r"(?:a cause|en raison|du fait) (?:de |des |du |d')(?:mes |mon |ma |les |la |ma )?"
                     r"(?:enfants?|gosses?|bebe|petits|grossesse)|pour (?:garder|elever|m'occuper de) (?:mes|les|mon|ma) "
                     r"(?:enfants?|gosses|bebe|petits|fils|fille)", _R_INACTIF, denial=True),
    _rule("inactif", r"handicapee?s?|"
                     r"en situation de handicap|(?:touche|ai|a|percoi[st]|au|sous|beneficiaire de) (?:l')?aah|a l'aah",
          _R_INACTIF_WEAK, reason="handicap"),
    _rule("inactif", r"malade|(?<!assurance )(?<!caisse )(?<!arret )maladie|cancer|chimio|depression|"
                     r"burn[- ]?out",
          _R_INACTIF_WEAK, reason="maladie"),
]

_TRADE_PREDICATE = re.compile(
    r"(?:^|\s)(?:je suis|suis|sommes|on est|est|sont|c'est|etre|travaille|travaillent|travaillons|bosse|bossent|"
    r"bossons|taffe|taf|fais|fait|font|embauchee?s?|engagee?s?|recrutee?s?|titulaire|metier|profession|poste|"
    r"emploi|boulot|job|travail|activite|moi|lui|elle)"
    r"(?:\s*(?:comme|en tant que|en tant qu'|de|d'|:|-|un|une|en cdi|en cdd|en interim|interimaire|salariee?|"
    r"a mi-temps|a temps partiel|a temps plein|actuellement|toujours|aussi|egalement|maintenant|depuis \w+|"
    r"la|moi|perso))*\s*$")
_NEEDS_SUBJECT = re.compile(r"(?:^|\s)(?:est|sont|c'est|etre)(?:\s*(?:un|une|comme|:|-))*\s*$")
_JOB_NOUN = re.compile(_B + r"(?:metier|travail|boulot|job|poste|profession|activite)" + _E)
_TRADE_FILLERS = re.compile(r"(?:(?:euh|heu|ben|bah|bon|alors|moi|oui|ouais|non|ok|et|donc|sinon|en fait|actuellement|"
                            r"maintenant|aujourd'hui|pour l'instant|pour le moment|je suis|perso)(?:\s*[,.:-])?\s*)*")
_TRADE_NOT_HELD = re.compile(_B + r"(?:cherche|recherche|formation|diplomee?|diplome|cap|bep|bac|bts|etudes|"
                             r"ecole|stage|concours|devenir|veux|voudrais|aimerais|reconversion|pour etre|"
                             r"ancienne?|ex|avant|j'etais|etait)" + _E)
_TRADE_AS_SUBJECT = re.compile(r"\s*(?:m'|me |nous |t'|l'|la |le |lui |leur |y |ne |n')?(?:ont|est|sont|vient|"
                               r"viennent|passe|passent|dit|aide|s'occupe|fait|font|arrive|doit|va|vont|"
                               r"a (?:dit|fait|appele|ete|pris|demande|vu|donne|perdu|besoin|droit|pas|plus|rien|un|"
                               r"une|des|mon|ma|mes|trouve|envoye|ecrit))" + _E)


_NEVER = re.compile(r"(?!)")


def _trade_cues(nt: NormText, scoper: Scoper, taken: list[tuple[int, int]]) -> list[_Cue]:
    """Job titles said of a person (see the module doc): salarie or independant cues."""
    text = nt.text
    cues = []
    for match in find_occupations(text):
        start, end = match.start, match.end
        if any(not (end <= s or start >= e) for s, e in taken):
            continue
        index = negation.clause_of(scoper.clauses, start) if scoper.clauses else 0
        clause = scoper.clauses[index] if scoper.clauses else negation.Clause(0, len(text), False)
        before = text[clause.start:start]
        if _TRADE_NOT_HELD.search(before):
            continue
        ends_person = any(p.end == len(before.rstrip()) + clause.start for p in scoper.persons
                          if clause.start <= p.start < start)
        predicate = _TRADE_PREDICATE.search(before)
        if predicate and _NEEDS_SUBJECT.search(before) and not (
                any(clause.start <= p.start < start for p in scoper.persons) or _JOB_NOUN.search(before)):
            predicate = None
        bare = _TRADE_FILLERS.fullmatch(before) is not None and not _TRADE_AS_SUBJECT.match(text, end, clause.end)
        if not (predicate or bare or ends_person):
            continue
        value = match.occupation.status
        rank = _R_INDEPENDANT if value == "independant" else _R_SALARIE
        rule = _Rule(value, _NEVER, rank)
        cues.append(_scoped(rule, start, end, text, scoper, occupation=match.occupation.label))
    return cues


def _activity_cues(nt: NormText, scoper: Scoper) -> list[_Cue]:
    cues = _cues(ACTIVITY_CUES, nt, scoper)
    # a job title inside a cue already read (« employée de libre-service » is one title)
    occupation_cues = _trade_cues(nt, scoper, [])
    taken = [(c.start, c.end) for c in occupation_cues]
    cues = [c for c in cues if c.rule.reason or not any(s <= c.start and c.end <= e for s, e in taken)]
    return sorted(_drop_overridden(cues + occupation_cues), key=lambda c: c.start)


def _same_as(scoper: Scoper, cues: list[_Cue]) -> list[_Cue]:
    """« moi aussi », « mon mari pareil », « lui non plus »: the other person's cues of the clause
    before, for the person named."""
    text = scoper.text
    extra: list[_Cue] = []
    for index, clause in enumerate(scoper.clauses):
        words = text[clause.start:clause.end]
        match = re.fullmatch(r"(?:et |pareil pour |idem pour |de meme pour )?(.+?)\s*(aussi|pareil|egalement|idem|"
                             r"de meme|non plus|pas non plus|itou)?", words)
        if not match or not match.group(2) and not words.startswith(("pareil pour", "idem pour", "de meme pour")):
            continue
        people = [p for p in scoper.persons if clause.start <= p.start < clause.end]
        if len(people) != 1 or people[0].kind not in (SELF, PARTNER):
            continue
        who = people[0].kind
        earlier = [c for c in cues if c.clause == index - 1 and c.subject not in (who, OTHER, BOTH)]
        denied = match.group(2) in ("non plus", "pas non plus")
        for cue in earlier:
            if denied and not cue.negated:
                continue
            extra.append(_Cue(cue.rule, cue.start, cue.end, who, cue.negated, cue.void, index, cue.now,
                              cue.occupation))
    return extra


def _decide_activity(cues: list[_Cue], entity: str, short: bool) -> Mention | None:
    cues = [c for c in cues if c.value is not None]
    live = [c for c in cues if c.live]
    denied_work = [c for c in cues if c.negated and not c.void and c.value in ("salarie", "independant")]
    if not short and not denied_work and all(c.rule.rank == _R_INACTIF_WEAK for c in live):
        live = []   # « je suis malade, je pourrai pas venir »: an illness named, not an activity
    if any(c.value == "independant" for c in live):
        # « formatrice à mon compte »: the trade is held as a self-employed person
        live = [c for c in live if not (c.occupation and c.value == "salarie")] + [
            _Cue(_Rule("independant", c.rule.pattern, _R_INDEPENDANT), c.start, c.end, c.subject, c.negated,
                 c.void, c.clause, c.now, c.occupation)
            for c in live if c.occupation and c.value == "salarie"]
    if live:
        best = max(live, key=lambda c: (c.rule.rank, -c.start))
        extra: dict = {}
        if best.value == "inactif":
            reasons = sorted((c for c in live if c.rule.reason), key=lambda c: -c.rule.rank)
            if reasons:
                extra["reason"] = reasons[0].rule.reason
        occupation = next((c.occupation or c.rule.occupation for c in live if c.occupation or c.rule.occupation),
                          None)
        if occupation:
            extra["occupation"] = occupation
        also = []
        for cue in sorted(live, key=lambda c: -c.rule.rank):
            if cue.value not in (best.value, "inactif") and cue.value not in also:
                also.append(cue.value)
        if also:
            extra["also"] = also
        return Mention(entity, best.value, best.start, best.end, extra)
    if denied_work:
        # « je bosse pas », « je travaille pas et je vais plus à la fac »: not working, not looking
        first = denied_work[0]
        return Mention(entity, "inactif", first.start, first.end, {})
    return None


def activity_mentions(nt: NormText) -> list[Mention]:
    """The speaker's activity (entity "activity") and the partner's ("partner_activity"), each with
    extra "occupation", "reason" and "also" when known (see the module doc)."""
    scoper = Scoper(nt.text)
    cues = _activity_cues(nt, scoper)
    cues = cues + _same_as(scoper, cues)
    out = []
    short = len(nt.text.split()) <= 6
    for subject, entity in ((SELF, "activity"), (PARTNER, "partner_activity")):
        found = _decide_activity(_of(cues, subject), entity, short)
        if found:
            out.append(found)
    return out


def activity_mention(nt: NormText) -> tuple[str, int, int] | None:
    """(value, start, end) of the speaker's activity, or None."""
    for mention in activity_mentions(nt):
        if mention.entity == "activity":
            return mention.value, mention.start, mention.end
    return None


def parse_activity(text: str) -> str | None:
    """salarie, independant, chomeur, etudiant, retraite or inactif (the speaker's); None when not said."""
    found = activity_mention(normalise_with_offsets(text))
    return found[0] if found else None


# --- yes / no / don't know ----------------------------------------------------------------------

_YES = re.compile(
    _B + r"(?:oui|ouais|ouai|ouaip|ouep|ouee?|wai|wesh oui|yes|yep|yeah|ok|okay|oki|okey|"
    r"d'accord|bien sur|bien sure|biensur|carrement|exact|exactement|c'est ca|c'est bon|"
    r"volontiers|vas[- ]y|allez[- ]y|allons[- ]y|go|let's go|evidemment|absolument|tout a fait|"
    r"ca marche|ca me va|je veux bien|pourquoi pas|parfait|super|nickel|entendu|affirmatif|"
    r"c'est d'accord|je suis d'accord|avec plaisir|bien entendu|certainement|oue|en effet|"
    r"c'est exact|c'est juste|c'est vrai|bah oui|ben oui|et oui|eh oui|oui oui)" + _E)
_NO = re.compile(
    _B + r"(?:non|nan|nn|no|nope|nop|non merci|pas du tout|jamais|pas vraiment|pas maintenant|"
    r"surtout pas|aucunement|negatif|absolument pas|certainement pas|pas question|hors de question|"
    r"pas d'accord|je veux pas|je ne veux pas|pas interesse|pas interessee|ca m'interesse pas|"
    r"laisse tomber|laissez tomber|bof|pas trop|pas specialement|niet|que non|"
    r"pas envie|faux|c'est faux|pas du tout|non non)" + _E)


_WHOLE_YES = {"o", "y", "si", "1", "oui", "ui", "ok", "yes", "si si", "ouais", "1 oui", "oui 1"}
_WHOLE_NO = {"n", "2", "non", "no", "2 non", "non 2"}


def parse_yes_no(text: str) -> bool | None:
    """True for oui/ouais/ok/d'acc/yes/1..., False for non/nan/pas du tout/2...; None otherwise
    or when both are said without one leading (« oui et non »).

    The menu digits « 1 » (yes) and « 2 » (no) of the SMS channel count only as a whole message."""
    norm = normalise_with_offsets(text).text
    norm = re.sub(r"[^a-z0-9' -]", " ", norm)
    norm = " ".join(norm.split())
    if not norm:
        return None
    if norm in _WHOLE_YES:
        return True
    if norm in _WHOLE_NO:
        return False
    words = re.sub(r"\d+", " ", norm)
    yes = [m for m in _YES.finditer(words)]
    no = [m for m in _NO.finditer(words)]
    # « pas d'accord » contains « d'accord »: a yes inside a no does not count
    yes = [y for y in yes if not any(n.start() <= y.start() and y.end() <= n.end() for n in no)]
    no = [n for n in no if not any(y.start() <= n.start() and n.end() <= y.end() for y in yes)]
    # « ok », « c'est bon », « ça marche » followed by a negation: « c'est pas bon »
    if re.search(r"\b(?:pas|plus) (?:bon|ok|d'accord)\b|\bmarche pas\b|\bme va pas\b", words):
        return False
    if re.search(r"\b(?:je sais pas|je sais plus|peut[- ]etre|p'?t'?etre|ptet|ptetre)\b", words):
        if not (yes and yes[0].start() == 0) and not (no and no[0].start() == 0):
            return None
    if yes and no:
        if re.search(r"\b(?:oui|ouais) (?:et|ou) (?:non|nan)\b|\b(?:non|nan) (?:et|ou) (?:oui|ouais)\b", words):
            return None
        first_yes, first_no = yes[0].start(), no[0].start()
        if first_yes == 0 and re.match(r"(?:ok|bon|bah|ben|euh)\b", words) is None:
            return True
        if first_no == 0:
            return False
        if re.match(r"(?:ok|bon|bah|ben|euh)[ ,]+non\b", words):
            return False
        return None
    if yes:
        return True
    if no:
        return False
    return None


_DONT_KNOW = re.compile(
    _B + r"(?:je (?:ne )?sais (?:pas|plus|po|pa|pu|rien|trop pas)|j'(?:en )?sais (?:pas|rien|plus)|"
    r"je n'en sais rien|j'en sais rien|sais pas|sais plus|sait pas|aucune idee|aucun idee|pas d'idee|"
    r"aucune idees|j'ai aucune idee|je n'ai aucune idee|j'ai pas d'idee|je me souviens (?:pas|plus)|"
    r"je me rappelle (?:pas|plus)|je m'en souviens (?:pas|plus)|je m'en rappelle (?:pas|plus)|"
    r"me souviens plus|me rappelle plus|j'ai oublie|je (?:ne )?connais pas|connais pas|"
    r"je (?:ne )?suis pas (?:sure?|certaine?)|pas certaine?|bonne question|mystere|"
    r"dunno|idk|no idea|nsp|ne sais pas|je vois pas|je ne vois pas|je peux pas (?:dire|savoir)|"
    r"impossible a dire|je saurais pas (?:dire)?|je ne saurais (?:pas )?(?:le )?dire|"
    r"je sais pas trop|pas la moindre idee|je sais meme pas|j'ai pas (?:l'info|les papiers|la somme|"
    r"le montant)|je ne l'ai pas en tete|je l'ai pas en tete|pas en tete|chais pas|je sais plu)" + _E)
_DONT_KNOW_NOT = re.compile(r"\b(?:je )?(?:ne )?sais pas (?:si|comment|faire|remplir|lire|ecrire|utiliser|"
                            r"a qui|ou aller|quoi faire|par ou|trop comment)\b")


def is_dont_know(text: str) -> bool:
    """« jsp », « je sais pas », « je sais plus », « aucune idée », « chais pas », « ? » → True.

    « je sais pas si j'ai le droit » / « je sais pas comment faire » are doubts, not a missing
    answer: False."""
    norm = normalise_with_offsets(text).text.strip()
    if re.fullmatch(r"[?\s.!]+", norm) and "?" in norm:
        return True
    if not _DONT_KNOW.search(norm):
        return False
    return not _DONT_KNOW_NOT.search(norm)


# --- benefits -----------------------------------------------------------------------------------

BENEFIT_RULES = _rules([
    ("complementaire_sante_solidaire",
     r"c2s|c 2 s|complementaire sante solidaire|complementaire sante|complementaire solidaire|"
     r"complementaire sante gratuite|cmu|cmu[- ]?c|cmuc|cmu complementaire|css|acs|mutuelle gratuite|"
     r"mutuelle solidaire|mutuelle pas chere|mutuelle de la secu|mutuelle caf|aide a la mutuelle|"
     r"aide pour la mutuelle|aide mutuelle|complementaire gratuite"),
    ("prime_activite", r"prime (?:d'|d |de l'|de |a l'|pour l')?activite|prime d'activiter|prime dactivite|"
                       r"prime activiter|prim d'activite|prim activite|prime activite|ppa|"
                       r"prime pour l'emploi|ppe|prime d activite|primes? d'activite"),
    ("aspa", r"aspa|minimum vieillesse|minimum veillesse|allocation de solidarite aux personnes agees|"
             r"allocation solidarite personnes agees|minimum retraite|minimum de vieillesse|"
             r"minimum vieux|minimum viellesse"),
    ("aah", r"aah|a a h|allocation (?:aux |pour )?(?:adultes? |les adultes )?handicapes?|"
            r"allocation adulte handicape|allocation handicap|alloc handicap|pension handicap|"
            r"allocation aux adultes handicapes|allocs? handicap|l'aah"),
    ("allocation_soutien_familial", r"asf|allocation de soutien familial|allocation soutien familial|"
                                    r"soutien familial|pension alimentaire de la caf|allocation soutien"),
    ("complement_familial", r"complement familial|complement familliale?|complement familiale"),
    ("paje_base", r"paje|prestation d'accueil du jeune enfant|prestation accueil jeune enfant|"
                  r"allocation de base|prime (?:a la |de )?naissance|alloc(?:ation)? bebe|"
                  r"aide pour (?:le|mon) bebe|allocation jeune enfant"),
    ("allocation_rentree_scolaire", r"ars|allocation (?:de )?rentree(?: scolaire)?|prime (?:de )?rentree|"
                                    r"alloc(?:s)? (?:de )?rentree|aide (?:de|a la|pour la) rentree|"
                                    r"rentree scolaire|allocation scolaire|prime de la rentree"),
    ("contrat_engagement_jeune", r"cej|contrat (?:d'|d )?engagement jeunes?|contrat engagement jeunes?|"
                                 r"garantie jeunes?|contrat jeune|allocation cej|engagement jeune"),
    ("bourse_enseignement_superieur", r"bourse (?:du |de |au )?crous|crous|bourse (?:etudiante?|d'etudes?|"
                                      r"de la fac|fac|universitaire|superieur|d'etudiant|pour la fac|"
                                      r"sur criteres sociaux|etudes superieures|d'enseignement superieur|"
                                      r"enseignement superieur|bts|master|licence)|bourses? etudiantes?"),
    ("bourse_lycee", r"bourse (?:du |de |au |pour le |des )?lycee|bourse lycee|bourses? de lycee|"
                     r"bourse (?:nationale )?de lycee|bourse (?:du|au) lyce"),
    ("bourse_college", r"bourse (?:du |de |au |pour le |des )?college|bourse college|bourses? de college|"
                       r"bourse (?:du|au) colege"),
    ("cheque_energie", r"cheque (?:d')?energie|cheques energie|cheque energi|cheque energy|"
                       r"cheque electricite|cheque gaz|aide (?:pour|a) (?:l'|les )?(?:energie|factures? d'electricite)|"
                       r"cheque energie"),
    ("allocations_familiales", r"allocations? familiales?|allocs? familiales?|allocs|les allocs|"
                               r"allocations? de la caf|alloc familiale|alocation familiale|"
                               r"allocation familliales?|allocs? des enfants|allocations? pour les enfants"),
    ("aide_logement", r"apl|a p l|als|alf|aides? (?:au |aux |a |pour le |pour )?logements?|"
                      r"allocations? (?:de |au )?logement|alloc(?:s)? logement|allocation logement|"
                      r"aide au loyer|aide pour (?:le|mon|payer le|payer mon) loyer|aide loyer|"
                      r"aides? de la caf pour le loyer|aide personnalisee au logement|les apl|l'apl"),
    ("rsa", r"rsa|r s a|r\.s\.a|revenu (?:de )?solidarite(?: active)?|revenu de solidarite active|"
            r"rmi|revenu minimum|rsa socle|rsa activite"),
])


def benefit_mentions(nt: NormText) -> list[tuple[str, int, int]]:
    return _all(BENEFIT_RULES, nt)


def parse_benefit(text: str) -> str | None:
    """The benefit id of eligibility.md named in `text` (the first one), or None."""
    found = benefit_mentions(normalise_with_offsets(text))
    return found[0][0] if found else None


# --- life events --------------------------------------------------------------------------------

LIFE_EVENT_RULES = _rules([
    ("deces_conjoint", r"(?:mon|ma) (?:mari|femme|epoux|epouse|conjoint|conjointe|compagnon|compagne|"
                       r"concubin|concubine|homme) (?:est |vient d'etre |a ete )?(?:decede|decedee|mort|"
                       r"morte|parti au ciel|partie au ciel|nous a quittee?s?|est parti|est partie|disparu|"
                       r"disparue|s'est tue|s'est tuee)|"
                       r"(?:deces|mort|perte|disparition) de (?:mon|ma) (?:mari|femme|epoux|epouse|conjoint|"
                       r"conjointe|compagnon|compagne)|j'ai perdu (?:mon|ma) (?:mari|femme|epoux|epouse|"
                       r"conjoint|conjointe|compagnon|compagne)|veuve?|veuf|veuvage|devenue? veuve?|"
                       r"je suis veuve|pension de reversion|reversion"),
    ("naissance", r"enceinte|enceinte de|grossesse|je vais etre (?:maman|papa|mere|pere|parent)|"
                  r"on va etre parents|on attend (?:un|notre|le|des|mon|ma) (?:(?:premier|deuxieme|second|troisieme|"
                  r"quatrieme|1er|2e|2eme|3e|3eme|petit|nouveau) )?(?:bebe|enfant|heureux evenement|jumeaux|"
                  r"petit)|(?:on|je|nous) (?:va|vais|allons) avoir (?:un|une|des|notre) (?:bebe|enfant|"
                  r"petit|jumeaux)|j'attends (?:un|mon|le|des) (?:bebe|enfant|jumeaux|petit)|"
                  r"(?:bebe|enfant) (?:arrive|va arriver|est ne|est nee|vient de naitre|est arrive|pour bientot|"
                  r"en route|en route)|je viens d'accoucher|j'ai accouche|accouchement|accoucher|"
                  r"naissance|future? maman|futur papa|je viens d'avoir (?:un|une|mon|ma) (?:bebe|enfant|"
                  r"fille|fils|garcon)|on vient d'avoir (?:un|une) (?:bebe|enfant|fille|fils|garcon)|"
                  r"ma copine est enceinte|ma femme est enceinte|nouveau[- ]ne|nouvelle naissance|"
                  r"je suis (?:maman|papa) depuis|adoption|on adopte|j'adopte|adopter|"
                  r"ma compagne attend|ma femme attend|ma copine attend|terme (?:prevu|en)"),
    ("parent_seul", r"parent (?:isole|seul|solo)|parents isoles|mere celibataire|pere celibataire|"
                    r"maman solo|papa solo|maman seule|papa seul|mere seule|pere seul|"
                    r"(?:j'eleve|j'elever|eleve|j'eleve) (?:seule?|tout seul|toute seule) (?:mes|mon|ma|les)|"
                    r"(?:j'eleve|eleve) (?:mes|mon|ma) (?:enfants?|gosses?|fils|fille|petits?|gamins?) "
                    r"(?:seule?|toute seule|tout seul)|seule? avec (?:mes|mon|ma|les|deux|2|trois|3|un|une) "
                    r"(?:\w+ )?(?:enfants?|gosses?|fils|fille|petits?|gamins?|bebe|momes?)|"
                    r"famille monoparentale|monoparentale?|je m'occupe seule? de|toute seule avec|"
                    r"tout seul avec|le pere est parti|le pere est partie?|le papa est parti|"
                    r"le pere (?:ne paie|paie) pas|le pere a disparu|pere absent|la mere est partie|"
                    r"garde (?:exclusive|alternee)"),
    ("separation", r"separation|separee?|on se separe|on s'est separes?|nous nous separons|"
                   r"je me separe|je me suis separee?|separer|divorce|divorcer|divorcons|divorcent|divorces|divorcee?|on divorce|je divorce|"
                   r"en instance de divorce|rupture|on a rompu|il m'a quittee?|elle m'a quittee?|m'a quittee?|"
                   r"il est parti|elle est partie|mon mari est parti|ma femme est partie|"
                   r"mon copain est parti|ma copine est partie|on s'est quittes?|je l'ai quitte|"
                   r"j'ai quitte (?:mon|ma) (?:mari|femme|copain|copine|conjoint|compagnon|compagne)|"
                   r"je quitte (?:mon|ma) (?:mari|femme|copain|copine|conjoint|compagnon|compagne)|"
                   r"chacun de son cote|plus ensemble|plus en couple|on n'est plus ensemble|"
                   r"violences conjugales|violence conjugale|mon ex"),
    ("perte_emploi", r"(?:j'ai |je viens de )?perdu (?:mon|ma|mon|le) (?:travail|boulot|taf|job|emploi|"
                     r"poste|cdi|contrat|place|taff)|je viens de (?:me faire )?(?:virer|licencier)|"
                     r"licenciee?|licenciement|viree?|je me suis fait (?:virer|licencier|jeter)|"
                     r"fin de (?:mon )?(?:contrat|cdd|mission|interim)|rupture conventionnelle|"
                     r"plus de (?:travail|boulot|taf|job|emploi)|(?:je )?(?:n'ai|ai) plus de (?:travail|boulot|"
                     r"taf|job|emploi)|je travaille plus|je bosse plus|mon entreprise a ferme|"
                     r"liquidation|depot de bilan|plan social|chomage technique|mis a pied|"
                     r"demission|j'ai demissionne|"
                     r"je viens de m'inscrire (?:a|au) (?:pole|france)|ma boite a coule|"
                     r"on m'a vire|on m'a licencie|perdu mon emploi|mon contrat (?:s'arrete|se termine|est fini|"
                     r"finit|prend fin)|plus de boulot|je viens de perdre|je me retrouve au chomage|"
                     r"je vais etre au chomage|je passe au chomage|je tombe au chomage"),
    ("senior", r"(?:je )?(?:pars|part|vais partir|vais etre|passe|prends ma|prend ma|suis parti|suis partie|"
               r"viens de partir|je viens de partir|je pars bientot|bientot) (?:a|en) (?:la )?retraite|"
               r"depart (?:a|en) (?:la )?retraite|partir a la retraite|retraite (?:bientot|dans|l'annee prochaine|"
               r"le mois prochain|en)|jeune retraitee?|nouveau retraite|nouvelle retraitee|"
               r"je viens d'avoir (?:60|62|63|64|65|66|67|70|soixante|soixante[- ]cinq) ans|"
               r"j'ai (?:60|62|63|64|65|66|67|soixante[- ]cinq|soixante[- ]deux|soixante[- ]quatre) ans "
               r"(?:maintenant|cette annee|depuis peu|aujourd'hui|ce mois)|"
               r"(?:j'ai eu|je vais avoir|je fete mes|bientot) (?:60|62|63|64|65|66|67|soixante|soixante[- ]cinq) ans|"
               r"senior|vieillesse|personne agee|troisieme age|3e age|je vieillis|je suis vieille?|"
               r"fin de carriere|mes droits a la retraite|ma retraite arrive|age de la retraite|"
               r"la retraite approche|quand je serai a la retraite"),
    ("devenir_adulte", r"(?:je )?(?:viens d'avoir|vais avoir|ai eu|fete mes|fete|j'ai eu|viens de feter) "
                       r"(?:18|dix[- ]?huit|19|dix[- ]?neuf|20|vingt) ans|"
                       r"j'ai (?:18|dix[- ]?huit) ans (?:depuis|aujourd'hui|maintenant|cette annee|ce mois)|"
                       r"bientot (?:18|dix[- ]?huit) ans|majeure?|majorite|je deviens majeur|je deviens adulte|"
                       r"devenir adulte|je quitte (?:mes parents|la maison|le foyer|"
                       r"l'ase|l'aide sociale a l'enfance)|sortie de l'ase|sortie ase|fin de prise en charge|"
                       r"contrat jeune majeur|jeune majeur|je quitte le nid|premier appart|"
                       r"mon premier (?:appart|appartement|logement)|premiere fois (?:seule?|que je)"),
    ("handicap", r"handicap|handicape|handicapee|handicapes|en situation de handicap|mdph|rqth|"
                 r"taux d'incapacite|taux d'invalidite|invalidite|invalide|reconnaissance (?:de )?travailleur "
                 r"handicape|fauteuil roulant|en fauteuil|malvoyante?|aveugle|sourde?|non[- ]voyant|"
                 r"maladie (?:chronique|invalidante|grave|longue)|longue maladie|ald|cotorep|"
                 r"carte (?:d'invalidite|mobilite inclusion|cmi)|cmi|accident du travail|"
                 r"paralysee?|amputee?|autiste|autisme|trisomie"),
])


def life_event_mention(nt: NormText) -> tuple[str, int, int] | None:
    found = _first(LIFE_EVENT_RULES, nt)
    if found and found[0] == "separation" and re.search(r"\b(?:decede|decedee|mort|morte|deces)\b", nt.text):
        return _first([r for r in LIFE_EVENT_RULES if r[0] == "deces_conjoint"], nt) or found
    return found


def parse_life_event(text: str) -> str | None:
    """devenir_adulte, naissance, parent_seul, separation, perte_emploi, senior, deces_conjoint or
    handicap; None when no life event is said."""
    found = life_event_mention(normalise_with_offsets(text))
    return found[0] if found else None


# --- pregnancy ----------------------------------------------------------------------------------

_BABY = r"(?:bebe|enfant|heureux evenement|jumeaux|jumelles|petit|petite|deuxieme|troisieme|second)"
PREGNANCY_CUES: list[_Rule] = [
    _rule(False, r"(?:attends|attend|attendons|attendent|jattends?) (?:pas|plus|aucun) (?:de |d'|d'autre |un |une |d'autres )?"
                 r"(?:bebe|enfant|enfants|bebes)|pas de (?:bebe|grossesse) (?:en route|prevu|en cours)",
          denial=True),
    _rule(True, r"(?:je vais etre|futur|bientot|je serai) (?:papa|pere)", extra=(("partner", True),)),
    _rule(True, r"enceintes?|enceint|grossesse|mois de grossesse|semaines d'amenorrhee|"
                r"(?:attends|attend|attendons|attendent|jattends?) (?:un|une|mon|notre|le|des|ma|son) "
                r"(?:(?:premier|deuxieme|second|troisieme|quatrieme|1er|2e|2eme|3e|3eme|petit|nouveau) )?" + _BABY +
                r"|future? maman|(?:je vais etre|bientot) (?:maman|mere)|on va etre parents|"
                r"bebe (?:en route|pour bientot|prevu|arrive bientot|va arriver)|(?:accouchement|terme) prevu|"
                r"(?:j'|je )?accouche(?:rai)? (?:en|dans|le mois prochain|bientot)",
          verb=True),
]
_PREGNANCY_PAST = re.compile(_B + r"(?:apres|pendant|depuis) (?:ma|sa|la|mes|ses) grossesses?|fausse couche|ivg|"
                             r"derniere grossesse" + _E)


def pregnancy_mentions(nt: NormText) -> list[Mention]:
    """« je suis enceinte », « on attend un bébé » (the speaker), « ma femme est enceinte », « je
    vais être papa » (the partner): Mention "pregnant" True, extra "subject"; « pas enceinte », « je
    n'attends pas d'enfant » → False. At most one per person."""
    text = nt.text
    if _PREGNANCY_PAST.search(text):
        return []
    scoper = Scoper(text)
    out: list[Mention] = []
    for cue in _cues(PREGNANCY_CUES, nt, scoper):
        if cue.void or cue.subject == OTHER:
            continue
        subject = PARTNER if dict(cue.rule.extra).get("partner") or cue.subject == PARTNER else SELF
        value = bool(cue.value) and not cue.negated
        if any(m.extra["subject"] == subject for m in out):
            continue
        out.append(Mention("pregnant", value, cue.start, cue.end, {"subject": subject}))
    return out


# --- disability and work restriction ------------------------------------------------------------

DISABILITY_CUES: list[_Rule] = [
    _rule(True, r"(?:touche|ai|a|percoi[st]|au|sous|beneficiaire de|allocataire de) (?:l')?aah|a l'aah",
          extra=(("no_denial", True),)),
    _rule(True, r"(?<!allocation aux adultes )(?<!allocation adulte )(?<!allocation )"
                r"(?:handicap|handicapee?s?|en situation de handicap|mdph|rqth|travailleu(?:r|se) handicapee?|"
                r"reconnaissance (?:de la qualite de )?travailleur handicape|taux d'incapacite|taux d'invalidite|"
                r"invalidite|invalide|carte (?:d'invalidite|mobilite inclusion|cmi|de priorite)|cmi|cotorep|"
                r"fauteuil roulant|en fauteuil|malvoyante?|non[- ]voyante?|aveugle|sourde?|malentendante?|"
                r"paralysee?|amputee?|autiste|autisme|trisomique|sclerose en plaques|"
                r"maladie (?:chronique|invalidante|grave|longue|de longue duree|orpheline)|longue maladie|"
                r"affection (?:de )?longue duree|ald)"),
]
WORK_RESTRICTION_CUES: list[_Rule] = [
    _rule(True, r"rsdae|restriction substantielle(?: et durable)?(?: d'acces a l'emploi)?|"
                r"restriction durable(?: d'acces a l'emploi)?|restriction d'acces a l'emploi"),
]


def _true_false(cues: list[_Cue], entity: str, subjects: tuple[str, ...] = (SELF, PARTNER),
                with_subject: bool = True) -> list[Mention]:
    out: list[Mention] = []
    for cue in cues:
        if cue.void or cue.subject == OTHER:
            continue
        subject = SELF if cue.subject == BOTH else cue.subject
        if subject not in subjects:
            continue
        if cue.negated and dict(cue.rule.extra).get("no_denial"):
            continue  # « je touche pas l'AAH » does not deny a disability
        value = bool(cue.value) and not cue.negated
        if any(m.extra.get("subject", SELF) == subject for m in out):
            continue
        out.append(Mention(entity, value, cue.start, cue.end, {"subject": subject} if with_subject else {}))
    return out


def disability_mentions(nt: NormText) -> list[Mention]:
    """Mention "disability" True/False for the speaker or the partner (extra "subject"), and
    "work_restriction" True/False when the RSDAE is said or denied."""
    scoper = Scoper(nt.text)
    restriction = _cues(WORK_RESTRICTION_CUES, nt, scoper)
    taken = [(c.start, c.end) for c in restriction]
    out = _true_false(_cues(DISABILITY_CUES, nt, scoper, taken), "disability")
    for mention in _true_false(restriction, "work_restriction", with_subject=False)[:1]:
        out.append(mention)
    return sorted(out, key=lambda m: m.start)


# --- student grant ------------------------------------------------------------------------------

STUDENT_GRANT_CUES: list[_Rule] = [
    _rule(False, r"(?:bourse|dossier de bourse|demande de bourse) (?:a ete |est |m'a ete |m'est )?(?:refusee?|rejetee?)|refus de (?:la |ma )?bourse|"
                 r"pas eu (?:la|de|ma) bourse|non[- ]boursiere?s?", denial=True),
    _rule(True, r"boursiere?s?|bourse (?:du |de |au )?crous|bourse (?:etudiante?|sur criteres sociaux|universitaire|"
                r"d'etudes?|de l'enseignement superieur|du superieur|d'etudiant|de la fac|fac)|bourses? etudiantes?|"
                r"echelon (?:\d|0 ?bis|zero bis|zero)|(?:ai|touche|recois|percois|obtenu|accorde) (?:la|une|ma) bourse|"
                r"(?:ma|la|une|de|les|des) bourses?(?! (?:du |de |de l'|au |des |pour le |pour la )?(?:lycee|college|"
                r"travail|emploi|valeurs))"),
]
_CIVIL_SERVICE = re.compile(_B + r"(?:fonctionnaire|titulaire|grade|indice|categorie [abc]|fonction publique)" + _E)


def student_grant_mentions(nt: NormText) -> list[Mention]:
    """Mention "student_grant" True (« je suis boursière », « échelon 5 ») or False (« pas
    boursier », « je n'ai pas de bourse »): the speaker's only."""
    cues = _cues(STUDENT_GRANT_CUES, nt, Scoper(nt.text))
    if _CIVIL_SERVICE.search(nt.text):
        cues = [c for c in cues if not nt.text.startswith("echelon", c.start)]
    return _true_false(cues, "student_grant", subjects=(SELF,), with_subject=False)


# --- kind of self-employment --------------------------------------------------------------------

# Said as the kind itself: always read.
_KIND_EXPLICIT = _rules([
    ("bic_vente", r"vente (?:de marchandises?|de biens|de produits|en ligne|sur internet|sur les marches|"
                  r"ambulante|de vetements|de nourriture|a emporter)|achat[- ]revente|achat et revente|revente|"
                  r"e-?commerce|commerce en ligne|boutique en ligne|bic vente|bic marchandises?|vente"),
    ("bic_services", r"prestations? de services?|prestataire de services?|bic (?:services?|prestations?)|"
                     r"services? (?:a la personne|aux particuliers|aux entreprises)|"
                     r"^(?:des |du |les |dans les |je fais des |je vends des )?services?(?= *[.!]* *$)"),
    ("bnc", r"professions? liberales?|activite liberale|en liberal|liberale?|bnc|non commerciale?|"
            r"cours particuliers|soutien scolaire"),
])
# Trades and fields: read only for a self-employed person (or when nothing else is said).
_KIND_TRADE = _rules([
    ("bic_vente", r"commerce|commercante?|je vends|on vend|vends|marchande?|boutique|magasin|epicerie|snack|"
                  r"food truck|restaurant|resto|traiteur|marches|brocante|vinted|leboncoin|bijoux|vetements"),
    ("bnc", r"consultante?|conseil|formatrice?|formateur|formations?|graphiste|graphisme|design|designer|"
            r"developpeu(?:r|se)|developpement (?:web|informatique)|informatique|traductrice?|traducteur|"
            r"traductions?|prof(?:esseur)? particuliere?|coach|coaching|redactrice?|redacteur|redaction|"
            r"journaliste|artiste|musicienne?|photographe|architecte|psychologue|therapeute|sophrologue|"
            r"naturopathe|osteopathe|kine|infirmiere? liberale|avocate?|comptable|webmaster|"
            r"community manager|illustratrice?|illustrateur|moniteur|monitrice|animatrice?|animateur|"
            r"educateur sportif|cours de"),
    ("bic_services", r"artisane?|artisanat|vtc|chauffeur|chauffeuse|taxi|livreu(?:r|se)|livraisons?|coursiere?|"
                     r"menages?|nettoyage|coiffure|coiffeu(?:r|se)|esthetique|estheticienne|manucure|ongles|"
                     r"onglerie|plombier|plomberie|electricien|electricite|peintre|peinture|macon|maconnerie|"
                     r"batiment|renovation|bricolage|jardinage|jardinier|paysagiste|garde d'enfants|"
                     r"baby[- ]?sitting|aide a domicile|demenagements?|reparations?|mecanique|mecanicien|couture|"
                     r"retouches|toilettage|transport|btp|travaux|depannage|serrurier|carreleur|plaquiste|uber|"
                     r"deliveroo|uber eats|securite"),
])
_SELF_EMPLOYED_CONTEXT = re.compile(
    _B + r"(?:auto[- ]?entrepreneu(?:r|se)|autoentrepreneu(?:r|se)|micro[- ]?entrepr\w*|a mon compte|freelance|"
    r"independante?|siret|urssaf|mon activite|mon entreprise|ma boite|chiffre d'affaires?|ca|"
    r"je facture|mes clients|clients|je vends|vtc|uber|deliveroo)" + _E)


_KIND_ARTICLE = re.compile(r"(?:^|\s)(?:un|une|le|la|les|l'|mon|ma|mes|ce|cet|cette|bon|bonne|au|aux)\s*$")


def self_employed_kind_mentions(nt: NormText) -> list[Mention]:
    """The kind of a micro-entrepreneur's turnover: Mention "self_employed_kind" bic_vente (sales),
    bic_services (services, crafts, VTC, delivery, cleaning...) or bnc (liberal professions,
    consultancy, training, private lessons...), one per kind said, in order."""
    text = nt.text
    found = [f for f in _all(_KIND_EXPLICIT, nt)]
    speaker = activity_mention(nt)
    context = bool(_SELF_EMPLOYED_CONTEXT.search(text)) or (speaker is not None and speaker[0] == "independant")
    if context or (speaker is None and len(text.split()) <= 4):
        taken = [(s, e) for _, s, e in found]
        for value, start, end in _all(_KIND_TRADE, nt):
            if any(not (end <= s or start >= e) for s, e in taken):
                continue
            if not context and _KIND_ARTICLE.search(text, 0, start):
                continue  # « je cherche un plombier », « tu connais un bon coiffeur »
            found.append((value, start, end))
    out: list[Mention] = []
    for value, start, end in sorted(found, key=lambda f: f[1]):
        before = text[max(0, start - 12):start]
        if re.search(r"(?:pas|plus|sans|ni) (?:de |d'|la |les |du )?$", before):
            continue
        if not any(m.value == value for m in out):
            out.append(Mention("self_employed_kind", value, start, end))
    return out


# --- corrections --------------------------------------------------------------------------------

_NUMBER_WORD = (r"(?:\d+(?:[.,]\d+)?|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|vingt|"
                r"trente|quarante|cinquante|soixante|cent|mille|zero|aucun|aucune)")
_NOT_A_VALUE = (r"(?:je|j'|il|elle|on|nous|vous|ils|elles|moi|ca|c'est|ce|quand|si|bon|bien|toujours|plus|pas|"
                r"encore|mon|ma|mes|son|sa|ses|le|la|les|un|une|des|du|de|d'|en|au|beaucoup|trop|tres|vraiment|"
                r"assez|souvent|mal|sur|sure|facile|grand|grave|que|qui|comme|avec|sans|pour|par|dans)")
_FACT_AFTER = (r"(?:" + _NUMBER_WORD + r"(?![a-z])|c'est (?!bon|faux|pas|ca|tout|correct|fini|mort|rien|nul|quoi|"
               r"ok|d'accord|mieux|juste|non)|j'ai|on a|il y a|on est|nous sommes|je suis(?! pas| plus| d'accord| sure?)|"
               r"mon |ma |mes |le |la |les |plutot|en fait|je (?:gagne|touche|paie|paye|loue|vis|travaille|bosse|"
               r"m'appelle|habite))")
_CORRECTION = re.compile(
    _B + r"(?:non,? en fait|en fait,? non|ah non,? |oh non,? |non pardon|pardon,? (?:c'est|j'ai|je voulais|il y a|on est|"
    r"je suis|\d)|(?<!si )(?<!quand )je me suis (?:trompee?|plante|plantee|mal exprimee?)(?! de (?:numero|personne|destinataire|"
    r"contact|conversation|site))|je m'ai trompe|"
    r"(?:j'ai fait une|c'etait une|petite|grosse) erreur|j'ai fait erreur|erreur de ma part|^erreur(?! de (?:numero|personne|destinataire))|"
    r"je voulais dire|j'ai mal (?:lu|ecrit|tape|compris|repondu|dit)|faute de frappe|je rectifie|je corrige|"
    r"rectification|^correction|au temps pour moi|autant pour moi|oups|oops|au lieu de|a la place de|"
    r"(?:c'est pas ca|ce n'est pas ca|c'est faux)[ ,.]+(?=" + _FACT_AFTER + r")|"
    r"(?:c'est|non|enfin|ou|mais|euh|pardon) plutot|^plutot|plutot " + _NUMBER_WORD + r"|"
    r"\d+(?:[.,]\d+)? ?(?:euros?|€|ans|enfants?)? ?(?:et |,)? ?(?:non |pas )" + _NUMBER_WORD + _E + r"|"
    r"(?:c'est |non )?pas " + _NUMBER_WORD + r" (?:\w+ )?(?:mais|c'est) " + _NUMBER_WORD + _E + r"|"
    r"^(?:non|nan|nn)\s*[,.:!-]?\s*(?!(?:1|2|un|deux)\s*$)(?=" + _FACT_AFTER + r"))")
_PAS_X_MAIS_Y = re.compile(
    r"(?:^|[,.;] ?|non |je suis |on est |j'ai |c'est |il y a )pas (?:un |une |en |au |a la |a )?"
    r"(?!" + _NOT_A_VALUE + r"\b)([a-z0-9']+) (?:mais|,? c'est) (?:un |une |de |d'|du |des |en |au |a la |a |plutot )?"
    r"(?!" + _NOT_A_VALUE + r"\b)([a-z0-9']+)")


def correction_mention(nt: NormText) -> Mention | None:
    """Mention "correction" True when the message corrects something said before (« non en fait »,
    « je me suis trompée », « c'est 850 pas 580 », « non, 2 enfants », « pas étudiant mais
    salarié »); None otherwise. « non » alone, « non merci » are not corrections."""
    text = nt.text
    match = _CORRECTION.search(text) or _PAS_X_MAIS_Y.search(text)
    if not match:
        return None
    return Mention("correction", True, match.start(), match.end())


occupation_count()  # load the list of trades now (about 0.2 s) rather than on the first message
