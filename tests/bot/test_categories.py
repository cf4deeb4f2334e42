"""Categorical facts as residents type them: activity (the speaker's and the partner's), trades,
housing, couple type, pregnancy, disability, student grant, kind of self-employment, corrections.

Each class of phrases has positive cases and negative ones (what must not be read)."""
import time

import pytest

from nlu.parsing import categories, occupations
from nlu.parsing.mention import Mention
from nlu.parsing.negation import clauses, persons
from nlu.parsing.text import normalise_with_offsets


def _nt(text):
    return normalise_with_offsets(text)


def _by_entity(mentions):
    return {m.entity: m for m in mentions}


def activity(text):
    found = _by_entity(categories.activity_mentions(_nt(text))).get("activity")
    return found.value if found else None


def partner_activity(text):
    found = _by_entity(categories.activity_mentions(_nt(text))).get("partner_activity")
    return found.value if found else None


def activity_extra(text, entity="activity"):
    return _by_entity(categories.activity_mentions(_nt(text)))[entity].extra


# --- activity: negation and its scope -----------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("je suis pas étudiant, je cherche du travail", "chomeur"),
    ("jsuis pas etudiante je cherche du taf", "chomeur"),
    ("je bosse pas et je vais plus à la fac", "inactif"),
    ("je bosse pas et je vais plus a la fac, je cherche un boulot", "chomeur"),
    ("je suis plus au chômage, j'ai retrouvé un CDI", "salarie"),
    ("chui plus au chomdu g retrouvé un cdd", "salarie"),
    ("pas de travail", "chomeur"),
    ("g pas de boulot", "chomeur"),
    ("je travaille pas", "inactif"),
    ("je ne travaille plus depuis 2 ans", "inactif"),
    ("j'ai jamais travaillé", "inactif"),
    ("je suis pas étudiante mais salariée", "salarie"),
    ("je ne suis plus étudiant, je suis au chômage", "chomeur"),
    ("j'ai arrêté mes études, je bosse en intérim", "salarie"),
    ("j'étais au chômage, maintenant je bosse", "salarie"),
    ("licenciée en mars, maintenant en CDD", "salarie"),
    ("je bosse pas mal en ce moment", "salarie"),
    ("je ne suis ni etudiante ni salariée", "inactif"),
    ("g 2 gosses, je bosse pas, mon mec fait de l'interim", "inactif"),
    ("je travaille plus de 35h par semaine", "salarie"),
])
def test_activity_negation(text, expected):
    assert activity(text) == expected


@pytest.mark.parametrize("text", [
    "je ne suis pas à la retraite", "je suis pas étudiant", "pas encore a la retraite",
    "je suis plus au chômage", "je vais être à la retraite le mois prochain", "avant j'étais étudiante",
    "si je suis au chômage j'ai droit à quoi", "les étudiants ont droit aux apl ?",
    "c'est quoi le rsa", "je voudrais reprendre mes études", "bonjour", "j'ai 3 enfants",
    "je suis malade je pourrai pas être là", "c'est qui qui a droit au rsa", "ça fait pas grand chose",
    "j'ai peur de perdre mes droits au chômage", "je prends ma retraite le mois prochain",
    "c'est rien du tout ce qu'ils donnent", "remplir les papiers ça me rend malade", "mon chat est malade",
    "je suis reconnue travailleur handicapé",
])
def test_activity_not_read(text):
    assert activity(text) is None


