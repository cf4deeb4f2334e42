"""Where OpenFisca-France 176.1.8 departs from the law, the service follows the law (api/eligibility/
corrections.py, benefits.py, situation.py). Each reference below is computed by hand from the legal
texts, or by plain OpenFisca on a situation written with the input the law requires."""
from __future__ import annotations

import copy

from tests.svc.eligibility.eligibility_reference import every_year, family, home, person, reference_amounts

NONE = {"salary": 0, "unemployment": 0, "pension": 0, "disability_pension": 0, "alimony": 0, "other": 0}


async def estimate(client, payload: dict) -> dict[str, dict]:  # noqa: ANN001
    response = await client.post("/api/eligibility", json=payload)
    assert response.status_code == 200, response.text
    return {benefit["id"]: benefit for benefit in response.json()["benefits"]}


# ----- chèque énergie after 65: article 157 bis of the tax code -----
#
# The chèque énergie of 2026 follows the reference income (RFR) of 2024 per consumption unit (1 for
# the first person, 0.5 for the second), on the scale of the arrêté du 26 décembre 2018 (1 unit:
# 194 € below 5 600 €, 146 € below 6 700 €, 98 € below 7 700 €, 48 € below 10 800 €; between 1 and
# 2 units: 240, 176, 113, 63 €). Art. 157 bis of the tax code deducts from the net income of 2024,
# for each person of 65 or more on 31 December 2024, 2 796 € if it is at most 17 510 €, 1 398 € if it
# is at most 28 170 €; « ces déductions sont doublées » when the spouse qualifies too.
# OpenFisca-France 176.1.8 reads the age on 1 January and counts a qualifying couple once.

async def test_a_pensioner_who_turned_65_during_the_year_gets_the_deduction(client) -> None:  # noqa: ANN001
    # 67 in November 2026: born in May 1959, 65 in May 2024. A pension of 900 € (no CSG at this income):
    # 10 800 € a year, minus 10 % (1 080 €, art. 158 5 a) = 9 720 €, minus 2 796 € = RFR 6 924 €.
    # 1 unit, 6 700 € ≤ 6 924 € < 7 700 €: 98 €. (Plain OpenFisca: no deduction, 9 720 €, 48 €.)
    got = await estimate(client, {"period": "2026-11", "commune": "31555", "housing": {"status": "proprietaire"},
                                  "adults": [{"age": 67, "activity": "retraite", "incomes": {**NONE, "pension": 900}}]})
    cheque = got["cheque_energie"]
    assert cheque["status"] == "eligible" and cheque["yearly_amount"] == 98.0
    assert "6 924 €" in cheque["why"] and "1 unité " in cheque["why"]


async def test_a_couple_both_over_65_gets_the_deduction_twice(client) -> None:  # noqa: ANN001
    # Married, 70 and 68, pensions of 1 000 € and 700 € (no CSG): 20 400 € a year, minus 10 % of each
    # (1 200 € + 840 €) = 18 360 €, more than 17 510 €: 1 398 € each, 2 796 € in all: RFR 15 564 €.
    # 1.5 units: 10 376 € per unit, between 7 700 € and 10 800 €: 63 €. (Plain OpenFisca: 1 398 € once,
    # 16 962 €, 11 308 € per unit: nothing.)
    got = await estimate(client, {
        "period": "2026-11", "commune": "31555", "housing": {"status": "proprietaire"}, "couple_type": "marie",
        "adults": [{"age": 70, "activity": "retraite", "incomes": {**NONE, "pension": 1000}},
                   {"age": 68, "activity": "retraite", "incomes": {**NONE, "pension": 700}}]})
    cheque = got["cheque_energie"]
    assert cheque["status"] == "eligible" and cheque["yearly_amount"] == 63.0
    assert "15 564 €" in cheque["why"]


def test_the_loaded_system_has_the_corrected_deduction(service) -> None:  # noqa: ANN001
    variable = service.engine.tbs.get_variable("abat_spe")
    assert any("157 bis" in reference for reference in variable.reference)


# ----- an invalidity card in the housing aid -----
#
# A disability rate of 80 % or more gives the invalidity card (carte mobilité inclusion « invalidité »,
# art. L241-3 of the code de l'action sociale et des familles). Its holder (box P of the tax return, or
# F for the spouse) has a half part (art. 195 of the tax code) and the deduction of art. 157 bis, which
# the housing aid also takes off its resources. The service used to send none of it.

