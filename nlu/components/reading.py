"""One reading of a message by nlu.parsing, shared by the components of the pipeline (issue 13).

ParseFeaturizer (its flags), NonsenseClassifier, FactAnswerClassifier and EntityNormaliser all need
the same facts of the same text: the entities of `nlu.parsing.extract_entities`, oui/non,
« je sais pas », and whether the message is random letters. The first of them to ask reads the
message with `read(message)`; the reading is kept on the Rasa `Message` under `READING` (not an
output property: `/model/parse` does not return it), and the others get it from there.

A reading holds only JSON values (a dict) so that the message stays serialisable. It is tied to
the text it was made from: a message whose text changed is read again. Its entities are shared:
a component that changes them (EntityNormaliser adds `extractor`) copies them first.

During training (`process_training_data`) readings are not kept on the messages (`keep=False`),
so the training data, and Rasa's training cache keyed on it, are as before.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu import parsing
from nlu.parsing.text import looks_like_gibberish, normalise

READING = "tzn_reading"


def read(message: Message, keep: bool = True) -> Dict[str, Any]:
    """The reading of `message`'s text: made once, then found on the message."""
    text = message.get(TEXT) or ""
    reading = message.get(READING)
    if isinstance(reading, dict) and reading.get("text") == text:
        return reading
    reading = {
        "text": text,
        "entities": parsing.extract_entities(text),
        "yes_no": parsing.parse_yes_no(text),
        "dont_know": parsing.is_dont_know(text),
        "nonsense": None,   # computed on demand: it needs spaCy's vocabulary (see `nonsense`)
    }
    if keep:
        message.set(READING, reading)
    return reading


def entities(message: Message, keep: bool = True) -> List[Dict[str, Any]]:
    """The entities nlu.parsing finds in the message (shared: copy them before changing them)."""
    return read(message, keep)["entities"]


def known_word_checker(message: Message) -> Optional[Callable[[str], bool]]:
    """A word is known when spaCy has a vector for it or an SMS rule expands it."""
    import re

    doc = message.get(SPACY_DOCS[TEXT])
    vocab = getattr(doc, "vocab", None)

    def known(word: str) -> bool:
        squeezed = re.sub(r"([a-z])\1{2,}", r"\1", word)
        if normalise(word) != squeezed:  # an SMS spelling such as « jsp », « bjr »
            return True
        return bool(vocab is not None and vocab.has_vector(word))

    return known


def nonsense(message: Message, keep: bool = True) -> bool:
    """True when the message is only random letters (no fact, no oui/non, no « je sais pas »)."""
    reading = read(message, keep)
    if reading["nonsense"] is None:
        reading["nonsense"] = bool(
            not reading["entities"] and not reading["dont_know"] and reading["yes_no"] is None
            and looks_like_gibberish(reading["text"], known_word_checker(message)))
    return reading["nonsense"]
