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


def test_benefit_words_are_not_also_a_life_event(component):
    entities = parse(component, "c'est quoi le minimum vieillesse ?")
    assert values(entities, "benefit") == ["aspa"]
    assert values(entities, "life_event") == []


def test_children_ages_and_count(component):
    entities = parse(component, "j'ai 2 enfants de 3 et 7 ans")
    assert values(entities, "number") == [2]
    assert sorted(values(entities, "age")) == [3, 7]


def test_no_duplicates(component):
    entities = parse(component, "je gagne 1200 euros par mois, 1200 euros")
    keys = [(e["entity"], e["start"], e["end"]) for e in entities]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("text", ["azertyuiop", "bonjour", "STOP", "de toute façon j'ai droit à rien",
                                  "je veux parler à quelqu'un", "coucou", "à demain", "bisous",
                                  "c'est réservé aux pauvres", "on regarde ensemble ?",
                                  "ça répond tout seul ?", "je me débrouille toute seule",
                                  "un contrôleur est venu chez ma soeur", "j'ai besoin de personne",
                                  "je ne sais pas écrire en français", "ça me fait honte de tendre la main"])
def test_nothing_on_messages_without_facts(component, text):
    assert parse(component, text) == []


@pytest.mark.parametrize("text,said", [("oui", True), ("ça marche", True), ("non merci", False)])
def test_yes_and_no_are_read_once_as_an_entity(component, text, said):
    assert [(e["entity"], e["value"]) for e in parse(component, text)
            if e["entity"] == "yes_no"] == [("yes_no", said)]


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


# --- the parse-flag featurizer and the nonsense classifier (nlu/components/features.py) ---------

from nlu.components.features import FLAGS, NonsenseClassifier, ParseFeaturizer, parse_flags  # noqa: E402


def flags_of(text):
    return dict(zip(FLAGS, parse_flags(Message.build(text=text))))


def test_parse_flags_mark_the_facts_found():
    flags = flags_of("je touche 1200 balles")
    assert flags["amount"] == 1.0 and flags["age"] == 0.0
    assert flags_of("jsp")["dont_know"] == 1.0
    assert flags_of("ouais")["yes"] == 1.0
    assert flags_of("nan")["no"] == 1.0
    assert flags_of("qsdfgh jklm")["gibberish"] == 1.0
    assert flags_of("35")["only_facts"] == 1.0
    assert flags_of("de toute façon j'ai droit à rien")["only_facts"] == 0.0


def test_parse_featurizer_adds_dense_sentence_features():
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    message = Message.build(text="je loue un appart")
    tokenizer.process([message])
    featurizer = ParseFeaturizer(ParseFeaturizer.get_default_config(), "parse_featurizer")
    featurizer.process([message])
    sequence, sentence = message.get_dense_features("text", [])
    assert sentence.features.shape == (1, len(FLAGS))
    assert sequence.features.shape == (4, len(FLAGS))
    assert sentence.features[0][FLAGS.index("housing_status")] > 0.0


@pytest.mark.parametrize("text, nonsense", [
    ("azertyuiop", True), ("qsdfgh jklm", True), ("kkkkkkk", True), ("jkjkjk dfdf", True),
    ("jsp", False), ("oui", False), ("35", False), ("bonjour", False), ("SDF", False), ("HLM", False),
])
def test_nonsense_classifier(text, nonsense):
    message = Message.build(text=text)
    message.set("intent", {"name": "inform", "confidence": 0.9})
    NonsenseClassifier(NonsenseClassifier.get_default_config()).process([message])
    assert (message.get("intent")["name"] == "out_of_scope") is nonsense


from nlu.components.features import FactAnswerClassifier, is_fact_answer  # noqa: E402


@pytest.mark.parametrize("text, answer", [
    ("35", True), ("on est propriétaires", True), ("je touche 1200 balles", True), ("aucun", True),
    ("on a 2 enfants de 3 et 5 ans", True), ("je suis locataire d'un appartement", True),
    ("1", False), ("2", False), ("tout ça pour 20 euros, non merci", False), ("enceinte", False),
    ("c'est quoi le rsa", False), ("je gagne 1200 mais je sais pas", False), ("bonjour", False),
])
def test_is_fact_answer(text, answer):
    assert is_fact_answer(text) is answer


@needs_communes
def test_fact_answer_classifier_turns_a_town_into_inform():
    message = Message.build(text="je réside à Laxou")
    message.set("intent", {"name": "out_of_scope", "confidence": 0.34})
    FactAnswerClassifier(FactAnswerClassifier.get_default_config()).process([message])
    assert message.get("intent") == {"name": "inform", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "inform"


def test_fact_answer_classifier_keeps_yes_no_and_other_messages():
    component = FactAnswerClassifier(FactAnswerClassifier.get_default_config())
    kept = Message.build(text="3 enfants")
    kept.set("intent", {"name": "affirm", "confidence": 0.6})
    other = Message.build(text="pour 20 balles c'est pas la peine")
    other.set("intent", {"name": "objection_pas_la_peine", "confidence": 0.9})
    component.process([kept, other])
    assert kept.get("intent")["name"] == "affirm"
    assert other.get("intent")["name"] == "objection_pas_la_peine"
