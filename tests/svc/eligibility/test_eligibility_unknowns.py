"""Unknown fields give ranges computed from plausible values, never a silent zero; so do the
uncertainties nobody declared (the MDPH's decision for a 50-79 % rate, alimony not given)."""
from __future__ import annotations

import copy

import pytest

from api.eligibility.household import INCOME_VALUES, RENT_VALUES

NONE = {"salary": 0, "unemployment": 0, "pension": 0, "disability_pension": 0, "alimony": 0, "other": 0}
TENANT = {
    "period": "2026-11", "commune": "54395",
    "housing": {"status": "locataire", "rent": 500, "charges": 40},
    "adults": [{"age": 34, "activity": "salarie", "incomes": {**NONE, "salary": 1200}}],
    "unknown": [],
}


def benefits(body: dict) -> dict[str, dict]:
    return {b["id"]: b for b in body["benefits"]}


def amount(benefit: dict) -> float:
    return benefit["monthly_amount"] if benefit["monthly_amount"] is not None else benefit["yearly_amount"]


async def post(client, payload: dict) -> dict:  # noqa: ANN001
    response = await client.post("/api/eligibility", json=payload)
    assert response.status_code == 200, response.text
    return response.json()


def assert_uncertain(benefit: dict) -> tuple[float, float]:
    assert benefit["status"] == "uncertain", benefit
    assert benefit["monthly_amount"] is None and benefit["yearly_amount"] is None
    low, high = benefit["range"]
    assert low < high
    return low, high


async def test_unknown_rent_gives_a_housing_aid_range_holding_every_plausible_rent(client) -> None:  # noqa: ANN001
    unknown = copy.deepcopy(TENANT) | {"unknown": ["rent"]}
    unknown["housing"].pop("rent")
    got = benefits(await post(client, unknown))
    low, high = assert_uncertain(got["aide_logement"])
    assert "loyer" in got["aide_logement"]["why"]
    for rent in RENT_VALUES:
        known = copy.deepcopy(TENANT)
        known["housing"]["rent"] = rent
        value = amount(benefits(await post(client, known))["aide_logement"])
        assert low <= value <= high
    # What does not depend on the rent stays certain.
    assert got["allocations_familiales"]["status"] == "not_eligible"
    assert got["aspa"]["status"] == "not_eligible"


async def test_unknown_salary_gives_ranges_for_rsa_and_activity_bonus(client) -> None:  # noqa: ANN001
    unknown = copy.deepcopy(TENANT) | {"unknown": ["adults[0].incomes.salary"]}
    got = benefits(await post(client, unknown))
    for benefit_id in ("rsa", "prime_activite"):
        low, high = assert_uncertain(got[benefit_id])
        assert "salaire" in got[benefit_id]["why"]
        for salary in INCOME_VALUES["salary"]:
            known = copy.deepcopy(TENANT)
            known["adults"][0]["incomes"]["salary"] = salary
            assert low <= amount(benefits(await post(client, known))[benefit_id]) <= high
    # RSA is highest without salary, the activity bonus needs one: neither range is a guess of 0.
    assert got["rsa"]["range"][1] > 500 and got["prime_activite"]["range"][1] > 100


async def test_the_bots_unknown_names_are_accepted(client) -> None:  # noqa: ANN001
    payload = copy.deepcopy(TENANT) | {"unknown": ["adults[0].age", "adults[0].activity"]}
    got = benefits(await post(client, payload))
    # The age decides the RSA for a 20-year-old and the ASPA for a 67-year-old.
    assert got["rsa"]["status"] == "uncertain" or got["aspa"]["status"] == "uncertain"
    assert got["aspa"]["status"] == "uncertain" and "âge" in got["aspa"]["why"]


async def test_a_rate_of_50_to_79_percent_leaves_the_aah_to_the_mdph(client) -> None:  # noqa: ANN001
    payload = copy.deepcopy(TENANT)
    payload["adults"][0] |= {"activity": "inactif", "incomes": NONE, "disability_rate": 0.6}
    aah = benefits(await post(client, payload))["aah"]
    low, high = assert_uncertain(aah)
    assert low == 0 and high > 900
    assert "MDPH" in aah["why"]
    payload["adults"][0]["disability_rate"] = 0.8
    assert benefits(await post(client, payload))["aah"]["status"] == "eligible"


async def test_the_asf_waits_for_the_alimony(client) -> None:  # noqa: ANN001
    parent = copy.deepcopy(TENANT)
    parent["adults"][0]["incomes"] = {"salary": 1200}  # alimony not given
    parent["children"] = [{"age": 6}]
    body = await post(client, parent)
    asf = benefits(body)["allocation_soutien_familial"]
    assert_uncertain(asf)
    assert "pension alimentaire" in asf["why"]
    assert any("pension alimentaire" in sentence for sentence in body["assumptions"])
    parent["adults"][0]["incomes"]["alimony"] = 0
    assert benefits(await post(client, parent))["allocation_soutien_familial"]["status"] == "eligible"
    parent["adults"][0]["incomes"]["alimony"] = 400
    assert benefits(await post(client, parent))["allocation_soutien_familial"]["status"] == "not_eligible"