# --- activity: plain answers --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("je fais rien", "inactif"), ("rien", "inactif"), ("au foyer", None), ("mère au foyer", "inactif"),
    ("mere au foyer avec 3 enfants", "inactif"), ("je reste à la maison avec les enfants", "inactif"),
    ("je cherche", "chomeur"), ("au chômage", "chomeur"), ("inscrit à France Travail", "chomeur"),
    ("inscrite a pole emploi depuis janvier", "chomeur"), ("demandeuse d'emploi", "chomeur"),
    ("en recherche d'emploi", "chomeur"), ("je touche le chomage", "chomeur"),
    ("retraitée", "retraite"), ("à la retraite", "retraite"), ("retraiter depuis 2019", None),
    ("je suis a la retraite depuis 3 ans", "retraite"),
    ("étudiante en licence", "etudiant"), ("je suis en master a nancy", "etudiant"),
    ("en bts", "etudiant"), ("lyceen", "etudiant"),
    ("je suis au RSA", "inactif"),
])
def test_activity_plain(text, expected):
    assert activity(text) == expected


def test_activity_mention_keeps_its_old_shape():
    nt = _nt("je suis au chômage")
    value, start, end = categories.activity_mention(nt)
    assert value == "chomeur" and nt.text[start:end] == "chomage"
    assert categories.parse_activity("retraité") == "retraite"
    assert categories.parse_activity("ma femme est à la retraite") is None


# --- activity: contracts and self-employment ----------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("en intérim", "salarie"), ("je fais de l'interim", "salarie"), ("en cdd jusqu'en juin", "salarie"),
    ("apprentie coiffeuse", "salarie"), ("je suis en BTS en alternance", "salarie"),
    ("en contrat aidé", "salarie"), ("je suis en service civique", "salarie"),
    ("PEC à la mairie", "salarie"), ("payée en cesu", "salarie"), ("chomage partiel", "salarie"),
    ("auto-entrepreneur", "independant"), ("autoentrepreneuse", "independant"),
    ("micro-entreprise depuis 2022", "independant"), ("je suis à mon compte", "independant"),
    ("je bosse a mon compte", "independant"), ("chauffeur VTC", "independant"), ("je fais du vtc", "independant"),
    ("freelance", "independant"), ("artisan", "independant"), ("je suis commerçante", "independant"),
    ("livreur uber eats", "independant"), ("j'ai ma boite", "independant"),
    ("travailleur non salarié", "independant"), ("infirmière libérale", "independant"),
    ("je suis nounou agréée", "salarie"), ("assistante maternelle", "salarie"),
])
def test_activity_contracts(text, expected):
    assert activity(text) == expected


def test_student_with_a_small_job_is_a_student_and_the_job_is_noted():
    assert activity("étudiante et je bosse le week-end") == "etudiant"
    assert activity_extra("étudiante et je bosse le week-end")["also"] == ["salarie"]
    extra = activity_extra("je suis etudiant et caissier le samedi")
    assert extra["occupation"] == "caissier" and extra["also"] == ["salarie"]


def test_unemployed_with_small_jobs_stays_unemployed():
    assert activity("au chômage et je fais des ménages") == "chomeur"
    assert activity_extra("au chômage et je fais des ménages")["also"] == ["salarie"]


def test_self_employed_trade_is_noted():
    extra = activity_extra("je suis formatrice à mon compte")
    assert activity("je suis formatrice à mon compte") == "independant"
    assert extra["occupation"] == "formatrice" and "also" not in extra


# --- activity: trades ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected, occupation", [
    ("je suis aide-soignante", "salarie", "aide-soignante"),
    ("chui aide soignante en ehpad", "salarie", "aide-soignante"),
    ("aide soignante de nuit", "salarie", "aide-soignante"),
    ("chauffeur livreur", "salarie", "chauffeur livreur"),
    ("je fais des ménages", "salarie", "ménages"),
    ("jfais des menages chez des particuliers", "salarie", "ménages"),
    ("je bosse comme cariste", "salarie", "cariste"),
    ("je travaille en tant qu'agent d'entretien", "salarie", "agent d'entretien"),
    ("ASH a l'hopital", "salarie", "ASH"),
    ("je suis AESH", "salarie", "AESH"),
    ("Auxiliaire de vie", "salarie", "auxiliaire de vie"),
    ("préparateur de commandes en interim", "salarie", "préparateur de commandes"),
    ("je suis agent de sécurité", "salarie", "agent de sécurité"),
    ("je suis caissiere a mi temps", "salarie", "caissière"),
    ("euh je suis maçon", "salarie", "maçon"),
    ("mon metier c'est boulangere", "salarie", "boulangère"),
    ("je suis serveuse dans un resto", "salarie", "serveuse"),
    ("employée de libre-service", "salarie", "employée de libre-service"),
    ("je suis agricultrice", "independant", "agricultrice"),
    ("coiffeuse à domicile", "independant", "coiffeuse à domicile"),
])
def test_trades(text, expected, occupation):
    assert activity(text) == expected
    assert activity_extra(text)["occupation"] == occupation


