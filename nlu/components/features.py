"""Rasa 3.6 components that give the intent classifier what the rule-based parsers already know.

- `ParseFeaturizer` (dense featurizer, before DIET): one flag per kind of fact found by
  nlu.parsing in the message (an amount, an age, a town, a housing status, « je sais pas »,
  oui/non, random letters...). DIET learns how much to trust them, so that « on est
  propriétaires » or « Quimper » are read as answers even with words it never saw.
- `NonsenseClassifier` (intent classifier, after DIET and before FallbackClassifier): a message
  made only of unknown, randomly typed words (« qsdfgh jklm ») becomes `out_of_scope`, whatever
  DIET guessed, so that nonsense never triggers a screening path.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu import parsing
from nlu.parsing.text import looks_like_gibberish, normalise

ENTITY_FLAGS = ["amount", "age", "number", "postcode", "commune", "housing_status", "relationship",
                "benefit", "life_event", "activity"]
OTHER_FLAGS = ["dont_know", "yes", "no", "gibberish", "only_facts", "question", "rate"]
FLAGS = ENTITY_FLAGS + OTHER_FLAGS

_FILLER_WORDS = re.compile(
    r"\b(?:je|j'ai|j|suis|ai|a|au|en|on|est|c'est|mon|ma|mes|de|d|du|des|le|la|les|l|un|une|et|moi|il|"
    r"elle|ils|y|habite|vis|vit|sur|dans|chez|euh|ben|bah|ok|oui|non|par|mois|an|ans|euros?|balles|"
    r"net|environ|pres|a peu pres|avec|sans|enfants?|gosses?|depuis|qui|que|ont|avons|sommes|mais|"
    r"tout|toute|seul|seule|pour|plus|pas|ne|n|me|m|loyer|salaire|code|postal|cp|ville|age)\b")


def known_word_checker(message: Message) -> Optional[Callable[[str], bool]]:
    """A word is known when spaCy has a vector for it or an SMS rule expands it."""
    doc = message.get(SPACY_DOCS[TEXT])
    vocab = getattr(doc, "vocab", None)

    def known(word: str) -> bool:
        if normalise(word) != word:
            return True
        return bool(vocab is not None and vocab.has_vector(word))

    return known


def is_nonsense(message: Message, entities: Optional[List[Dict[str, Any]]] = None) -> bool:
    text = message.get(TEXT) or ""
    if entities is None:
        entities = parsing.extract_entities(text)
    if entities or parsing.is_dont_know(text) or parsing.parse_yes_no(text) is not None:
        return False
    return looks_like_gibberish(text, known_word_checker(message))


def parse_flags(message: Message) -> np.ndarray:
    """The FLAGS of one message as a 0/1 vector."""
    text = message.get(TEXT) or ""
    entities = parsing.extract_entities(text)
    kinds = {e["entity"] for e in entities}
    values = [1.0 if name in kinds else 0.0 for name in ENTITY_FLAGS]
    yes_no = parsing.parse_yes_no(text)
    norm = normalise(text)
    rest = norm
    for entity in sorted(entities, key=lambda e: -e["start"]):
        rest = rest.replace(normalise(text[entity["start"]:entity["end"]]), " ")
    rest = _FILLER_WORDS.sub(" ", re.sub(r"[^a-z' ]", " ", rest))
    values += [
        1.0 if parsing.is_dont_know(text) else 0.0,
        1.0 if yes_no is True else 0.0,
        1.0 if yes_no is False else 0.0,
        1.0 if is_nonsense(message, entities) else 0.0,
        1.0 if entities and not rest.strip() else 0.0,
        1.0 if "?" in text else 0.0,
        1.0 if re.search(r"%|pour ?cent|\btaux\b", norm) else 0.0,
    ]
    return np.array(values, dtype=np.float32)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ParseFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense sentence features: which facts nlu.parsing finds in the message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config()}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ParseFeaturizer":
        return cls(config, execution_context.node_name)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def _featurize(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not message.get(TEXT) or not tokens:
            return
        sentence = parse_flags(message).reshape(1, -1)
        sequence = np.zeros((len(tokens), sentence.shape[1]), dtype=np.float32)
        self.add_features_to_message(sequence=sequence, sentence=sentence, attribute=TEXT, message=message)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class NonsenseClassifier(GraphComponent):
    """Random letters become `out_of_scope` with full confidence."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent": "out_of_scope"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._intent = {**self.get_default_config(), **(config or {})}["intent"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "NonsenseClassifier":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(TEXT) and is_nonsense(message):
                intent = {INTENT_NAME_KEY: self._intent, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [intent] + [r for r in (message.get("intent_ranking") or [])
                                      if r.get(INTENT_NAME_KEY) != self._intent]
                message.set(INTENT, intent, add_to_output=True)
                message.set("intent_ranking", ranking, add_to_output=True)
        return messages
