"""Categorical answers: housing, couple or alone, activity, yes/no, « je sais pas », benefits,
life events.

Every category is a list of (value, pattern) tried in order of priority on the normalised text
(see text.normalise): the first pattern that matches gives the value, so specific phrasings
(« locataire HLM ») are listed before general ones (« locataire »).
"""
from __future__ import annotations

import re

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


# --- housing ------------------------------------------------------------------------------------

_APPART = r"(?:appartement|studio|t1|t2|t3|t4|t5|f1|f2|f3|f4|f5|logement|maison|chambre|piaule|log|appt|apparte?ment)"
HOUSING_RULES = _rules([
    ("sans_domicile", r"a la rue|dans la rue|a la rue|sdf|s\.d\.f|sans domicile(?: fixe)?|sans abri|sans-abri|"
                      r"sans logement|sans toit|pas de (?:logement|toit|domicile|maison|appartement)|"
                      r"dans (?:ma|une|la|mon) (?:voiture|caisse|bagnole|camion|tente|van|squat)|"
                      r"(?:je )?dors dehors|(?:je )?dors dans (?:ma|une|la|mon) (?:voiture|caisse|tente)|"
                      r"en squat|un squat|dans un squat|squatte|a la rue|dehors|115|hotel social|"
                      r"hebergement d'urgence|hotel du 115|a l'hotel|en hotel|camping|mobil[- ]?home|"
                      r"caravane|sous une tente|sous la tente|je n'ai pas de logement|j'ai pas de logement|"
                      r"j'ai plus de logement|plus de logement|expulsee?"),
    ("foyer", r"foyer(?: de jeunes travailleurs| jeunes travailleurs| d'hebergement)?|fjt|chrs|"
              r"residence sociale|residence social|centre d'hebergement|centre d hebergement|"
              r"pension de famille|maison relais|residence autonomie|ehpad|resid sociale|"
              r"foyer adoma|adoma|coallia|aftam|cada|huda|residence jeunes|maison de retraite"),
    ("logement_social", r"hlm|h\.l\.m|h l m|oph|opac|logement social|logements sociaux|logt social|"
                        r"bailleur social|bailleurs sociaux|office public|office hlm|habitat social|"
                        r"appartement social|appart social|logement aide|en social|logement conventionne|"
                        r"cite hlm|habitat 93|paris habitat|logirep|3f|vilogia|icf habitat|"
                        r"batigere|logiest|sa hlm|logement de la mairie|logement mairie|cdc habitat|"
                        r"erilia|logements? (?:social|sociale)"),
    ("locataire_meuble", r"(?:location |appartement |studio |chambre |logement |loue |loue un |"
                         r"loue une |locataire (?:d'un|d'une|en) )?(?:[a-z]+ )?meublee?s?|en meuble|un meuble|"
                         r"location meublee"),
    ("accedant", r"(?:je |on |nous )?rembourse(?:ons|z)? (?:un |mon |notre |le |la |ma |l')?"
                 r"(?:credit|pret|emprunt|maison|appartement)|credit (?:immo|immobilier|maison|"
                 r"de la maison|sur la maison|de l'appartement)|pret immo(?:bilier)?|emprunt (?:immo|"
                 r"immobilier|maison|pour la maison)|on paie (?:la|le) (?:maison|credit)|accedant|"
                 r"accession|en accession|proprietaire avec (?:un )?credit|pas fini de payer|"
                 r"encore (?:a|un) (?:credit|payer)|mensualites? (?:de|du) credit|pret pour (?:la|ma|notre) maison|"
                 r"j'ai un credit|on a un credit|on a un pret|j'ai un pret|credit en cours|"
                 r"(?:credit|pret) sur \d+ ans|crédit"),
    ("locataire", r"(?:mon|ma|le|la|notre) (?:proprio|proprietaire|bailleur)|"
                  r"locataire|locatair|locataires|je loue|on loue|nous louons|jloue|loue un|loue une|"
                  r"loue (?:mon|ma|notre|l')|en location|location|je paie (?:un|mon|le) loyer|je paye (?:un|mon|le) loyer|"
                  r"on paie (?:un|le|notre) loyer|on paye (?:un|le|notre) loyer|j'ai un loyer|loyer|"
                  r"bail|agence immo(?:biliere)?|colocation|coloc|sous[- ]location|sous[- ]loue"),
    ("proprietaire", r"proprietaire|proprio|proprietaires|propriete|proprietere|proprietaite|"
                     r"(?:ma|notre|la) maison est (?:a moi|a nous|payee|remboursee)|maison (?:payee|a moi|a nous)|"
                     r"(?:j'ai|on a|nous avons) (?:achete|acheter|une maison|ma maison|notre maison)|"
                     r"chez moi (?:c'est|c) a moi|c'est a moi|c'est ma maison|"
                     r"j'ai ma maison|on a notre maison|ma propre maison|a moi la maison|j'ai herite de (?:la|ma) maison|"
                     r"pas de loyer(?: a payer)?|aucun loyer|je paie pas de loyer|je paye pas de loyer"),
    ("heberge", r"chez (?:mes|ma|mon|un|une|des|les|la|le|l'|ma grand|mon grand|notre|nos|moi chez) ?"
                r"(?:parents?|mere|pere|mere|daron|darons|daronne|mama|maman|papa|famille|soeur|frere|"
                r"tante|oncle|cousin|cousine|ami|amie|amis|pote|potes|copain|copine|copains|"
                r"grand[- ]?mere|grand[- ]?pere|grands[- ]?parents|mamie|papi|fils|fille|enfants?|"
                r"connaissance|quelqu'un|gens|belle[- ]?mere|beau[- ]?pere|beaux[- ]?parents|"
                r"collegue|voisin|voisine|ex|famille d'accueil|tata|tonton|frangin|frangine|"
                r"gamins|pere)|chez quelqu'un|hebergee?s?(?! a| au| dans un| en)|heberger|je suis heberge|"
                r"herbergee?|hebergement gratuit|loge(?:e)? gratuitement|gratuitement|a titre gratuit|"
                r"loge(?:e)? par|on m'heberge|on me loge|je squatte chez|je dors chez|je vis chez|"
                r"j'habite chez|habite chez|vis chez|vit chez|chez eux|chez elle|chez lui|sur le canape|"
                r"canape|loge(?:e)? chez"),
])
# values of the contract for the `housing_status` entity
HOUSING_ENTITY_VALUE = {"locataire_meuble": "locataire", "accedant": "proprietaire"}


