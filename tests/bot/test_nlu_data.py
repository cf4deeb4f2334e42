"""The NLU training data and the held-out test set: coverage, size, and no leak between them."""
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from nlu.parsing.text import simple_normalise

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_INTENTS = {
    "greet", "goodbye", "affirm", "deny", "dont_know", "thanks", "start_screening", "doute_droits",
    "objection_controle", "objection_complexite", "objection_autonomie", "objection_pas_la_peine",
    "ask_human", "book_appointment", "cancel_appointment", "ask_benefit_info", "life_event", "inform",
    "delete_data", "stop", "help", "bot_challenge", "privacy_question", "out_of_scope",
}
CONTRACT_ENTITIES = {"amount", "age", "number", "postcode", "commune", "housing_status", "relationship",
                     "benefit", "life_event"}


@pytest.fixture(scope="module")
def train():
    return load_data(str(ROOT / "nlu" / "data"))


@pytest.fixture(scope="module")
def test_set():
    return load_data(str(ROOT / "nlu" / "test"))


def domain_intents():
    domain = yaml.safe_load((ROOT / "bot" / "domain" / "intents.yml").read_text(encoding="utf-8"))
    return set(domain["intents"]) - {"nlu_fallback"}


def test_domain_has_every_contract_intent():
    assert CONTRACT_INTENTS <= domain_intents()


def test_at_least_40_training_examples_per_intent(train):
    counts = Counter(m.get("intent") for m in train.intent_examples)
    assert set(counts) == domain_intents()
    assert min(counts.values()) >= 40, counts
    for intent in ("inform", "out_of_scope", "doute_droits", "objection_controle", "objection_complexite",
                   "objection_autonomie", "objection_pas_la_peine"):
        assert counts[intent] >= 55, (intent, counts[intent])


def test_at_least_15_test_examples_per_intent(test_set):
    counts = Counter(m.get("intent") for m in test_set.intent_examples)
    assert set(counts) == domain_intents()
    assert min(counts.values()) >= 15, counts


def test_test_set_annotates_contract_entities(test_set):
    annotated = {e["entity"] for m in test_set.intent_examples for e in m.get("entities") or []}
    assert CONTRACT_ENTITIES <= annotated


def test_no_test_message_is_in_the_training_data(train, test_set):
    def key(text):
        return " ".join(re.findall(r"[a-z0-9]+", simple_normalise(text))) or text.strip()

    seen = {key(m.get("text")) for m in train.intent_examples}
    leaked = [m.get("text") for m in test_set.intent_examples if key(m.get("text")) in seen]
    assert not leaked