@pytest.mark.parametrize("text", [
    "l'infirmière passe tous les jours",
    "une aide à domicile vient le matin",
    "mon assistante sociale m'a dit de vous écrire",
    "j'ai vu le médecin hier",
    "je cherche un poste de vendeuse",
    "je suis en formation d'aide-soignante",
    "j'étais aide-soignante avant",
    "ancien maçon",
    "je travaille pour un artisan",
    "le chauffeur du bus",
    "c'est le facteur qui a perdu mon courrier",
])
def test_trades_that_are_not_the_speaker_job(text):
    found = _by_entity(categories.activity_mentions(_nt(text))).get("activity")
    assert found is None or "occupation" not in found.extra


def test_occupation_list_is_large_and_has_both_genders():
    assert occupations.occupation_count() > 900
    labels = {m.occupation.label for m in occupations.find_occupations("aide soignant aide soignante")}
    assert labels == {"aide-soignant", "aide-soignante"}


def test_occupation_plural_and_longest_form():
    found = occupations.find_occupations("on est aides soignantes et chauffeurs livreurs")
    assert [m.occupation.label for m in found] == ["aide-soignante", "chauffeur livreur"]


# --- activity: the partner ----------------------------------------------------------------------

@pytest.mark.parametrize("text, speaker, partner", [
    ("mon mari est à la retraite", None, "retraite"),
    ("ma femme bosse à l'hôpital", None, "salarie"),
    ("il est au chômage", None, "chomeur"),
    ("elle touche l'AAH", None, "inactif"),
    ("mon mari est maçon et moi je cherche du travail", "chomeur", "salarie"),
    ("ma femme est aide-soignante, moi je suis au chômage", "chomeur", "salarie"),
    ("mon copain travaille pas", None, "inactif"),
    ("je suis retraitée et mon mari aussi", "retraite", "retraite"),
    ("mon mari travaille pas, moi non plus", "inactif", "inactif"),
    ("on est au chômage tous les deux", "chomeur", "chomeur"),
    ("nous sommes retraités", "retraite", "retraite"),
    ("chui etudiante mon copain bosse", "etudiant", "salarie"),
    ("moi je bosse en cdi, ma compagne est en arret maladie", "salarie", "inactif"),
    ("j'ai un mari qui est chauffeur", None, "salarie"),
])
def test_partner_activity(text, speaker, partner):
    assert activity(text) == speaker
    assert partner_activity(text) == partner


@pytest.mark.parametrize("text", [
    "mon fils est étudiant", "ma fille est au chômage", "mon ex est au chomage et paie pas la pension",
    "ma mère est à la retraite", "mes parents sont retraités",
])
def test_other_people_activity_is_not_read(text):
    assert categories.activity_mentions(_nt(text)) == []


def test_partner_reason_handicap():
    assert activity_extra("elle touche l'AAH", "partner_activity") == {"reason": "handicap"}


# --- activity: not working because of a disability or an illness -------------------------------

