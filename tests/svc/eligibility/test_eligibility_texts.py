"""The French of the answers: « de » contracted and elided (knowledge.french.de), « cela dépend de ... »
sentences built with it, no range whose two ends are the same euro, no yearly benefit said « par mois »."""
from __future__ import annotations

import pytest

from knowledge.french import de


@pytest.mark.parametrize(("phrase", "expected"), [
    ("le loyer", "du loyer"),
    ("les revenus", "des revenus"),
    ("une réponse", "d'une réponse"),
    ("un enfant", "d'un enfant"),
    ("votre salaire", "de votre salaire"),
    ("vos charges", "de vos charges"),
    ("l'âge de votre conjoint", "de l'âge de votre conjoint"),
    ("la date de votre séparation", "de la date de votre séparation"),
    ("autres revenus", "d'autres revenus"),
    ("des aides", "d'aides"),
    ("des revenus modestes", "de revenus modestes"),
    ("Les revenus", "Des revenus"),
    ("Une réponse", "D'une réponse"),
    ("Anne", "d'Anne"),
    ("  votre   bourse du Crous ", "de votre bourse du Crous"),
    ("", "de"),
])
def test_de_contracts_and_elides(phrase: str, expected: str) -> None:
    assert de(phrase) == expected


# ----- in the answers -----

import copy  # noqa: E402
import re  # noqa: E402

from api.eligibility.explain import Explainer, depends_sentence  # noqa: E402
from api.eligibility.service import _outcome  # noqa: E402

NONE = {"salary": 0, "unemployment": 0, "pension": 0, "disability_pension": 0, "alimony": 0, "other": 0}
COUPLE = {"period": "2026-11", "commune": "54395", "housing": {"status": "locataire", "rent": 500, "charges": 40},
          "adults": [{"age": 40, "activity": "salarie", "incomes": {**NONE, "salary": 900}},
                     {"age": 38, "activity": "inactif", "incomes": NONE}],
          "children": [{"age": 7}, {"age": 12}]}
PAYLOADS = [
    COUPLE | {"unknown": ["adults[1].incomes.other", "adults[1].incomes.salary", "rent"]},
    COUPLE | {"unknown": ["adults[1].age", "children[0].age", "charges"]},
    {"period": "2026-11", "commune": "31555", "housing": {"status": "proprietaire"},
     "adults": [{"age": 68, "activity": "retraite", "incomes": NONE}], "unknown": ["adults[0].incomes.pension"]},
]
# What « dépend de ... » must never read (« de » before le, les, un, une, des, autres, or a vowel).
BAD_DEPENDS = re.compile(r"\bde (le|les|un|une|des|autres|[aeiouéèêà]\w*)\b", re.IGNORECASE)
YEARLY = ("cheque_energie", "allocation_rentree_scolaire", "bourse_college", "bourse_lycee")


def test_depends_sentences_contract_de() -> None:
    template = "Le montant dépend de {depends}. Il irait de {low} à {high} par mois."
    sentence = depends_sentence(template, ("les autres revenus de votre conjoint", "votre loyer", "le salaire"),
                                low="1 €", high="2 €")
    assert sentence == ("Le montant dépend des autres revenus de votre conjoint, de votre loyer et du salaire. "
                        "Il irait de 1 € à 2 € par mois.")


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_every_why_is_good_french(client, payload: dict) -> None:  # noqa: ANN001
    response = await client.post("/api/eligibility", json=payload)
    assert response.status_code == 200, response.text
    body = response.json()
    uncertain = 0
    for benefit in body["benefits"]:
        why = benefit["why"]
        for clause in re.findall(r"dépend (.*?)(?:\.|$)", why):
            assert not BAD_DEPENDS.search(clause), benefit
        if benefit["id"] in YEARLY:
            assert "par mois" not in why, benefit
        assert not re.search(r"de ([\d  ,]+ €) à \1", why), benefit  # never « de 52 € à 52 € »
        if benefit["range"]:
            low, high = benefit["range"]
            # The same euro at both ends: only for a C2S either free or not possible.
            assert round(low) != round(high) or benefit["id"] == "complementaire_sante_solidaire", benefit
            uncertain += 1
    assert uncertain
    if payload is PAYLOADS[2]:  # the C2S is free or not possible, depending on the pension
        c2s = next(b for b in body["benefits"] if b["id"] == "complementaire_sante_solidaire")
        assert c2s["status"] == "uncertain" and "dépend de votre retraite" in c2s["why"]
        assert "gratuite" in c2s["why"] and "0 € à 0 €" not in c2s["why"]
    if payload is PAYLOADS[0]:
        rsa = next(b for b in body["benefits"] if b["id"] == "rsa")
        assert "dépend des autres revenus de votre conjoint" in rsa["why"]


def test_a_range_within_one_euro_is_an_amount() -> None:
    assert (_outcome("rsa", [52.10, 52.40], None, []).status, _outcome("rsa", [52.10, 52.40], None, []).amount) == \
        ("eligible", 52.10)
    assert _outcome("rsa", [51.60, 52.40], None, []).amount == 51.60  # both « 52 € »: the lower amount
    assert _outcome("aide_logement", [0.0, 0.4], None, []).status == "not_eligible"  # « 0 € » is no aid


async def test_a_yearly_benefit_is_never_said_per_month(service) -> None:  # noqa: ANN001
    twin = copy.copy(service)
    twin.texts = copy.deepcopy(service.texts)
    twin.texts["cheque_energie"]["why"]["uncertain"] = "Le montant dépend de {depends}. De {low} à {high} par mois."
    twin.explainer = Explainer(twin.texts, service.explainer.aspa_ceilings)
    body = twin.estimate_sync(PAYLOADS[2])
    cheque = next(b for b in body["benefits"] if b["id"] == "cheque_energie")
    assert cheque["status"] == "uncertain" and cheque["why"].endswith("par an.")
    assert "dépend de votre retraite" in cheque["why"]
