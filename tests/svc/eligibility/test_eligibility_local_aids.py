"""Local aids of the person's territory come after the 16 national benefits, with ids
`local.<territory>.<name>` and the contract's shape (shared/spec/eligibility.md)."""
from __future__ import annotations

import copy

from api.eligibility.benefits import SPECS
from api.eligibility.schema import EligibilityResponse

NONE = {"salary": 0, "unemployment": 0, "pension": 0, "disability_pension": 0, "alimony": 0, "other": 0}
STRASBOURG_FAMILY = {
    "period": "2026-11", "commune": "67482",
    "housing": {"status": "logement_social", "rent": 450, "charges": 60},
    "adults": [{"age": 44, "activity": "salarie", "incomes": {**NONE, "salary": 1500}},
               {"age": 42, "activity": "salarie", "incomes": {**NONE, "salary": 1300}}],
    "children": [{"age": 17}],
    "unknown": [],
}
ATOUT_VOIR = "local.strasbourg.carte_atout_voir"


async def estimate(client, payload: dict) -> dict:  # noqa: ANN001
    response = await client.post("/api/eligibility", json=payload)
    assert response.status_code == 200, response.text
    body = response.json()
    EligibilityResponse.model_validate(body)
    return body


def by_id(body: dict) -> dict[str, dict]:
    return {benefit["id"]: benefit for benefit in body["benefits"]}


async def test_a_17_year_old_in_strasbourg_can_have_the_carte_atout_voir(client) -> None:  # noqa: ANN001
    body = await estimate(client, STRASBOURG_FAMILY)
    ids = [benefit["id"] for benefit in body["benefits"]]
    assert ids[:16] == [spec.id for spec in SPECS]               # the national benefits first, as before
    assert ids[16:] == [ATOUT_VOIR, "local.strasbourg.transports_gratuits_moins_de_18_ans"]
    card = by_id(body)[ATOUT_VOIR]
    assert card["status"] == "eligible" and card["name"] == "Carte Atout'voir"
    assert card["monthly_amount"] is None and card["yearly_amount"] is None and card["range"] is None  # a reduction
    assert "11 et 25 ans" in card["why"]
    assert card["how_to_claim"]["url"].startswith("https://") and card["how_to_claim"]["where"]
    assert by_id(body)["local.strasbourg.transports_gratuits_moins_de_18_ans"]["status"] == "eligible"


async def test_a_household_of_forty_year_olds_in_strasbourg_says_why_not(client) -> None:  # noqa: ANN001
    couple = copy.deepcopy(STRASBOURG_FAMILY) | {"children": []}
    card = by_id(await estimate(client, couple))[ATOUT_VOIR]
    assert card["status"] == "not_eligible"
    assert "11 à 25 ans" in card["why"] and card["yearly_amount"] is None and card["range"] is None


async def test_an_unknown_age_makes_the_card_uncertain(client) -> None:  # noqa: ANN001
    alone = copy.deepcopy(STRASBOURG_FAMILY) | {"children": [], "unknown": ["adults[0].age"]}
    alone["adults"] = alone["adults"][:1]
    card = by_id(await estimate(client, alone))[ATOUT_VOIR]
    assert card["status"] == "uncertain" and "âge" in card["why"]
    # A known 17-year-old child settles it whatever the parent's age.
    with_child = alone | {"children": [{"age": 17}]}
    assert by_id(await estimate(client, with_child))[ATOUT_VOIR]["status"] == "eligible"
    # An unknown child's age with a 44-year-old parent: uncertain again.
    unknown_child = alone | {"children": [{"age": 9}], "unknown": ["children[0].age"]}
    assert by_id(await estimate(client, unknown_child))[ATOUT_VOIR]["status"] == "uncertain"


async def test_a_household_in_nancy_gets_the_aids_of_grand_nancy_only(client) -> None:  # noqa: ANN001
    in_nancy = copy.deepcopy(STRASBOURG_FAMILY) | {"commune": "54395"}
    ids = [benefit["id"] for benefit in (await estimate(client, in_nancy))["benefits"]]
    assert not [i for i in ids if i.startswith("local.strasbourg.")]
    assert [i for i in ids[16:]] == ["local.grand_nancy.fonds_solidarite_logement",
                                     "local.grand_nancy.fonds_aide_aux_jeunes"]
    fsl = by_id(await estimate(client, in_nancy))["local.grand_nancy.fonds_solidarite_logement"]
    assert fsl["status"] == "uncertain"            # decided case by case
    assert fsl["yearly_amount"] is None and fsl["range"] is None


async def test_outside_every_territory_only_the_national_benefits(client) -> None:  # noqa: ANN001
    in_paris = copy.deepcopy(STRASBOURG_FAMILY) | {"commune": "75056"}
    assert [b["id"] for b in (await estimate(client, in_paris))["benefits"]] == [spec.id for spec in SPECS]


async def test_free_public_transport_in_lyon_follows_the_estimated_rsa(client) -> None:  # noqa: ANN001
    no_income = {"period": "2026-11", "postcode": "69007", "housing": {"status": "locataire", "rent": 420, "charges": 40},
                 "adults": [{"age": 32, "activity": "chomeur", "incomes": NONE}], "unknown": []}
    got = by_id(await estimate(client, no_income))
    assert got["rsa"]["status"] == "eligible"
    assert got["local.lyon_7e.tcl_solidaire_gratuit"]["status"] == "eligible"
    well_paid = no_income | {"adults": [{"age": 32, "activity": "salarie", "incomes": {**NONE, "salary": 3500}}]}
    got = by_id(await estimate(client, well_paid))
    assert got["rsa"]["status"] == "not_eligible" and got["aah"]["status"] == "not_eligible"
    assert got["local.lyon_7e.tcl_solidaire_gratuit"]["status"] == "not_eligible"