SALARY_1250 = (1250, 1294.99, 1579.09)  # net, taxable, gross of the payslip (see test_eligibility_incomes.py)
CARD_REQUEST = {
    "period": "2026-11", "commune": "31555", "housing": {"status": "locataire", "rent": 500, "charges": 0},
    "couple_type": "marie",
    "adults": [{"age": 40, "activity": "salarie", "incomes": {**NONE, "salary": 1250}},
               {"age": 38, "activity": "inactif", "incomes": NONE, "disability_rate": 0.85}],
}


def card_situation(card: bool) -> dict:
    return {
        "individus": {"moi": person("1986-05-01", "actif", "marie", salary=SALARY_1250),
                      "conjoint": person("1988-05-01", "inactif", "marie", taux_incapacite=0.85)},
        "familles": {"f": family(["moi", "conjoint"])},
        "foyers_fiscaux": {"ff": {"declarants": ["moi", "conjoint"], "f4ba": every_year(0),
                                  "caseF": every_year(card)}},
        "menages": {"m": home("31555", "locataire_vide", 500, 0, personne_de_reference=["moi"],
                              conjoint=["conjoint"])},
    }


async def test_a_spouse_with_an_invalidity_card_raises_the_housing_aid(client, service) -> None:  # noqa: ANN001
    with_card = reference_amounts(service.engine.tbs, card_situation(True))
    without_card = reference_amounts(service.engine.tbs, card_situation(False))
    assert with_card["aide_logement"] - without_card["aide_logement"] >= 50  # tens of euros a month
    got = await estimate(client, CARD_REQUEST)
    assert got["aide_logement"]["monthly_amount"] == with_card["aide_logement"]
    assert got["aah"]["monthly_amount"] == with_card["aah"]
    participation = got["complementaire_sante_solidaire"]
    assert (participation["monthly_amount"] if participation["status"] == "eligible" else None) == \
        with_card["complementaire_sante_solidaire"]


async def test_the_person_with_the_card_is_the_declarant(client, service) -> None:  # noqa: ANN001
    request = copy.deepcopy(CARD_REQUEST)
    request["adults"].reverse()  # the disabled person chats: box P
    situation = card_situation(True)
    situation["individus"] = dict(reversed(list(situation["individus"].items())))
    situation["foyers_fiscaux"]["ff"] |= {"declarants": ["conjoint", "moi"], "caseF": every_year(False),
                                          "caseP": every_year(True)}
    situation["familles"]["f"]["parents"] = ["conjoint", "moi"]
    situation["menages"]["m"] |= {"personne_de_reference": ["conjoint"], "conjoint": ["moi"]}
    expected = reference_amounts(service.engine.tbs, situation)
    got = await estimate(client, request)
    assert got["aide_logement"]["monthly_amount"] == expected["aide_logement"]


# ----- the CEJ allowance and the RSA (code du travail, R.5131-24) -----

async def test_a_person_entitled_to_the_rsa_is_not_announced_the_cej_allowance(client) -> None:  # noqa: ANN001
    # 25, no income, a tenant in Nancy: the RSA (25 or more) and the CEJ (16 to 25) by age, but
    # « l'allocation ne peut être cumulée avec le revenu de solidarité active » (R.5131-24, I).
    base = {"period": "2026-11", "commune": "54395", "housing": {"status": "locataire", "rent": 400, "charges": 0}}
    got = await estimate(client, base | {"adults": [{"age": 25, "activity": "chomeur", "incomes": NONE}]})
    assert got["rsa"]["status"] == "eligible"
    cej = got["contrat_engagement_jeune"]
    assert cej["status"] == "not_eligible" and cej["monthly_amount"] == 0.0
    assert "RSA" in cej["why"] and "cumuler" in cej["why"]
    # At 24, no RSA: the allowance is announced.
    got = await estimate(client, base | {"adults": [{"age": 24, "activity": "chomeur", "incomes": NONE}]})
    assert got["rsa"]["status"] == "not_eligible"
    assert got["contrat_engagement_jeune"]["status"] == "eligible"
    assert got["contrat_engagement_jeune"]["monthly_amount"] > 0


async def test_a_dependant_of_an_rsa_household_keeps_the_cej_allowance(client) -> None:  # noqa: ANN001
    # R.5131-24, I: « à l'exception des personnes à charge » of the RSA household.
    got = await estimate(client, {
        "period": "2026-11", "commune": "54395", "housing": {"status": "locataire", "rent": 500, "charges": 0},
        "adults": [{"age": 45, "activity": "inactif", "incomes": {**NONE, "alimony": 0}}],
        "children": [{"age": 19, "school": "aucune"}, {"age": 10}]})
    assert got["rsa"]["status"] == "eligible"
    assert got["contrat_engagement_jeune"]["status"] == "eligible"
