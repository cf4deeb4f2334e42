"""Answers to the screening questions, as people write them."""
import pytest

from actions.answers import interpret


@pytest.mark.parametrize("question,text,expected", [
    ("age", "35", 35),
    ("age", "j'ai 42 ans", 42),
    ("age", "soixante-sept ans", 67),
    ("partner_age", "il a 58 ans", 58),
    ("rent", "450", 450.0),
    ("rent", "450€ charges comprises", 450.0),
    ("salary", "1200 balles", 1200.0),
    ("salary", "mille deux cents euros", 1200.0),
    ("salary", "1 350€", 1350.0),
    ("salary", "rien", 0.0),
    ("salary", "18000 par an", 1500.0),
    ("unemployment", "0", 0.0),
    ("children", "deux enfants", 2),
    ("children", "aucun", 0),
    ("children_ages", "3 et 7 ans", [3, 7]),
    ("housing_status", "je loue un appart", "locataire"),
    ("housing_status", "hlm", "logement_social"),
    ("housing_status", "chez mes parents", "heberge"),
    ("activity", "je suis au chomage", "chomeur"),
    ("activity", "retraité", "retraite"),
    ("single_parent_recent", "oui", True),
    ("single_parent_recent", "non", False),
    ("disability", "non", 0.0),
    ("disability", "80%", 0.8),
])
def test_understood_answers(question, text, expected):
    answer = interpret(question, text)
    assert not answer.unknown
    assert answer.value == expected


@pytest.mark.parametrize("question", ["age", "rent", "salary", "children", "commune", "housing_status"])
@pytest.mark.parametrize("text", ["je sais pas", "jsp", "aucune idée"])
def test_dont_know_is_always_accepted(question, text):
    assert interpret(question, text).unknown


def test_the_dont_know_button_is_accepted_whatever_the_text():
    assert interpret("rent", "/dont_know", intent="dont_know").unknown


@pytest.mark.parametrize("question,text", [
    ("age", "bonjour"), ("age", "250"), ("rent", "beaucoup"), ("salary", "54000000"),
    ("children", "plein"), ("housing_status", "bleu"), ("activity", "le ciel"), ("commune", "xyzzyqq"),
])
def test_answers_that_are_not_understood(question, text):
    answer = interpret(question, text)
    assert not answer.understood


def test_commune_by_name_and_by_postcode():
    by_name = interpret("commune", "j'habite à Vaulx-en-Velin")
    assert by_name.value["code"] == "69256" and by_name.value["name"] == "Vaulx-en-Velin"
    by_postcode = interpret("commune", "54000")
    assert by_postcode.value["code"] == "54395"


def test_one_message_can_answer_two_questions():
    answer = interpret("couple", "seule avec 2 enfants de 3 et 7 ans")
    assert answer.value is False
    assert answer.also == {"children": 2, "children_ages": [3, 7]}


def test_button_payload_entities_come_first():
    answer = interpret("couple", '/inform{"relationship": "couple", "number": 0}',
                       entities=[{"entity": "relationship", "value": "couple"}, {"entity": "number", "value": 0}])
    assert answer.value is True and answer.also == {"children": 0}
    housing = interpret("housing_status", "", entities=[{"entity": "housing_status", "value": "foyer"}])
    assert housing.value == "foyer"


@pytest.mark.parametrize("text", ["non rien du tout", "je touche rien", "non", "aucune", "rien de rien"])
def test_a_plain_no_to_how_much_means_zero(text):
    assert interpret("alimony", text).value == 0.0


@pytest.mark.parametrize("text", ["pas beaucoup", "bof", "ça dépend"])
def test_vague_amounts_are_not_zero(text):
    assert not interpret("salary", text).understood


def test_a_bare_count_is_not_an_age():
    answer = interpret("children", "1")
    assert answer.value == 1 and answer.also == {}
    assert interpret("children", "2 enfants de 4 et 9 ans").also == {"children_ages": [4, 9]}