_LIVING_CUE = re.compile(r"\b(?:vis|vit|vivons|vivent|vivre|habite|habitons|habitent|loge|logee?|dors|dort|"
                         r"suis|sommes|reste|restons|heberge|hebergee?|installee?|log[eé]|domicile|"
                         r"celibataire|eleve|j'eleve)\b|\bseule?s? (?:avec|sans)\b")


def _short_or_living(nt: NormText, max_words: int = 4) -> bool:
    """A bare answer (« chez ma mère », « seule ») or a sentence about where/how one lives."""
    return len(nt.text.split()) <= max_words or bool(_LIVING_CUE.search(nt.text))


def housing_mention(nt: NormText) -> tuple[str, int, int] | None:
    found = _first(HOUSING_RULES, nt)
    if not found:
        return None
    if found[0] == "heberge" and nt.text[found[1]:found[2]].startswith("chez") and not _short_or_living(nt):
        return None  # « un contrôleur est venu chez ma soeur »
    value, start, end = found
    # « mon proprio » (the landlord) means the person rents
    if value == "locataire" and re.search(r"(?:hlm|logement social|bailleur social|oph)", nt.text):
        return _first([r for r in HOUSING_RULES if r[0] == "logement_social"], nt)
    return value, start, end


def parse_housing_status(text: str) -> str | None:
    """locataire, locataire_meuble, logement_social, proprietaire, accedant, heberge,
    sans_domicile or foyer; None when the text says nothing about housing."""
    found = housing_mention(normalise_with_offsets(text))
    return found[0] if found else None


# --- couple or alone ----------------------------------------------------------------------------

