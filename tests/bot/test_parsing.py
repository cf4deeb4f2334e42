"""Unit tests of nlu.parsing: real-world spellings of the answers to the screening questions."""
import json

import pytest

from nlu import parsing
from nlu.parsing import places
from nlu.parsing.text import normalise_with_offsets

HAS_COMMUNES = places.communes_file().exists()
needs_communes = pytest.mark.skipif(not HAS_COMMUNES, reason="var/data/communes.json missing: run `make data`")


# --- normalise ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Chui à Nancy", "je suis a nancy"),
    ("jsp", "je sais pas"),
    ("chais pas", "je sais pas"),
    ("je c pa", "je sais pas"),
    ("c koi la prime d’activité ?", "c'est quoi la prime d'activite ?"),
    ("G 3 gosses", "j'ai 3 gosses"),
    ("ya pas de pb", "il y a pas de probleme"),
    ("il y a un pb", "il y a un probleme"),
    ("OUIIII", "oui"),
    ("Jai  42   ans", "j'ai 42 ans"),
    ("j ai pas d enfant", "j'ai pas d'enfant"),
    ("tt va bien bcp de boulot", "tout va bien beaucoup de boulot"),
    ("Œuvre sociale", "oeuvre sociale"),
    ("c'était dur", "c'etait dur"),
    ("jveux un rdv", "je veux un rendez-vous"),
])
def test_normalise(text, expected):
    assert parsing.normalise(text) == expected


def test_normalise_keeps_offsets_to_the_original_text():
    original = "Chui à Nancy"
    nt = normalise_with_offsets(original)
    start = nt.text.index("nancy")
    begin, end = nt.span(start, start + 5)
    assert original[begin:end] == "Nancy"


# --- amounts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1200 balles", 1200.0),
    ("mille deux cents euros", 1200.0),
    ("1 350€", 1350.0),
    ("1.350", 1350.0),
    ("1,350 €", 1350.0),
    ("1350,50", 1350.5),
    ("1350.50 euros", 1350.5),
    ("1,2k", 1200.0),
    ("2k", 2000.0),
    ("1k2", 1200.0),
    ("900 par mois", 900.0),
    ("rien", 0.0),
    ("zéro", 0.0),
    ("0", 0.0),
    ("je touche rien", 0.0),
    ("aucun revenu", 0.0),
    ("huit cent cinquante", 850.0),
    ("neuf cents balles", 900.0),
    ("quatre-vingt-dix-neuf euros", 99.0),
    ("soixante et onze euros", 71.0),
    ("je touche 850e par mois", 850.0),
    ("je gagne dans les 1500 net", 1500.0),
    ("1 200,00 €", 1200.0),
    ("mil deux cent", 1200.0),
    ("2 mille", 2000.0),
    ("entre 800 et 900", 850.0),
    ("jsp dans les 700 je crois", 700.0),
    ("j'ai 2 enfants et je gagne 1200", 1200.0),
    ("loyer 450 charges comprises", 450.0),
    ("ma retraite c 1050 euros", 1050.0),
])
def test_parse_amount(text, expected):
    assert parsing.parse_amount(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["je sais pas", "bonjour", "deux enfants", "j'ai 35 ans", ""])
def test_parse_amount_without_amount(text):
    assert parsing.parse_amount(text) is None


@pytest.mark.parametrize("text, expected", [
    ("18000 par an", (18000.0, "year")),
    ("18 000 € par an", (18000.0, "year")),
    ("24k brut annuel", (24000.0, "year")),
    ("900 par mois", (900.0, "month")),
    ("1200/mois", (1200.0, "month")),
    ("1400 net mensuel", (1400.0, "month")),
    ("1200 balles", (1200.0, None)),
])
def test_parse_amount_period(text, expected):
    assert parsing.parse_amount_period(text) == expected


