"""Rasa 3.6 component that adds entities with normalised values to every parsed message.

Referenced in bot/config.yml as `nlu.components.normaliser.EntityNormaliser`, after the intent
classifier. It takes the entities of nlu.parsing.extract_entities from the message's one reading
(nlu.components.reading: made by ParseFeaturizer, or here if no component before read it), so that `/model/parse`
already returns clean values (« 1200 balles » → amount 1200, « soixante-sept ans » → age 67,
« je loue un appart » → housing_status locataire, a town → its official name and INSEE code).

Entities already present (for example from DIET, if its entity recognition is turned on) are
kept when no rule-based entity covers the same characters, and their value is normalised with
the same parsers.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu import parsing
from nlu.components import reading
from nlu.parsing import numbers

EXTRACTOR_NAME = "EntityNormaliser"


def _normalise_value(entity: str, text: str) -> Any:
    """Normalised value of an entity span found by another extractor, or None."""
    if entity == "amount":
        value = parsing.parse_amount(text)
        return None if value is None else numbers.as_number(value)
    if entity == "age":
        return parsing.parse_age(text)
    if entity == "number":
        return parsing.parse_count(text)
    if entity == "postcode":
        return parsing.find_postcode(text)
    if entity == "commune":
        commune = parsing.find_commune(text)
        return commune["name"] if commune else None
    if entity == "housing_status":
        value = parsing.parse_housing_status(text)
        return {"locataire_meuble": "locataire", "accedant": "proprietaire"}.get(value, value)
    if entity == "relationship":
        return parsing.parse_relationship(text)
    if entity == "benefit":
        return parsing.parse_benefit(text)
    if entity == "life_event":
        return parsing.parse_life_event(text)
    if entity == "activity":
        return parsing.parse_activity(text)
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityNormaliser(GraphComponent, EntityExtractorMixin):
    """Rule-based entities with normalised values (amount, age, number, postcode, commune...)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # entity types this component emits (None: every fact nlu.parsing reads, see
            # docs/conversation.md); others are left alone
            "entities": None,
            # load the communes list when the model loads rather than on the first message
            "preload_communes": True,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **(config or {})}
        wanted = self._config["entities"]
        self._wanted = set(wanted) if wanted is not None else None
        if self._config.get("preload_communes"):
            try:
                parsing.find_commune("Nancy")
            except FileNotFoundError:
                pass  # without the communes file, communes are simply not found

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "EntityNormaliser":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_message(message)
        return messages

    def _process_message(self, message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        if not text:
            return
        existing = list(message.get(ENTITIES) or [])
        # copies: the reading's entities are shared with the other components
        found = [{**e, "extractor": EXTRACTOR_NAME, "confidence_entity": 1.0} for e in reading.entities(message)
                 if self._wanted is None or e["entity"] in self._wanted]
        covered = [(e["start"], e["end"], e["entity"]) for e in found]
        kept: List[Dict[str, Any]] = []
        for entity in existing:
            start, end, name = entity.get("start"), entity.get("end"), entity.get("entity")
            if any(name == n and not (end <= s or start >= e) for s, e, n in covered):
                continue  # the rule-based entity wins on the same characters
            if (self._wanted is None or name in self._wanted) and start is not None and end is not None:
                value = _normalise_value(name, text[start:end])
                if value is None:
                    continue
                entity = {**entity, "value": value}
            kept.append(entity)
        message.set(ENTITIES, sorted(kept + found, key=lambda e: (e.get("start", 0), e.get("end", 0))),
                    add_to_output=True)
