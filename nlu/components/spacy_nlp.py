"""Rasa's `SpacyNLP` without the spaCy pipes nothing of our pipeline reads (issue 13).

Rasa 3.6 loads the spaCy model with every pipe but the dependency parser. fr_core_news_md then
also runs its named-entity recogniser on every message, about half of spaCy's time, for entities
no component of bot/config.yml reads: SpacyTokenizer takes the words, lemmas and parts of speech
(tok2vec, morphologizer, attribute_ruler, lemmatizer), SpacyFeaturizer the word vectors, and
NonsenseClassifier the vocabulary. This loader leaves out the pipes of `disable` (default: the parser
and the NER); words, lemmas, parts of speech and vectors are the same (checked on every message of
nlu/test and of the fidelity personas when it was written: docs/benchmarks.md).

The class keeps the name `SpacyNLP`: Rasa's recipe gives SpacyTokenizer and SpacyFeaturizer the
model of the node whose class is named so. Referenced in bot/config.yml as
`nlu.components.spacy_nlp.SpacyNLP`.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils import spacy_utils
from rasa.nlu.utils.spacy_utils import SpacyModel

# what our pipeline never reads from a spaCy doc
UNUSED_PIPES = ["parser", "ner"]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(spacy_utils.SpacyNLP):
    """Loads the spaCy model once, without the pipes of `disable`."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**spacy_utils.SpacyNLP.get_default_config(), "disable": list(UNUSED_PIPES)}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SpacyNLP":
        config = {**cls.get_default_config(), **config}
        model = cls.load_lean_model(config.get("model"), list(config["disable"]))
        cls.ensure_proper_language_model(model.model)
        return cls(model, config)

    @classmethod
    def load_lean_model(cls, name: Text, disable: List[Text]) -> SpacyModel:
        """Rasa's checks (`load_model`), then the pipes of `disable` turned off."""
        model = cls.load_model(name)
        present = set(model.model.pipe_names)
        for pipe in disable:
            if pipe in present:
                model.model.disable_pipe(pipe)
        return model