# --- ages ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("soixante-sept ans", 67),
    ("soixante sept", 67),
    ("35", 35),
    ("j'ai 42 ans", 42),
    ("jai 42", 42),
    ("42ans", 42),
    ("67 balais", 67),
    ("dixhuit ans", 18),
    ("quatre-vingt-deux ans", 82),
    ("j'ai 3 enfants et 35 ans", 35),
    ("au chômage depuis 3 ans, j'ai 50 ans", 50),
    ("bientot 30", 30),
    ("la trentaine", 30),
    ("quarante", 40),
    ("j'ai eu 65 ans le mois dernier", 65),
])
def test_parse_age(text, expected):
    assert parsing.parse_age(text) == expected


def test_parse_age_from_birth_year():
    import datetime
    assert parsing.parse_age("je suis né en 1958") == datetime.date.today().year - 1958


@pytest.mark.parametrize("text", ["150", "j'ai 130 ans", "je sais pas", "bonjour", "1200 euros"])
def test_parse_age_rejects(text):
    assert parsing.parse_age(text) is None


# --- counts -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("deux enfants", 2),
    ("aucun", 0),
    ("pas d'enfant", 0),
    ("pas d enfants", 0),
    ("non", 0),
    ("zéro", 0),
    ("sans enfant", 0),
    ("pas de gosses", 0),
    ("3 gosses", 3),
    ("trois", 3),
    ("1", 1),
    ("une fille et un garçon", 2),
    ("j'en ai 2", 2),
    ("des jumeaux", 2),
    ("mes 2 filles et mon fils", 3),
    ("on est 4 à la maison", 4),
    ("2 enfants de 3 et 7 ans", 2),
    ("un seul", 1),
    ("ma fille", 1),
    ("cinq gamins", 5),
])
def test_parse_count(text, expected):
    assert parsing.parse_count(text) == expected


def test_parse_count_without_count():
    assert parsing.parse_count("bonjour") is None


# --- children's ages ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("3 et 7 ans", [3, 7]),
    ("un de 5 ans et l'autre de 12", [5, 12]),
    ("2, 6, 14", [2, 6, 14]),
    ("un bébé de 8 mois", [0]),
    ("des jumeaux de 4 ans", [4, 4]),
    ("5ans et 8ans", [5, 8]),
    ("le grand a 15 ans, la petite 3", [15, 3]),
    ("2 enfants de 3 et 5 ans", [3, 5]),
    ("18 mois et 4 ans", [1, 4]),
    ("un an et trois ans", [1, 3]),
    ("ils ont 3 et 7 ans, je suis seule depuis 2 ans", [3, 7]),
    ("douze", [12]),
])
def test_parse_ages(text, expected):
    assert parsing.parse_ages(text) == expected


def test_parse_ages_without_ages():
    assert parsing.parse_ages("je sais pas") == []


# --- postcodes and communes ---------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("54000", "54000"),
    ("j'habite au 93200 saint denis", "93200"),
    ("mon cp 54 000", "54000"),
    ("20000", "20000"),
    ("97400", "97400"),
    ("99000", None),
    ("00100", None),
    ("1200 euros", None),
    ("je gagne 12000 par an", None),
    ("1234", None),
])
def test_find_postcode(text, expected):
    assert parsing.find_postcode(text) == expected


