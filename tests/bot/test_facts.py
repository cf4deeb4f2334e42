"""What a message gives to the household: the NLU's entities (read once, by nlu.parsing, as the
EntityNormaliser does) mapped to answers by actions/facts.py, with the question asked as context."""
import pytest

from actions.facts import read
from actions.screening import changes_of
from actions.screening_plan import NOT_MICRO
from nlu.parsing import extract_entities


def answers_of(text, question=None, answers=None, intent=None):
    reading = read(extract_entities(text), question, answers or {}, intent)
    return reading.answers


@pytest.mark.parametrize("question,text,expected", [
    ("age", "35", {"age": 35}),
    ("age", "j'ai 42 ans", {"age": 42}),
    ("age", "soixante-sept ans", {"age": 67}),
    ("partner_age", "il a 58 ans", {"partner_age": 58}),
    ("partner_age", "58", {"partner_age": 58}),
    ("rent", "450", {"rent": 450.0}),
    ("rent", "100", {"rent": 100.0}),
    ("rent", "450 + 50 de charges", {"rent": 450.0, "charges": 50.0}),
    ("salary", "1200 balles", {"salary": 1200.0}),
    ("salary", "mille deux cents euros", {"salary": 1200.0}),
    ("salary", "1 350€", {"salary": 1350.0}),
    ("salary", "rien", {"salary": 0.0}),
    ("salary", "18000 par an", {"salary": 1500.0}),
    ("unemployment", "0", {"unemployment": 0.0}),
    ("unemployment", "non", {"unemployment": 0.0}),
    ("children", "deux enfants", {"children": 2}),
    ("children", "aucun", {"children": 0}),
    ("children_ages", "3 et 7 ans", {"children_ages": [3, 7]}),
    ("children_ages", "4 et 9", {"children_ages": [4, 9]}),
    ("housing_status", "hlm", {"housing_status": "logement_social"}),
    ("housing_status", "chez mes parents", {"housing_status": "heberge"}),
    ("activity", "je suis au chomage", {"activity": "chomeur"}),
    ("single_parent_recent", "oui", {"single_parent_recent": True}),
    ("single_parent_recent", "non", {"single_parent_recent": False}),
    ("disability", "non", {"disability": 0.0}),
    ("disability", "80%", {"disability": 0.8}),
    ("pregnant", "oui", {"pregnant": "self"}),
    ("student_grant", "non", {"student_grant": False}),
])
def test_answers_to_the_question_asked(question, text, expected):
    found = answers_of(text, question)
    assert {k: found.get(k) for k in expected} == expected


def test_a_bare_number_only_answers_the_question_asked():
    assert answers_of("450", "age") == {}
    assert answers_of("35", "rent") == {"rent": 35.0}
    assert "salary" not in answers_of("1200", "couple")


def test_an_aid_already_received_is_not_an_income():
    assert "salary" not in answers_of("je touche le RSA 600 €", "salary")


def test_several_facts_in_one_message_are_all_kept():
    found = answers_of("j'ai 35 ans, seule avec 3 enfants de 2, 5 et 9 ans", "age")
    assert found["age"] == 35 and found["couple"] is False and found["children"] == 3
    assert found["children_ages"] == [2, 5, 9]


def test_amounts_go_where_their_words_say():
    found = answers_of("je touche 900 de chômage et ma femme 1200 de salaire", "activity")
    assert found["unemployment"] == 900 and found["partner_income"] == 1200
    assert found["partner_income_type"] == "salary" and found["partner_activity"] == "salarie"


def test_after_what_do_you_do_an_amount_is_the_income_of_the_activity():
    found = answers_of("au chômage, je touche 900", "activity")
    assert found["activity"] == "chomeur" and found["unemployment"] == 900


def test_a_denied_number_is_not_said():
    assert answers_of("le loyer c'est 850 pas 580", "salary")["rent"] == 850


def test_buttons_give_their_values():
    reading = read([{"entity": "partner_activity", "value": "inactif"}, {"entity": "partner_reason", "value": "handicap"}],
                   "partner_activity", {})
    assert reading.answers["partner_activity"] == "inactif" and reading.answers["partner_reason"] == "handicap"
    micro = read([{"entity": "self_employed", "value": "not_micro"}], "self_employed", {})
    assert micro.answers == {"self_employed": NOT_MICRO} and micro.answered
    partner = read([{"entity": "disability_rate", "value": 0.8}], "partner_disability", {})
    assert partner.answers == {"partner_disability": 0.8}