@pytest.mark.parametrize("text, reason", [
    ("je travaille pas à cause de mon handicap", "handicap"),
    ("j'bosse pas a cause de mon handicap", "handicap"),
    ("en invalidité", "handicap"),
    ("je touche une pension d'invalidité", "handicap"),
    ("je suis handicapée", "handicap"),
    ("en arrêt longue maladie", "maladie"),
    ("en arret maladie depuis 6 mois", "maladie"),
    ("je travaille plus, je suis malade", "maladie"),
    ("je ne peux pas travailler à cause de ma santé", "maladie"),
    ("aide-soignante mais en arrêt maladie", "maladie"),
])
def test_inactive_with_a_reason(text, reason):
    assert activity(text) == "inactif"
    assert activity_extra(text)["reason"] == reason


def test_a_disabled_worker_is_a_worker():
    assert activity("je suis handicapée et je travaille en ESAT") == "salarie"
    assert activity("je travaille à mi-temps à cause de mon handicap") == "salarie"
    assert activity("j'ai une RQTH") is None


def test_not_working_for_the_children_has_no_reason():
    assert activity("je travaille pas à cause des enfants") == "inactif"
    assert "reason" not in activity_extra("je travaille pas à cause des enfants")


# --- housing ------------------------------------------------------------------------------------

def housing(text):
    found = categories.housing_mentions(_nt(text))
    return (found[0].value, found[0].extra["detail"]) if found else None


@pytest.mark.parametrize("text, value, detail", [
    ("un F1 meublé", "locataire", "locataire_meuble"),
    ("studio meublé", "locataire", "locataire_meuble"),
    ("je loue une chambre meublée", "locataire", "locataire_meuble"),
    ("chambre chez l'habitant", "locataire", "locataire_meuble"),
    ("appart non meublé", "locataire", "locataire"),
    ("je suis pas propriétaire, je loue", "locataire", "locataire"),
    ("pas en hlm, dans le privé", "locataire", "locataire"),
    ("locataire HLM", "logement_social", "logement_social"),
    ("chui en hlm a vandoeuvre", "logement_social", "logement_social"),
    ("mon bailleur c'est Vilogia", "logement_social", "logement_social"),
    ("je suis en résidence Crous", "locataire", "locataire_meuble"),
    ("cité U", "locataire", "locataire_meuble"),
    ("en FJT", "foyer", "foyer"),
    ("je vis en résidence sociale", "foyer", "foyer"),
    ("CHRS", "foyer", "foyer"),
    ("propriétaire avec un crédit", "proprietaire", "accedant"),
    ("on rembourse la maison", "proprietaire", "accedant"),
    ("proprio mais on a un credit sur 20 ans", "proprietaire", "accedant"),
    ("propriétaire, la maison est payée", "proprietaire", "proprietaire"),
    ("je suis domicilié au CCAS", "sans_domicile", "sans_domicile"),
    ("j'ai une adresse au CCAS", "sans_domicile", "sans_domicile"),
    ("domiciliée au secours populaire", "sans_domicile", "sans_domicile"),
    ("à la rue", "sans_domicile", "sans_domicile"),
    ("je dors dans ma voiture", "sans_domicile", "sans_domicile"),
    ("chez ma mère", "heberge", "heberge"),
    ("hébergé par un ami", "heberge", "heberge"),
    ("je vis chez mes parents gratuitement", "heberge", "heberge"),
    ("je paie pas de loyer je suis chez ma mère", "heberge", "heberge"),
    ("j'étais à la rue, maintenant en foyer", "foyer", "foyer"),
    ("je cherche un logement social, je suis hébergée chez ma soeur", "heberge", "heberge"),
    ("on a fini de payer la maison", "proprietaire", "proprietaire"),
    ("locataire dans le privé, un studio meublé", "locataire", "locataire_meuble"),
    ("je suis en foyer, je bosse en cdi", "foyer", "foyer"),
])
def test_housing(text, value, detail):
    assert housing(text) == (value, detail)


def test_housing_crous_is_flagged():
    assert categories.housing_mentions(_nt("résidence crous"))[0].extra == {"detail": "locataire_meuble",
                                                                             "crous": True}
    assert housing("j'ai la bourse du crous") is None