@needs_communes
@pytest.mark.parametrize("text, name", [
    ("Nancy", "Nancy"),
    ("nancy", "Nancy"),
    ("NANCY", "Nancy"),
    ("j habite a nancy", "Nancy"),
    ("chui sur toulouse", "Toulouse"),
    ("Vaulx en velin", "Vaulx-en-Velin"),
    ("vaulx-en-velain", "Vaulx-en-Velin"),
    ("essey les nancy", "Essey-lès-Nancy"),
    ("st etienne", "Saint-Étienne"),
    ("ste genevieve des bois", "Sainte-Geneviève-des-Bois"),
    ("lyon 7", "Lyon 7e Arrondissement"),
    ("Lyon 7eme", "Lyon 7e Arrondissement"),
    ("lyon 7ème", "Lyon 7e Arrondissement"),
    ("paris 15eme", "Paris 15e Arrondissement"),
    ("marseille 1er", "Marseille 1er Arrondissement"),
    ("75015", "Paris 15e Arrondissement"),
    ("54000", "Nancy"),
    ("j habite au havre", "Le Havre"),
    ("marseile", "Marseille"),
    ("toulousse", "Toulouse"),
    ("strasbourgg", "Strasbourg"),
    ("bordeaux 33000", "Bordeaux"),
    ("Nancy 54000", "Nancy"),
    ("je suis de Metz", "Metz"),
    ("je loue un appart a montreuil", "Montreuil"),
    ("saint denis 93200", "Saint-Denis"),
    ("lhay les roses", "L'Haÿ-les-Roses"),
    ("j habite pres de lille", "Lille"),
    ("chez mes parents a Reims", "Reims"),
    ("j'habite à Grand", "Grand"),
    ("Eu", "Eu"),
])
def test_find_commune(text, name):
    found = parsing.find_commune(text)
    assert found is not None, text
    assert found["name"] == name
    assert set(found) == {"code", "name", "postcodes"}


@needs_communes
def test_find_commune_returns_code_and_postcodes():
    found = parsing.find_commune("Nancy")
    assert found == {"code": "54395", "name": "Nancy", "postcodes": ["54000", "54100"]}


@needs_communes
def test_find_commune_prefers_the_homonym_with_the_postcode():
    assert parsing.find_commune("saint denis 93200")["code"] == "93066"


@needs_communes
@pytest.mark.parametrize("text", [
    "oui", "non", "y", "eu", "je suis a la rue", "je suis grand", "j'habite a grand", "je paye 450 de loyer",
    "de toute facon j ai droit a rien", "je vais a la caf", "c est pas pour moi", "plage", "merci",
    "la prime de noel", "aide au logement", "je veux un rdv a la mairie", "azertyuiop",
])
def test_find_commune_avoids_ordinary_words(text):
    assert parsing.find_commune(text) is None


def test_find_commune_reads_the_file_named_by_communes_file(tmp_path, monkeypatch):
    data = {"source": "test", "communes": [
        {"code": "99001", "name": "Bourg-Test-sur-Mer", "postcodes": ["12345"], "population": 10,
         "departement": "12", "parent": None}]}
    path = tmp_path / "communes.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("COMMUNES_FILE", str(path))
    places.reset_cache()
    try:
        assert parsing.find_commune("j'habite à bourg test sur mer")["code"] == "99001"
        assert parsing.find_commune("Nancy") is None
    finally:
        monkeypatch.delenv("COMMUNES_FILE")
        places.reset_cache()


# --- housing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("je loue un appart", "locataire"),
    ("locataire", "locataire"),
    ("chui locataire dans le privé", "locataire"),
    ("en location", "locataire"),
    ("mon proprio augmente le loyer", "locataire"),
    ("je paye 450 de loyer", "locataire"),
    ("un studio meublé", "locataire_meuble"),
    ("location meublée", "locataire_meuble"),
    ("en hlm", "logement_social"),
    ("locataire HLM", "logement_social"),
    ("logement social", "logement_social"),
    ("chez un bailleur social", "logement_social"),
    ("OPH de Nancy", "logement_social"),
    ("propriétaire", "proprietaire"),
    ("proprio", "proprietaire"),
    ("la maison est payée", "proprietaire"),
    ("je rembourse mon crédit maison", "accedant"),
    ("on a un prêt immobilier", "accedant"),
    ("propriétaire avec un crédit", "accedant"),
    ("chez mes parents", "heberge"),
    ("je vis chez ma mère", "heberge"),
    ("hébergé par un ami", "heberge"),
    ("hébergée gratuitement", "heberge"),
    ("je dors chez un pote", "heberge"),
    ("à la rue", "sans_domicile"),
    ("SDF", "sans_domicile"),
    ("je dors dans ma voiture", "sans_domicile"),
    ("sans domicile fixe", "sans_domicile"),
    ("foyer", "foyer"),
    ("résidence sociale", "foyer"),
    ("CHRS", "foyer"),
    ("en FJT", "foyer"),
])
def test_parse_housing_status(text, expected):
    assert parsing.parse_housing_status(text) == expected