RELATIONSHIP_RULES = _rules([
    ("seul", r"pas en couple|plus en couple|pas mariee?|plus mariee?|celibataire|celib|celibat|"
             r"(?<!un )(?<!une )(?<!le )(?<!la )(?<!les )(?<!qu'un )(?<!qu'une )seule?s?"
             r"(?! enfant| fils| fille| gosse| revenu| salaire| bebe| garcon| a charge)|tout seul|toute seule|solo|seulement moi|juste moi|que moi|moi seule?|"
             r"divorcee?|separee?|veuve?|veuf|en instance de divorce|sans conjoint|sans compagnon|"
             r"sans compagne|personne d'autre|mere celibataire|pere celibataire|maman solo|papa solo|"
             r"parent isole|famille monoparentale|je vis seule?|j'habite seule?|isolee?"),
    ("couple", r"en couple|couple|mariee?s?|pacsee?s?|pacs|concubin|concubine|concubinage|"
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


# --- activity -----------------------------------------------------------------------------------

ACTIVITY_RULES = _rules([
    ("retraite", r"retraitee?s?|a la retraite|en retraite|pensionne|pensionnee|pension de retraite|"
                 r"ma retraite|je touche (?:la|ma) retraite|pre[- ]?retraite|retraite"),
    ("etudiant", r"etudiante?s?|etudes?|etudies|j'etudie|a la fac|en fac|la fac|universite|univ|"
                 r"en bts|en licence|en master|en l1|en l2|en l3|en iut|en dut|en prepa|en these|"
                 r"doctorant|doctorante|en ecole|lyceen|lyceenne|en formation|"
                 r"stagiaire de la formation|etudiant"),
    ("chomeur", r"chomage|chomeur|chomeuse|chomeurs|au chomage|sans emploi|sans travail|sans boulot|"
                r"sans taf|pas de (?:travail|boulot|taf|job|emploi)|plus de (?:travail|boulot|taf|job|emploi)|"
                r"(?:je )?cherche (?:du|un) (?:travail|boulot|taf|job|emploi)|recherche d'emploi|"
                r"demandeur d'emploi|demandeuse d'emploi|pole emploi|france travail|inscrite? (?:a|au) "
                r"(?:pole|france)|are|allocation chomage|licenciee?|viree?|au chomedu|j'ai perdu mon "
                r"(?:travail|boulot|taf|job|emploi)|je travaille (?:pas|plus)|je bosse (?:pas|plus)|"
                r"je taffe (?:pas|plus)|je taf (?:pas|plus)|je ne (?:travaille|bosse) (?:pas|plus)|fin de contrat|fin de cdd|entre deux (?:boulots|jobs|contrats)"),
    ("independant", r"independante?s?|auto[- ]?entrepreneu(?:r|se)|autoentrepreneur|micro[- ]?entreprise|"
                    r"micro[- ]?entrepreneur|freelance|free[- ]lance|a mon compte|a son compte|"
                    r"ma propre (?:boite|entreprise|societe)|j'ai (?:ma|une) (?:boite|entreprise|societe)|artisan|artisane|commercante?|liberale?|profession liberale|exploitant|"
                    r"exploitante|agricultrice|agriculteur|paysan|paysanne|eleveur|eleveuse|chef d'entreprise|"
                    r"gerante?|vtc|uber|deliveroo|livreur a velo|coursier|entreprise individuelle|"
                    r"eurl|sasu|siret|mon propre patron|ma propre patronne|je suis patron(?:ne)?|travailleur independant"),
    ("inactif", r"au foyer|mere au foyer|pere au foyer|femme au foyer|homme au foyer|sans activite|"
                r"inactive?|je fais rien|je fais pas rien|je travaille jamais|jamais travaille|"
                r"arret maladie|en arret|en invalidite|invalidite|pension d'invalidite|en longue maladie|"
                r"je m'occupe (?:de mes|des) (?:enfants|gosses|petits)|conge parental|aidant|aidante|"
                r"aidant familial|je fais rien du tout|sans profession|au rsa|"
                r"rsaste|benevole"),
    ("salarie", r"salariee?s?|je travaille|travaille|je bosse|bosse|je taf|je taffe|taf|taff|boulot|job|"
                r"cdi|cdd|interim|interimaire|en interim|ouvriere?|employee?|employe|fonctionnaire|"
                r"contractuel|contractuelle|aide[- ]soignante?|auxiliaire de vie|aide a domicile|"
                r"femme de menage|agent d'entretien|caissiere?|vendeuse|vendeur|serveuse|serveur|"
                r"manutentionnaire|magasinier|cariste|chauffeur|infirmiere?|assistante maternelle|"
                r"nounou|apprenti|apprentie|alternance|en alternance|contrat pro|saisonnier|saisonniere|"
                r"temps partiel|mi[- ]temps|plein temps|temps plein|a temps partiel|au smic|"
                r"intermittent|intermittente|a l'usine|sur les chantiers|des menages|je fais des menages|"
                r"contrat aide|pec|cui|service civique|j'ai un (?:emploi|travail|boulot|job|contrat)"),
])


def activity_mention(nt: NormText) -> tuple[str, int, int] | None:
    return _first(ACTIVITY_RULES, nt)


def parse_activity(text: str) -> str | None:
    """salarie, independant, chomeur, etudiant, retraite or inactif; None when not said."""
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
