"""The trained model on the contract's examples (../shared/spec/intents.md and issue 4).

Skipped when bot/models/current.tar.gz is missing (`make model` builds it).
"""
import asyncio
from pathlib import Path

import pytest

from nlu.parsing import places

MODEL = Path(__file__).resolve().parents[2] / "bot" / "models" / "current.tar.gz"

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model at bot/models/current.tar.gz: "
                                                          "run `make model`")


@pytest.fixture(scope="module")
def parse():
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()


def entity_values(parsed, name):
    return [e["value"] for e in parsed["entities"] if e["entity"] == name]


@pytest.mark.parametrize("text, intent", [
    ("Bonjour", "greet"),
    ("Allez, bonne soirée", "goodbye"),
    ("oui c'est bon", "affirm"),
    ("non", "deny"),
    ("je sais plus", "dont_know"),
    ("merci bien", "thanks"),
    ("je voudrais connaître mes droits", "start_screening"),
    ("de toute façon j'ai droit à rien", "doute_droits"),
    ("c pas pour moi", "doute_droits"),
    ("on m'a dit que j'avais pas le droit", "doute_droits"),
    ("j'ai peur de devoir rembourser", "objection_controle"),
    ("les papiers c'est trop dur pour moi", "objection_complexite"),
    ("je ne veux rien demander à personne", "objection_autonomie"),
    ("ça rapporte trois fois rien", "objection_pas_la_peine"),
    ("je peux parler à une vraie personne ?", "ask_human"),
    ("je veux un rendez-vous", "book_appointment"),
    ("je ne pourrai pas venir jeudi", "cancel_appointment"),
    ("c'est quoi l'ASPA ?", "ask_benefit_info"),
    ("je vais être maman", "life_event"),
    ("SUPPRIMER", "delete_data"),
    ("effacez mes informations", "delete_data"),
    ("STOP", "stop"),
    ("ne m'envoyez plus rien", "stop"),
    ("AIDE", "help"),
    ("je ne comprends pas comment ça marche", "help"),
    ("c'est un robot qui répond ?", "bot_challenge"),
    ("vous faites quoi de mes réponses ?", "privacy_question"),
    ("recommencer", "restart"),
    ("on reprend du début", "restart"),
])
def test_contract_intents(parse, text, intent):
    assert parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize("text, entity, value", [
    ("1200 balles", "amount", 1200),
    ("mille deux cents euros", "amount", 1200),
    ("1 350€", "amount", 1350),
    ("1.350", "amount", 1350),
    ("soixante-sept ans", "age", 67),
    ("deux enfants", "number", 2),
    ("je loue un appart", "housing_status", "locataire"),
    ("54000", "postcode", "54000"),
])
def test_contract_entities(parse, text, entity, value):
    parsed = parse(text)
    assert parsed["intent"]["name"] == "inform"
    assert value in entity_values(parsed, entity)


def test_benefit_and_life_event_entities(parse):
    assert entity_values(parse("c'est quoi l'ASPA ?"), "benefit") == ["aspa"]
    assert entity_values(parse("je vais être maman"), "life_event") == ["naissance"]


@pytest.mark.skipif(not places.communes_file().exists(), reason="var/data/communes.json missing")
@pytest.mark.parametrize("text, name", [("Vaulx-en-Velin", "Vaulx-en-Velin"),
                                        ("j'habite a essey les nancy", "Essey-lès-Nancy"),
                                        ("nancy", "Nancy")])
def test_town_gives_official_name(parse, text, name):
    parsed = parse(text)
    assert parsed["intent"]["name"] == "inform"
    assert entity_values(parsed, "commune") == [name]


@pytest.mark.parametrize("text", ["35", "oui", "2 enfants", "900"])
def test_short_answers_do_not_fall_back(parse, text):
    assert parse(text)["intent"]["name"] != "nlu_fallback"


@pytest.mark.parametrize("text", ["azertyuiop", "qsdfgh jklm", "xkcdvbn wxcv", "ppppp lmlm"])
def test_nonsense_is_not_a_screening_intent(parse, text):
    parsed = parse(text)
    assert parsed["intent"]["name"] in ("nlu_fallback", "out_of_scope")
    assert not parsed["entities"]