def test_parse_housing_status_none():
    assert parsing.parse_housing_status("j'ai 3 enfants") is None


# --- relationship, activity ---------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("seul", "seul"), ("seule", "seul"), ("je vis seule sans enfant", "seul"),
    ("célibataire", "seul"), ("celib", "seul"), ("divorcée", "seul"), ("veuve", "seul"),
    ("pas en couple", "seul"), ("seule avec mes enfants", "seul"),
    ("en couple", "couple"), ("mariée", "couple"), ("pacsé", "couple"), ("concubinage", "couple"),
    ("je vis avec mon copain", "couple"), ("avec ma femme", "couple"), ("on est deux", "couple"),
    ("mon mari est décédé", "seul"),
])
def test_parse_relationship(text, expected):
    assert parsing.parse_relationship(text) == expected


def test_parse_relationship_ignores_one_child():
    assert parsing.parse_relationship("j'ai un seul enfant") is None


@pytest.mark.parametrize("text, expected", [
    ("je taf en interim", "salarie"), ("je bosse à l'usine", "salarie"), ("en cdi", "salarie"),
    ("salariée", "salarie"), ("aide à domicile", "salarie"), ("je travaille à mi-temps", "salarie"),
    ("auto-entrepreneur", "independant"), ("à mon compte", "independant"), ("artisan", "independant"),
    ("au chomage depuis mars", "chomeur"), ("au chômage", "chomeur"), ("sans emploi", "chomeur"),
    ("inscrit à pôle emploi", "chomeur"), ("je cherche du travail", "chomeur"),
    ("étudiante", "etudiant"), ("en bts", "etudiant"), ("à la fac", "etudiant"),
    ("retraité", "retraite"), ("à la retraite", "retraite"),
    ("mère au foyer", "inactif"), ("en arrêt maladie", "inactif"), ("en invalidité", "inactif"),
])
def test_parse_activity(text, expected):
    assert parsing.parse_activity(text) == expected


def test_parse_activity_none():
    assert parsing.parse_activity("c'est quoi le rsa") is None


# --- yes / no / don't know ----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["oui", "Oui", "ouais", "ouiii", "ok", "OK", "d'acc", "dac", "yes",
                                  "1", "bien sûr", "carrément", "oui c'est bon", "ça marche",
                                  "vas-y", "volontiers", "oui j'ai 2 enfants"])
def test_parse_yes(text):
    assert parsing.parse_yes_no(text) is True


@pytest.mark.parametrize("text", ["non", "Non", "nan", "nn", "non merci", "pas du tout", "2", "jamais",
                                  "pas d'accord", "c'est pas bon", "nope", "non pas maintenant"])
def test_parse_no(text):
    assert parsing.parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["oui et non", "je sais pas", "bonjour", "3", "il y a un probleme",
                                  "si j'ai droit", ""])
def test_parse_yes_no_undecided(text):
    assert parsing.parse_yes_no(text) is None


@pytest.mark.parametrize("text", ["jsp", "je sais pas", "je ne sais pas", "je sais plus", "je sais pu",
                                  "aucune idée", "chais pas", "chépa", "?", "??", "j'en sais rien",
                                  "je me souviens plus", "euh jsp", "je suis pas sûre"])
def test_is_dont_know(text):
    assert parsing.is_dont_know(text) is True


@pytest.mark.parametrize("text", ["oui", "1200", "je sais pas si j'ai le droit",
                                  "je sais pas comment faire", "bonjour", "oubliez moi"])
def test_is_not_dont_know(text):
    assert parsing.is_dont_know(text) is False