@pytest.mark.parametrize("text", [
    "je suis pas propriétaire", "je cherche un logement social", "j'ai fait une demande de HLM",
    "mon fils est locataire", "je travaille dehors", "j'ai 115 euros", "aide à domicile",
    "un contrôleur est venu chez ma soeur hier pour le compteur", "j'ai un crédit conso",
    "je suis aide soignante de nuit en ehpad", "je bosse au crous", "agent d'entretien dans un foyer",
])
def test_housing_not_read(text):
    assert housing(text) is None


def test_housing_mention_and_parse_keep_their_shape():
    nt = _nt("un studio meublé")
    value, start, end = categories.housing_mention(nt)
    assert value == "locataire_meuble" and nt.text[start:end] == "studio meuble"
    assert categories.parse_housing_status("propriétaire avec un crédit") == "accedant"
    assert categories.HOUSING_ENTITY_VALUE["accedant"] == "proprietaire"


# --- couple type --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, couple_type", [
    ("mariés", "marie"), ("on est marié depuis 10 ans", "marie"), ("pacsés", "pacse"),
    ("on est pacsé avec 2 enfants", "pacse"), ("concubinage", "union_libre"),
    ("on vit ensemble sans être mariés", "union_libre"), ("en union libre", "union_libre"),
    ("on est pas mariés mais on vit ensemble", "union_libre"), ("en couple", None),
    ("je vis avec mon copain", None),
])
def test_couple_type(text, couple_type):
    found = categories.relationship_mentions(_nt(text))
    assert [m.value for m in found] == ["couple"]
    assert found[0].extra.get("couple_type") == couple_type


@pytest.mark.parametrize("text", ["divorcée", "pas mariée", "je m'appelle Marie", "veuf"])
def test_couple_type_not_for_people_alone(text):
    assert all("couple_type" not in m.extra for m in categories.relationship_mentions(_nt(text)))


# --- pregnancy ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, subject", [
    ("je suis enceinte", True, "self"), ("chui enceinte de 5 mois", True, "self"),
    ("enceinte de 5 mois", True, "self"), ("j'attends un bébé", True, "self"),
    ("on attend un bébé pour juin", True, "self"), ("ma femme est enceinte", True, "partner"),
    ("ma copine attend notre premier bebe", True, "partner"), ("je vais être papa", True, "partner"),
    ("pas enceinte", False, "self"), ("je suis pas enceinte", False, "self"),
    ("non je n'attends pas d'enfant", False, "self"), ("nn jattend pas de bebe", False, "self"),
])
def test_pregnancy(text, value, subject):
    found = categories.pregnancy_mentions(_nt(text))
    assert [(m.value, m.extra["subject"]) for m in found] == [(value, subject)]


@pytest.mark.parametrize("text", [
    "ma fille est enceinte", "non", "j'ai accouché le mois dernier", "j'ai 2 enfants",
    "quand j'étais enceinte j'ai eu la paje", "si je tombe enceinte je perds le rsa ?",
])
def test_pregnancy_not_read(text):
    assert categories.pregnancy_mentions(_nt(text)) == []


# --- disability and work restriction ------------------------------------------------------------

def facts(text, entity):
    return [(m.value, m.extra.get("subject")) for m in categories.disability_mentions(_nt(text))
            if m.entity == entity]


@pytest.mark.parametrize("text, expected", [
    ("je suis handicapée", [(True, "self")]), ("j'ai la RQTH", [(True, "self")]),
    ("je touche l'aah", [(True, "self")]), ("dossier mdph en cours", [(True, "self")]),
    ("j'ai une maladie chronique", [(True, "self")]), ("en longue maladie", [(True, "self")]),
    ("mon mari est en fauteuil roulant", [(True, "partner")]),
    ("pas de handicap", [(False, "self")]), ("aucun handicap", [(False, "self")]),
    ("non je suis pas handicapé", [(False, "self")]),
])
def test_disability(text, expected):
    assert facts(text, "disability") == expected


