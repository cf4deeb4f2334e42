"""Reference households: our API gives, to the cent, what plain OpenFisca gives on the same household
written out by hand (see eligibility_reference.py for how the situations are written).

Ages: a person aged A in November 2026 is written born in May of 2026 - A (six months before the
birthday), as the service assumes. Incomes: net, taxable and gross amounts are those of the payslips
(test_eligibility_incomes.py checks them against OpenFisca's own payroll formulas).
"""
from __future__ import annotations

import pytest

from tests.svc.eligibility.eligibility_reference import api_amount, every_month, every_year, family, home, person, reference_amounts

# Net 900 / 1 500 / 1 250 € salary: (net, taxable, gross) of the payslip.
SALARY_900 = (900, 932.39, 1136.94)
SALARY_1500 = (1500, 1553.99, 1894.9)
SALARY_1250 = (1250, 1294.99, 1579.09)
NONE = {"salary": 0, "unemployment": 0, "pension": 0, "disability_pension": 0, "alimony": 0, "other": 0}

HOUSEHOLDS = {
    "single_tenant_salaried": {
        "request": {
            "period": "2026-11", "commune": "54395", "postcode": "54000",
            "housing": {"status": "locataire", "rent": 450, "charges": 50},
            "adults": [{"age": 35, "activity": "salarie", "incomes": {**NONE, "salary": 900}}],
        },
        "situation": {
            "individus": {"moi": person("1991-05-01", "actif", salary=SALARY_900)},
            "familles": {"f": family(["moi"])},
            "foyers_fiscaux": {"ff": {"declarants": ["moi"], "f4ba": every_year(0)}},
            "menages": {"m": home("54395", "locataire_vide", 450, 50, personne_de_reference=["moi"])},
        },
    },
    "couple_two_children_social_housing": {
        # Pacsed couple in Lille: one salary of 1 500 €, one unemployment benefit of 700 € (low income:
        # no CSG, so net = taxable = gross); children of 9 (primary school) and 13 (collège).
        "request": {
            "period": "2026-11", "commune": "59350",
            "housing": {"status": "logement_social", "rent": 520, "charges": 80},
            "adults": [
                {"age": 40, "activity": "salarie", "incomes": {**NONE, "salary": 1500}},
                {"age": 38, "activity": "chomeur", "incomes": {**NONE, "unemployment": 700}},
            ],
            "couple_type": "pacse",
            "children": [{"age": 9, "school": "primaire"}, {"age": 13, "school": "college"}],
        },
        "situation": {
            "individus": {
                "moi": person("1986-05-01", "actif", "pacse", salary=SALARY_1500),
                "conjoint": person("1988-05-01", "chomeur", "pacse", unemployment=(700, 700, 700)),
                "enfant1": person("2017-05-01", "inactif", scolarite="primaire"),
                "enfant2": person("2013-05-01", "etudiant", scolarite="college"),
            },
            "familles": {"f": family(["moi", "conjoint"], ["enfant1", "enfant2"])},
            "foyers_fiscaux": {"ff": {"declarants": ["moi", "conjoint"], "personnes_a_charge": ["enfant1", "enfant2"],
                                      "f4ba": every_year(0)}},
            "menages": {"m": home("59350", "locataire_hlm", 520, 80, personne_de_reference=["moi"],
                                  conjoint=["conjoint"], enfants=["enfant1", "enfant2"])},
        },
    },
    "single_parent_recent_toddler": {
        # Alone with a 2-year-old for less than 18 months, no income, no alimony; furnished flat in
        # Marseille's 1st arrondissement, found from the postcode.
        "request": {
            "period": "2026-11", "postcode": "13001",
            "housing": {"status": "locataire_meuble", "rent": 600, "charges": 40},
            "adults": [{"age": 29, "activity": "inactif", "incomes": NONE}],
            "children": [{"age": 2}],
            "single_parent_recent": True,
        },
        "situation": {
            "individus": {"moi": person("1997-05-01", "inactif"), "bebe": person("2024-05-01", "inactif")},
            "familles": {"f": family(["moi"], ["bebe"], isolement_recent=True)},
            "foyers_fiscaux": {"ff": {"declarants": ["moi"], "personnes_a_charge": ["bebe"], "f4ba": every_year(0)}},
            "menages": {"m": home("13201", "locataire_meuble", 600, 40, personne_de_reference=["moi"],
                                  enfants=["bebe"])},
        },
    },
}


@pytest.fixture(scope="module")
def references(service) -> dict[str, dict]:  # noqa: ANN001
    return {name: reference_amounts(service.engine.tbs, case["situation"]) for name, case in HOUSEHOLDS.items()}


@pytest.mark.parametrize("name", list(HOUSEHOLDS))
async def test_every_amount_matches_plain_openfisca(name: str, client, references) -> None:  # noqa: ANN001
    response = await client.post("/api/eligibility", json=HOUSEHOLDS[name]["request"])
    assert response.status_code == 200, response.text
    body = response.json()
    expected = references[name]
    got = {b["id"]: b for b in body["benefits"]}
    assert set(got) == set(expected) | {"complementaire_sante_solidaire"}
    mismatches = {}
    for benefit_id, amount in expected.items():
        benefit = got[benefit_id]
        assert benefit["status"] != "uncertain", benefit
        assert benefit["why"].strip()
        if benefit_id == "complementaire_sante_solidaire":
            ours = benefit["monthly_amount"] if benefit["status"] == "eligible" else None
        else:
            ours = api_amount(benefit)
            assert (benefit["status"] == "eligible") == (amount > 0), benefit
        if ours != amount:
            mismatches[benefit_id] = (ours, amount)
    assert not mismatches, f"ours vs OpenFisca: {mismatches}"


async def test_the_reference_households_are_not_trivial(references) -> None:  # noqa: ANN001
    """The cases exercise the benefits of the first milestone with non-zero amounts."""
    assert references["single_tenant_salaried"]["prime_activite"] > 0
    assert references["single_tenant_salaried"]["aide_logement"] > 0
    assert references["couple_two_children_social_housing"]["aide_logement"] > 0
    assert references["single_parent_recent_toddler"]["rsa"] > 0
    assert references["single_parent_recent_toddler"]["paje_base"] > 0