# --- benefits and life events -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("c'est quoi le RSA", "rsa"), ("le r.s.a", "rsa"), ("revenu de solidarité active", "rsa"),
    ("prime d'activité", "prime_activite"), ("c koi la prime dactivite", "prime_activite"),
    ("les apl", "aide_logement"), ("APL", "aide_logement"), ("l'ALS", "aide_logement"),
    ("ALF", "aide_logement"), ("aide au logement", "aide_logement"),
    ("C2S", "complementaire_sante_solidaire"), ("la CMU", "complementaire_sante_solidaire"),
    ("mutuelle gratuite", "complementaire_sante_solidaire"),
    ("minimum vieillesse", "aspa"), ("ASPA", "aspa"), ("l'AAH", "aah"),
    ("chèque énergie", "cheque_energie"), ("les allocs", "allocations_familiales"),
    ("allocations familiales", "allocations_familiales"), ("ASF", "allocation_soutien_familial"),
    ("complément familial", "complement_familial"), ("PAJE", "paje_base"),
    ("ARS", "allocation_rentree_scolaire"), ("prime de rentrée", "allocation_rentree_scolaire"),
    ("CEJ", "contrat_engagement_jeune"), ("contrat d'engagement jeune", "contrat_engagement_jeune"),
    ("bourse du collège", "bourse_college"), ("bourse du lycée", "bourse_lycee"),
    ("bourse du crous", "bourse_enseignement_superieur"),
])
def test_parse_benefit(text, expected):
    assert parsing.parse_benefit(text) == expected


def test_parse_benefit_none():
    assert parsing.parse_benefit("je vais à la caf demain") is None


@pytest.mark.parametrize("text, expected", [
    ("je viens d'avoir 18 ans", "devenir_adulte"), ("je deviens majeur", "devenir_adulte"),
    ("je vais être maman", "naissance"), ("enceinte", "naissance"), ("on attend un bébé", "naissance"),
    ("je viens d'accoucher", "naissance"),
    ("mère célibataire", "parent_seul"), ("j'élève seule mes enfants", "parent_seul"),
    ("parent isolé", "parent_seul"), ("seule avec mes 3 gosses", "parent_seul"),
    ("on se sépare", "separation"), ("je divorce", "separation"), ("il m'a quittée", "separation"),
    ("j'ai perdu mon boulot", "perte_emploi"), ("je me suis fait virer", "perte_emploi"),
    ("licencié", "perte_emploi"), ("fin de mon cdd", "perte_emploi"),
    ("je pars à la retraite", "senior"), ("j'ai 65 ans maintenant", "senior"),
    ("mon mari est décédé", "deces_conjoint"), ("je suis veuve", "deces_conjoint"),
    ("j'ai perdu ma femme", "deces_conjoint"),
    ("handicap", "handicap"), ("dossier MDPH", "handicap"), ("j'ai la RQTH", "handicap"),
])
def test_parse_life_event(text, expected):
    assert parsing.parse_life_event(text) == expected


@pytest.mark.parametrize("text", ["j'ai 35 ans", "j'ai 18 ans", "bonjour", "je suis locataire"])
def test_parse_life_event_none(text):
    assert parsing.parse_life_event(text) is None


@pytest.mark.parametrize("text, expected", [
    ("80%", 0.8), ("80 %", 0.8), ("80 pour cent", 0.8), ("quatre-vingts pour cent", 0.8),
    ("entre 50 et 79", 0.5), ("taux de 50", 0.5), ("plus de 80", 0.8), ("moins de 50", 0.0),
    ("50% mdph", 0.5), ("0,8", 0.8),
])
def test_parse_disability_rate(text, expected):
    assert parsing.parse_disability_rate(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["jsp", "pas de handicap", "bonjour"])
def test_parse_disability_rate_none(text):
    assert parsing.parse_disability_rate(text) is None


@pytest.mark.parametrize("text", ["seule avec 2 enfants de 3 et 7 ans", "seul sans enfant et sans boulot"])
def test_parse_relationship_alone_with_or_without(text):
    assert parsing.parse_relationship(text) == "seul"


def test_parse_relationship_marie_as_a_first_name():
    assert parsing.parse_relationship("je m'appelle Marie") is None
    assert parsing.parse_relationship("je suis marie") == "couple"