def test_an_arrondissement_settles_a_town():
    lyon = {"code": "69123", "name": "Lyon", "arrondissements": [
        {"code": f"6938{n}", "name": f"Lyon {n}e Arrondissement"} for n in range(1, 10)]}
    found = answers_of("7", "commune", {"commune": lyon})
    assert found["commune"]["code"] == "69387"
    assert answers_of("69007", "commune", {"commune": lyon})["commune"]["code"] == "69387"


def test_a_departement_settles_a_homonym():
    pending = {"code": "25062", "name": "Blamont", "candidates": [
        {"code": "25062", "name": "Blamont", "departement": "25"},
        {"code": "54077", "name": "Blâmont", "departement": "54"}]}
    assert answers_of("54", "commune", {"commune": pending})["commune"]["code"] == "54077"
    button = read([{"entity": "commune_code", "value": "54077"}], "commune", {"commune": pending})
    assert button.answers["commune"]["code"] == "54077"


def test_dont_know_is_read_once_by_the_nlu():
    assert read(extract_entities("jsp"), "rent", {}).dont_know
    assert read([], "rent", {}, intent="dont_know").dont_know


def test_a_fact_fills_an_empty_answer_but_does_not_overwrite_one_in_passing():
    answers = {"housing_status": "logement_social"}
    reading = read(extract_entities("mon loyer c'est 380"), "rent", answers)
    assert changes_of(reading, "rent", answers) == {"rent": 380.0}


def test_a_correction_replaces_what_was_said():
    answers = {"children": 3, "children_ages": [2, 5, 9]}
    reading = read(extract_entities("non en fait j'ai 2 enfants"), "rent", answers)
    changes = changes_of(reading, "rent", answers)
    assert changes["children"] == 2 and changes["children_ages"] is None   # the ages are asked again


def test_at_the_recap_a_fact_replaces_the_answer():
    answers = {"rent": 580.0, "housing_status": "locataire"}
    reading = read(extract_entities("le loyer c'est 850 pas 580"), "recap", answers)
    assert changes_of(reading, "recap", answers) == {"rent": 850.0}


def test_the_question_asked_says_whose_fact_it_is():
    assert answers_of("rien", "partner_activity") == {"partner_activity": "inactif"}
    found = answers_of("mn conjoint est au chomage, 960 € par mois", "partner_income")
    assert found["partner_activity"] == "chomeur" and found["partner_income"] == 960


def test_no_job_on_the_side_is_no_salary_not_a_new_activity():
    assert answers_of("je travaille pas à côté", "salary", {"activity": "etudiant"}) == {"salary": 0.0}
    assert answers_of("je suis au chômage maintenant", "salary", {"activity": "salarie"})["activity"] == "chomeur"


def test_charges_said_with_the_rent():
    assert answers_of("795 dont 90 de charges", "rent") == {"rent": 705.0, "charges": 90.0}
    assert answers_of("460 charges comprises", "rent") == {"rent": 460.0}
    assert answers_of("605 hors charges, plus 100 de charges", "rent") == {"rent": 605.0, "charges": 100.0}


def test_a_short_clause_before_an_amount_names_it():
    found = answers_of("la pension d'invalidité, 710 par mois", "other_income")
    assert found["disability_pension"] == 710 and found["other_income"] == 0


def test_a_departement_named_in_words_settles_a_homonym():
    pending = {"code": "92007", "name": "Bagneux", "candidates": [
        {"code": "92007", "name": "Bagneux", "departement": "92"},
        {"code": "51032", "name": "Bagneux", "departement": "51"}]}
    assert answers_of("la marne", "commune", {"commune": pending})["commune"]["code"] == "51032"
    assert answers_of("dans le 92", "commune", {"commune": pending})["commune"]["code"] == "92007"


def test_children_counted_then_listed_are_counted_once():
    found = answers_of("je vis seul, 3 enfants : un de 10 ans, un de 4 ans et un bebe de 9 mois", "couple")
    assert found["children"] == 3 and found["children_ages"] == [10, 4, 0]
    assert answers_of("j'ai 2 filles et un fils", "couple")["children"] == 3


def test_no_idea_is_not_nothing_and_rien_is_no_money():
    reading = read(extract_entities("aucune idee"), "alimony", {})
    assert reading.dont_know and reading.answers == {}
    assert answers_of("rien", "alimony") == {"alimony": 0.0}


@pytest.mark.parametrize("question", ["self_employed", "pregnant", "student_grant", "single_parent_recent"])
def test_not_sure_is_never_a_no(question):
    reading = read(extract_entities("je ne sais pas trop"), question, {})
    assert reading.dont_know and reading.answers == {}