async def test_housing_in_a_foyer_is_left_to_the_caf(client) -> None:  # noqa: ANN001
    payload = copy.deepcopy(TENANT)
    payload["housing"] = {"status": "foyer", "rent": 380}
    aide = benefits(await post(client, payload))["aide_logement"]
    assert aide["status"] == "uncertain" and aide["monthly_amount"] is None
    assert "CAF" in aide["why"]


@pytest.mark.parametrize("field", ["couple_type", "adults[1].incomes.salary", "charges"])
async def test_other_unknown_fields_are_simulated(client, field: str) -> None:  # noqa: ANN001
    payload = copy.deepcopy(TENANT)
    payload["adults"].append({"age": 33, "activity": "salarie", "incomes": {**NONE, "salary": 900}})
    payload["unknown"] = [field]
    body = await post(client, payload)
    for benefit in body["benefits"]:
        if benefit["status"] == "uncertain" and benefit["id"].startswith("local.") and benefit["range"] is None:
            continue   # a local service or reduction with no amount (knowledge/territories)
        if benefit["status"] == "uncertain":
            assert benefit["range"][0] <= benefit["range"][1]
        else:
            assert benefit["range"] is None


# ----- our additions to the contract (docs/eligibility-additions.md) -----

async def test_an_unknown_town_gives_a_national_estimate(client) -> None:  # noqa: ANN001
    from api.eligibility.household import REPRESENTATIVE_COMMUNES

    unknown = copy.deepcopy(TENANT) | {"unknown": ["commune"]}
    del unknown["commune"]
    body = await post(client, unknown)
    got = benefits(body)
    assert body["commune"] is None
    low, high = assert_uncertain(got["aide_logement"])
    assert "dépend de votre commune" in got["aide_logement"]["why"]
    for code in REPRESENTATIVE_COMMUNES:  # Paris, Lyon, Guéret: housing-aid zones 1, 2 and 3
        known = benefits(await post(client, copy.deepcopy(TENANT) | {"commune": code}))
        assert low <= amount(known["aide_logement"]) <= high
    assert amount(benefits(await post(client, copy.deepcopy(TENANT) | {"commune": "75056"}))["aide_logement"]) == high
    assert got["rsa"]["status"] != "uncertain" and got["aspa"]["status"] != "uncertain"
    assert any("commune" in sentence and "métropolitaine" in sentence for sentence in body["assumptions"])
    assert not [b for b in body["benefits"] if b["id"].startswith("local.")]


async def test_a_given_postcode_settles_an_unknown_town(client) -> None:  # noqa: ANN001
    payload = copy.deepcopy(TENANT) | {"postcode": "54000", "unknown": ["commune"]}
    del payload["commune"]
    body = await post(client, payload)
    assert body["commune"]["code"] == "54395" and benefits(body)["aide_logement"]["status"] == "eligible"


async def test_an_unknown_home_gives_a_range_over_the_usual_homes(client) -> None:  # noqa: ANN001
    unknown = copy.deepcopy(TENANT) | {"unknown": ["housing.status"]}
    del unknown["housing"]
    body = await post(client, unknown)
    got = benefits(body)
    low, high = assert_uncertain(got["aide_logement"])
    assert low == 0 and "dépend de votre logement" in got["aide_logement"]["why"]  # housed free: no aid
    for status in ("locataire", "logement_social"):
        for rent in RENT_VALUES:
            known = copy.deepcopy(TENANT) | {"housing": {"status": status, "rent": rent, "charges": 0}}
            assert low <= amount(benefits(await post(client, known))["aide_logement"]) <= high
    assert any("où vous habitez" in sentence for sentence in body["assumptions"])
    # The rent given is kept: only the status varies.
    with_rent = copy.deepcopy(TENANT) | {"housing": {"rent": 500}, "unknown": ["housing.status"]}
    aid = benefits(await post(client, with_rent))["aide_logement"]
    social = copy.deepcopy(TENANT) | {"housing": {"status": "logement_social", "rent": 500}}
    private = copy.deepcopy(TENANT) | {"housing": {"status": "locataire", "rent": 500}}
    highs = [amount(benefits(await post(client, p))["aide_logement"]) for p in (social, private)]
    assert aid["range"] == [0.0, max(highs)]


async def test_an_uncertain_amount_names_the_unknown_fields_it_depends_on(client) -> None:  # noqa: ANN001
    """`depends_on` (an addition to the contract) lets the conversation say which answer would
    settle a range: the housing aid depends on the rent, the prime d'activité on the salary."""
    unknown = copy.deepcopy(TENANT) | {"unknown": ["rent", "adults[0].incomes.salary"]}
    unknown["housing"].pop("rent")
    got = benefits(await post(client, unknown))
    assert "rent" in got["aide_logement"]["depends_on"]
    assert "adults[0].incomes.salary" in got["prime_activite"]["depends_on"]
    certain = benefits(await post(client, TENANT))
    assert all(b["depends_on"] == [] for b in certain.values())
