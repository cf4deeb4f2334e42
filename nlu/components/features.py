"""Rasa 3.6 components that give the intent classifier what the rule-based parsers already know.

- `ParseFeaturizer` (dense featurizer, before DIET): one flag per kind of fact found by
  nlu.parsing in the message (an amount, an age, a town, a housing status, « je sais pas »,
  oui/non, random letters...). DIET learns how much to trust them, so that « on est
  propriétaires » or « Quimper » are read as answers even with words it never saw.
- `NonsenseClassifier` (intent classifier, after DIET and before FallbackClassifier): a message
  made only of unknown, randomly typed words (« qsdfgh jklm ») becomes `out_of_scope`, whatever
  DIET guessed, so that nonsense never triggers a screening path.
- `FactAnswerClassifier` (intent classifier, same place): a message that says nothing but facts
  of the screening (« je réside à Laxou », « 35 », « on est propriétaires ») becomes `inform`.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu import parsing
from nlu.components import reading
from nlu.parsing.text import normalise

ENTITY_FLAGS = ["amount", "age", "number", "postcode", "commune", "housing_status", "relationship",
                "benefit", "life_event", "activity"]
OTHER_FLAGS = ["dont_know", "yes", "no", "gibberish", "only_facts", "question", "rate"]
FLAGS = ENTITY_FLAGS + OTHER_FLAGS
# the flags sit next to 300 spaCy dimensions of a similar size: scaled up so that DIET notices them
FLAG_SCALE = 3.0

def parser_version() -> str:
    """Hash of nlu/parsing's code and word lists. ParseFeaturizer adds it to its training fingerprint
    because Rasa's training cache keys on configs and data, not on code: a parser change must
    recompute the features and retrain DIET."""
    root = Path(__file__).resolve().parents[1] / "parsing"
    digest = hashlib.sha256()
    for path in sorted(list(root.glob("*.py")) + list(root.glob("data/*.txt"))):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# facts that make a message an answer to a screening question (life events, a pregnancy among them,
# and benefits do not);
# the marks of a choice or a correction neither make nor unmake one
ANSWER_ENTITIES = {"amount", "age", "number", "postcode", "commune", "housing_status", "relationship",
                   "activity", "partner_activity", "disability", "disability_rate", "student_grant",
                   "work_restriction", "self_employed_kind"}
NEUTRAL_ENTITIES = {"choice", "weekday", "correction"}

# words that may surround facts in an answer (« j'habite à ... », « on est ... », « mon loyer c'est ... »)
FILLER_WORDS = set("""
je j ai suis es est sommes etes sont a au aux en on c ca y il elle ils elles nous vous moi
mon ma mes notre nos son sa ses de d du des le la les l un une et habite habitons habitez vis vit
vivons vivent reside residons sur dans chez euh ben bah ok par mois an ans euro euros balles net
environ pres peu avec sans enfant enfants gosse gosses qui que ont avons avez as fait font fais
touche touchons gagne gagnons percois recois paie paye payons actuellement maintenant moment aussi
voila commune village ville cote coin region secteur fils fille filles garcon garcons petit petite
petits petites bebe grand grande autre autres s plait bonjour loyer salaire code postal cp age seul
seule appartement maison studio logement appart m me
""".split())


def is_nonsense(message: Message, entities: Optional[List[Dict[str, Any]]] = None) -> bool:
    """Random letters only: see nlu.components.reading.nonsense (the message's shared reading)."""
    if entities is not None and entities:
        return False
    return reading.nonsense(message)


def _rest_after_facts(text: str, entities: List[Dict[str, Any]]) -> List[str]:
    """The words of the message that are neither part of an entity nor filler words."""
    pieces = []
    last = 0
    for entity in sorted(entities, key=lambda e: e["start"]):
        if entity["start"] >= last:
            pieces.append(text[last:entity["start"]])
            last = entity["end"]
    pieces.append(text[last:])
    words = re.findall(r"[a-z]+", normalise(" ".join(pieces)))
    return [w for w in words if w not in FILLER_WORDS]


def is_fact_answer(text: str, entities: Optional[List[Dict[str, Any]]] = None) -> bool:
    """True when `text` holds screening facts and nothing else (not a bare « 1 » / « 2 »)."""
    if entities is None:
        entities = parsing.extract_entities(text)
    kinds = {e["entity"] for e in entities} - NEUTRAL_ENTITIES
    if not kinds or not kinds <= ANSWER_ENTITIES:
        return False
    if re.fullmatch(r"\s*[12]\s*[.!]?\s*", text):
        return False  # the SMS menu choices « 1 » (yes) and « 2 » (no)
    return not _rest_after_facts(text, entities)


def is_correction(entities: List[Dict[str, Any]]) -> bool:
    """« non en fait j'ai 2 enfants »: a correction with a fact is an answer, even after a « non »."""
    kinds = {e["entity"] for e in entities}
    return "correction" in kinds and bool(kinds & ANSWER_ENTITIES)


def parse_flags(message: Message, keep: bool = True) -> np.ndarray:
    """The FLAGS of one message as a 0/1 vector, from the message's one reading by nlu.parsing
    (kept on the message for the components after this one unless `keep` is False)."""
    facts = reading.read(message, keep)
    text = facts["text"]
    entities = facts["entities"]
    kinds = {e["entity"] for e in entities}
    values = [1.0 if name in kinds else 0.0 for name in ENTITY_FLAGS]
    yes_no = facts["yes_no"]
    norm = normalise(text)
    values += [
        1.0 if facts["dont_know"] else 0.0,
        1.0 if yes_no is True else 0.0,
        1.0 if yes_no is False else 0.0,
        1.0 if reading.nonsense(message, keep) else 0.0,
        1.0 if is_fact_answer(text, entities) else 0.0,
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

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return parser_version()

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Nothing to validate: the component has no options of its own."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ParseFeaturizer":
        return cls(config, execution_context.node_name)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._featurize(message, keep=False)
        return training_data

    def _featurize(self, message: Message, keep: bool = True) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not message.get(TEXT) or not tokens:
            return
        sentence = FLAG_SCALE * parse_flags(message, keep).reshape(1, -1)
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
            if message.get(TEXT) and reading.nonsense(message):
                intent = {INTENT_NAME_KEY: self._intent, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [intent] + [r for r in (message.get("intent_ranking") or [])
                                      if r.get(INTENT_NAME_KEY) != self._intent]
                message.set(INTENT, intent, add_to_output=True)
                message.set("intent_ranking", ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FactAnswerClassifier(GraphComponent):
    """A message made only of screening facts becomes `inform` with full confidence."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # intents a fact answer may keep (« oui 3 enfants » stays affirm if DIET says so)
        return {"intent": "inform", "keep": ["affirm", "deny", "dont_know"]}

    def __init__(self, config: Dict[Text, Any]) -> None:
        config = {**self.get_default_config(), **(config or {})}
        self._intent = config["intent"]
        self._keep = set(config["keep"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FactAnswerClassifier":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not text or current == self._intent:
                continue
            entities = reading.entities(message)
            if current in self._keep and not is_correction(entities):
                continue
            if is_fact_answer(text, entities) or is_correction(entities):
                intent = {INTENT_NAME_KEY: self._intent, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [intent] + [r for r in (message.get("intent_ranking") or [])
                                      if r.get(INTENT_NAME_KEY) != self._intent]
                message.set(INTENT, intent, add_to_output=True)
                message.set("intent_ranking", ranking, add_to_output=True)
        return messages
