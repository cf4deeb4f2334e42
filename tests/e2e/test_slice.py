"""The first slice, through the real path: web chat API → Rasa → action server → eligibility on
OpenFisca → reply. The amounts the person reads match a direct OpenFisca computation of the same
household, written out by hand."""
from __future__ import annotations

import re

import httpx
from openfisca_france import FranceTaxBenefitSystem

from tests.e2e.chat import ChatSession, Persona
from tests.svc.eligibility.eligibility_reference import every_year, family, home, person, reference_amounts
from tests.svc.eligibility.test_eligibility_reference import SALARY_900

SLICE = Persona(
    name="doubtful single worker in Nancy",
    opener="bonjour, de toute façon j'ai droit à rien",
    answers={"age": "35", "couple": "je vis seul sans enfant", "children": "aucun", "commune": "Nancy",
             "housing_status": "je loue un appart", "rent": "450", "activity": "je travaille",
             "salary": "900 euros", "pregnant": "non", "recap": "oui c'est ça"},
)

# The same household, as a caseworker writes it for OpenFisca: 35 in November 2026, net 900 € a month
# (taxable 932.39 €, gross 1 136.94 € on the payslip) for two years, renting unfurnished in Nancy at 450 €.
SITUATION = {
    "individus": {"moi": person("1991-05-01", "actif", salary=SALARY_900)},
    "familles": {"f": family(["moi"])},
    "foyers_fiscaux": {"ff": {"declarants": ["moi"], "f4ba": every_year(0)}},
    "menages": {"m": home("54395", "locataire_vide", 450, 0, personne_de_reference=["moi"])},
}


def shown_amount(text: str, label: str) -> int | None:
    match = re.search(label + r" : environ ([\d ]+) € par mois", text)
    return int(match.group(1).replace(" ", "")) if match else None


def test_the_slice_answers_the_doubt_and_estimates_with_openfisca(client: httpx.Client):
    session, opening = ChatSession.open(client)
    assert opening[0]["text"].startswith("Bonjour")
    assert opening[-1]["ask"] == "consent"
    played = SLICE.play(client)
    text = played.bot_text()
    assert "Une personne sur trois" in text  # the doubt is answered
    assert "pas une décision" in text and "OpenFisca" in text

    expected = reference_amounts(FranceTaxBenefitSystem(), SITUATION)
    ppa = shown_amount(text, "La prime d'activité")
    rsa = shown_amount(text, "Le RSA")
    assert ppa is not None or rsa is not None, text
    if expected["prime_activite"]:
        assert ppa == round(expected["prime_activite"]), text
    if expected["rsa"]:
        assert rsa == round(expected["rsa"]), text
    assert "rendez-vous" in text.lower() or "rencontrer" in text.lower()  # the offer to meet someone
    assert played.sent <= 13


def test_the_chat_answers_a_greeting_in_french(client: httpx.Client):
    session, opening = ChatSession.open(client)
    reply = session.say("bonjour")
    assert any("Bonjour" in m["text"] for m in reply)


def test_why_not_the_rsa_explains_the_estimate(client: httpx.Client):
    played = SLICE.play(client)
    reply = played.say("pourquoi pas le RSA ?")
    text = " ".join(m["text"] for m in reply)
    assert text.startswith("Le RSA :"), text
    assert "ressources" in text.lower() or "revenus" in text.lower(), text
    assert "garantit un revenu minimum" not in text  # an explanation, not the definition