@pytest.mark.parametrize("text", [
    "mon fils est handicapé", "c'est quoi l'AAH ?", "je touche pas l'aah", "bonjour",
    "c'est quoi l'allocation adulte handicapé",
])
def test_disability_not_read(text):
    assert facts(text, "disability") == []


@pytest.mark.parametrize("text, expected", [
    ("la mdph m'a reconnu la RSDAE", True), ("restriction substantielle et durable d'accès à l'emploi", True),
    ("pas de rsdae", False), ("non j'ai pas la restriction substantielle", False),
])
def test_work_restriction(text, expected):
    assert facts(text, "work_restriction") == [(expected, None)]


# --- student grant ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("je suis boursière", True), ("jsuis boursier", True), ("j'ai la bourse du Crous", True),
    ("échelon 5", True), ("boursière échelon 7", True), ("pas boursier", False),
    ("je n'ai pas de bourse", False), ("non boursière", False), ("ma bourse a été refusée", False),
])
def test_student_grant(text, expected):
    assert [m.value for m in categories.student_grant_mentions(_nt(text))] == [expected]


@pytest.mark.parametrize("text", [
    "bourse du lycée pour mon fils", "ma fille est boursière", "fonctionnaire échelon 5", "la bourse de l'emploi",
])
def test_student_grant_not_read(text):
    assert categories.student_grant_mentions(_nt(text)) == []


# --- kind of self-employment --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("vente", ["bic_vente"]), ("vente de marchandises", ["bic_vente"]), ("de la revente", ["bic_vente"]),
    ("auto-entrepreneur, je vends des bijoux sur les marchés", ["bic_vente"]),
    ("e-commerce", ["bic_vente"]), ("prestations de services", ["bic_services"]), ("services", ["bic_services"]),
    ("artisan", ["bic_services"]), ("je suis chauffeur VTC", ["bic_services"]),
    ("livreur deliveroo", ["bic_services"]), ("ménage à mon compte", ["bic_services"]),
    ("coiffure à domicile", ["bic_services"]), ("profession libérale", ["bnc"]),
    ("consultante en micro-entreprise", ["bnc"]), ("formatrice indépendante", ["bnc"]),
    ("graphiste freelance", ["bnc"]), ("je donne des cours particuliers", ["bnc"]),
    ("je vends sur vinted et je fais des retouches, auto-entrepreneuse", ["bic_vente", "bic_services"]),
])
def test_self_employed_kind(text, expected):
    assert [m.value for m in categories.self_employed_kind_mentions(_nt(text))] == expected


@pytest.mark.parametrize("text", [
    "je suis chauffeur livreur en cdi", "je suis coiffeuse", "c'est quoi ce service ?",
    "je ne veux plus de ce service", "je cherche un plombier", "tu connais un bon coiffeur",
    "je m'y connais pas en informatique", "je fais un service civique",
    "je travaille dans le commerce, en cdi", "bonjour", "je suis pas auto-entrepreneur",
])
def test_self_employed_kind_not_read(text):
    assert categories.self_employed_kind_mentions(_nt(text)) == []


# --- corrections --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "non en fait", "non en fait on a 3 enfants", "en fait non c'est 700", "je me suis trompée",
    "jme suis trompé c'est 2 enfants", "pardon c'est 850", "plutôt 900", "c'est plutôt 1200",
    "c'est 850 pas 580", "850 et pas 580", "non, 2 enfants", "non 2 enfants", "non c'est 900 euros",
    "pas étudiant mais salarié", "c'est pas 3 mais 2", "erreur, j'ai 42 ans", "je voulais dire 1200",
    "oups 3 enfants", "non j'ai 34 ans", "au temps pour moi, on est locataires",
])
def test_correction(text):
    found = categories.correction_mention(_nt(text))
    assert isinstance(found, Mention) and found.entity == "correction" and found.value is True


