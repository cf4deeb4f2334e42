"""The Rasa component EntityNormaliser on Rasa Message objects."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu.components.normaliser import EXTRACTOR_NAME, EntityNormaliser
from nlu.parsing import places

needs_communes = pytest.mark.skipif(not places.communes_file().exists(),
                                    reason="var/data/communes.json missing: run `make data`")


@pytest.fixture(scope="module")
def component():
    return EntityNormaliser(EntityNormaliser.get_default_config())


def parse(component, text, entities=None):
    message = Message.build(text=text)
    if entities is not None:
        message.set("entities", entities)
    component.process([message])
    return message.get("entities")


def values(entities, name):
    return [e["value"] for e in entities if e["entity"] == name]


@pytest.mark.parametrize("text, entity, value", [
    ("1200 balles", "amount", 1200),
    ("mille deux cents euros", "amount", 1200),
    ("1 350€", "amount", 1350),
    ("1.350", "amount", 1350),
    ("1350,50 €", "amount", 1350.5),
    ("je touche rien", "amount", 0),
    ("soixante-sept ans", "age", 67),
    ("j'ai 42 ans", "age", 42),
    ("35", "age", 35),
    ("deux enfants", "number", 2),
    ("3 gosses", "number", 3),
    ("pas d'enfant", "number", 0),
    ("54000", "postcode", "54000"),
    ("je loue un appart", "housing_status", "locataire"),
    ("un studio meublé", "housing_status", "locataire"),
    ("je rembourse mon crédit maison", "housing_status", "proprietaire"),
    ("en HLM", "housing_status", "logement_social"),
    ("je vis seule", "relationship", "seul"),
    ("on est pacsés", "relationship", "couple"),
    ("c koi l'aspa", "benefit", "aspa"),
    ("je vais être maman", "life_event", "naissance"),
    ("je taf en interim", "activity", "salarie"),
])
def test_normalised_values(component, text, entity, value):
    entities = parse(component, text)
    assert value in values(entities, entity), entities
    assert all(isinstance(v, (int, float)) for v in values(entities, "amount") + values(entities, "age"))


def test_entities_keep_start_end_on_the_original_text(component):
    text = "Chui à Nancy et je touche 1200 balles"
    entities = parse(component, text)
    amount = next(e for e in entities if e["entity"] == "amount")
    assert text[amount["start"]:amount["end"]] == "1200 balles"
    assert amount["extractor"] == EXTRACTOR_NAME


@needs_communes
def test_commune_gets_official_name_and_code(component):
    entities = parse(component, "j'habite a vaulx en velin")
    commune = next(e for e in entities if e["entity"] == "commune")
    assert commune["value"] == "Vaulx-en-Velin"
    assert commune["code"] == "69256"
    assert "j'habite a vaulx en velin"[commune["start"]:commune["end"]] == "vaulx en velin"


@needs_communes
def test_arrondissement_is_not_also_a_number(component):
    entities = parse(component, "lyon 7eme")
    assert values(entities, "commune") == ["Lyon 7e Arrondissement"]
    assert values(entities, "number") == [] and values(entities, "amount") == []


def test_one_span_is_not_both_age_and_amount(component):
    for text in ["j'ai 42 ans", "je gagne 42 euros", "35", "1500"]:
        entities = parse(component, text)
        spans = [(e["start"], e["end"]) for e in entities if e["entity"] in ("age", "amount", "number")]
        assert len(spans) == len(set(spans)) == 1, (text, entities)


def test_children_ages_and_count(component):
    entities = parse(component, "j'ai 2 enfants de 3 et 7 ans")
    assert values(entities, "number") == [2]
    assert sorted(values(entities, "age")) == [3, 7]


def test_no_duplicates(component):
    entities = parse(component, "je gagne 1200 euros par mois, 1200 euros")
    keys = [(e["entity"], e["start"], e["end"]) for e in entities]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("text", ["azertyuiop", "bonjour", "STOP", "de toute façon j'ai droit à rien",
                                  "je veux parler à quelqu'un", "oui"])
def test_nothing_on_messages_without_facts(component, text):
    assert parse(component, text) == []


def test_other_extractors_entities_are_normalised_or_dropped(component):
    text = "j'ai trente ans et plein de trucs"
    diet = [{"entity": "age", "start": 6, "end": 15, "value": "trente ans", "extractor": "DIETClassifier"},
            {"entity": "amount", "start": 19, "end": 31, "value": "plein de trucs", "extractor": "DIETClassifier"}]
    entities = parse(component, text, diet)
    assert values(entities, "age") == [30]
    assert values(entities, "amount") == []


def test_process_handles_empty_text(component):
    message = Message.build(text="")
    component.process([message])
    assert not message.get("entities")