@pytest.mark.parametrize("text", [
    "non", "non merci", "nan", "non pas maintenant", "non je veux pas de rendez-vous",
    "j'ai pas de travail mais je cherche", "c'est pas beaucoup mais ça aide", "je suis plutôt bien",
    "oui", "j'ai 2 enfants", "je suis pas intéressée", "non je suis pas d'accord",
    "pas de loyer mais des charges", "non c'est bon merci", "non c'est pas ça", "non 2", "non c'est non",
    "erreur de numéro", "je me suis trompé de numéro", "si je me trompe je dois rembourser ?",
    "on peut changer la date du rdv ?",
])
def test_not_a_correction(text):
    assert categories.correction_mention(_nt(text)) is None


# --- several facts in one message ---------------------------------------------------------------

def test_several_facts_in_one_message():
    nt = _nt("mariés, 3 petits, mon mari est chauffeur et moi je cherche du travail, on est en hlm, "
             "je suis enceinte de 4 mois")
    acts = _by_entity(categories.activity_mentions(nt))
    assert acts["activity"].value == "chomeur"
    assert acts["partner_activity"].value == "salarie"
    assert acts["partner_activity"].extra["occupation"] == "chauffeur"
    assert housing(nt.text) == ("logement_social", "logement_social")
    assert categories.relationship_mentions(nt)[0].extra["couple_type"] == "marie"
    assert [m.value for m in categories.pregnancy_mentions(nt)] == [True]
    assert categories.correction_mention(nt) is None


def test_spans_are_in_the_normalised_text():
    nt = _nt("Chui aide-soignante à l'EHPAD")
    mention = _by_entity(categories.activity_mentions(nt))["activity"]
    assert nt.text[mention.start:mention.end] == "aide-soignante"


# --- scope helpers ------------------------------------------------------------------------------

def test_clauses_and_persons():
    text = _nt("je bosse pas et je vais plus a la fac, maintenant je cherche").text
    assert [text[c.start:c.end] for c in clauses(text)] == [
        "je bosse pas", "je vais plus a la fac", "maintenant je cherche"]
    assert [c.now for c in clauses(text)] == [False, False, True]
    kinds = [p.kind for p in persons(_nt("mon mari et ma fille, elle est au lycée, lui bosse").text)]
    assert kinds == ["partner", "other", "other", "other"]


# --- speed --------------------------------------------------------------------------------------

_VARIED = [
    "je suis aide-soignante en ehpad", "chui au chomdu depuis 6 mois", "mariés 3 enfants on habite nancy",
    "je paye 450 de loyer charges comprises", "mon mari est à la retraite et moi je fais des ménages",
    "je bosse pas et je vais plus a la fac", "je suis pas proprio je loue un f2 meublé",
    "bonjour je voudrais savoir si j'ai droit au rsa", "enceinte de 5 mois, pas de travail",
    "non en fait c'est 850 pas 580", "étudiante boursière échelon 5 en résidence crous",
    "auto-entrepreneur je vends sur les marchés, environ 800 euros par mois",
    "elle touche l'aah et moi je suis en invalidité", "je suis domiciliée au ccas",
    "ok", "oui", "1200", "jsp", "je travaille pas à cause de mon handicap, je vis chez ma mère",
]


def test_speed_per_message():
    messages = [f"{text} {i}" if i % 3 else text for i, text in enumerate(_VARIED * 27)][:500]
    readers = (categories.activity_mentions, categories.housing_mentions, categories.relationship_mentions,
               categories.pregnancy_mentions, categories.disability_mentions,
               categories.student_grant_mentions, categories.self_employed_kind_mentions,
               categories.correction_mention)
    started = time.perf_counter()
    for message in messages:
        nt = _nt(message)
        for read in readers:
            read(nt)
    per_message = (time.perf_counter() - started) / len(messages)
    assert per_message < 0.01, f"{per_message * 1000:.2f} ms per message"
