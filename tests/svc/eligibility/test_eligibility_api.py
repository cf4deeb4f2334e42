"""The route: contract shape, 503 while loading, and a 422 with a French message for every bad input."""
from __future__ import annotations

import copy

import httpx
import pytest
from fastapi import FastAPI

from api.routes.eligibility import router

VALID = {
    "period": "2026-11", "commune": "54395", "postcode": "54000",
    "housing": {"status": "locataire", "rent": 450, "charges": 50},
    "adults": [{"age": 35, "activity": "salarie",
                "incomes": {"salary": 900, "unemployment": 0, "pension": 0, "disability_pension": 0,
                            "alimony": 0, "other": 0},
                "disability_rate": None, "student": False}],
    "couple_type": None,
    "children": [{"age": 9, "school": "primaire"}, {"age": 12}],
    "single_parent_recent": False,
    "unknown": [],
}
BENEFIT_IDS = ["rsa", "prime_activite", "aide_logement", "complementaire_sante_solidaire", "aspa", "aah",
               "cheque_energie", "allocations_familiales", "allocation_soutien_familial", "complement_familial",
               "paje_base", "allocation_rentree_scolaire", "contrat_engagement_jeune", "bourse_college",
               "bourse_lycee", "bourse_enseignement_superieur"]
YEARLY = {"cheque_energie", "allocation_rentree_scolaire", "bourse_college", "bourse_lycee"}


def changed(path: str, value):  # noqa: ANN001, ANN201
    """VALID with one field replaced (dotted path, [n] for list items); value None removes it."""
    body = copy.deepcopy(VALID)
    node, parts = body, path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    if value is None and not last.isdigit():
        node.pop(last, None)
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return body


async def test_the_contract_example_gets_every_benefit(client) -> None:  # noqa: ANN001
    response = await client.post("/api/eligibility", json=VALID)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == "2026-11"
    ids = [b["id"] for b in body["benefits"]]
    assert ids[:16] == BENEFIT_IDS   # then the local aids of the commune's territory (Nancy: grand_nancy)
    assert ids[16:] and all(i.startswith("local.grand_nancy.") for i in ids[16:])
    for benefit in body["benefits"]:
        assert set(benefit) >= {"id", "name", "status", "monthly_amount", "yearly_amount", "range", "why",
                                "how_to_claim"}
        assert benefit["status"] in {"eligible", "not_eligible", "uncertain"}
        assert benefit["why"] and benefit["how_to_claim"]["where"] and benefit["how_to_claim"]["url"].startswith("https://")
        if benefit["id"] in YEARLY:
            assert benefit["monthly_amount"] is None
        else:
            assert benefit["yearly_amount"] is None
        if benefit["status"] != "uncertain":
            assert benefit["range"] is None
    rsa = body["benefits"][0]
    assert rsa["name"] == "Revenu de solidarité active (RSA)"
    assert body["computed_with"]["engine"] == "openfisca-france"
    assert body["computed_with"]["version"] == "176.1.8"
    assert set(body["computed_with"]["latest_parameters"]) == set(BENEFIT_IDS)
    assert body["assumptions"]


async def test_the_period_defaults_to_the_current_month(client) -> None:  # noqa: ANN001
    response = await client.post("/api/eligibility", json=changed("period", None))
    assert response.status_code == 200
    assert response.json()["period"] == "2026-11"


async def test_answers_503_in_french_while_loading() -> None:
    class Loading:
        ready = False

    app = FastAPI()
    app.include_router(router)
    app.state.eligibility = Loading()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/api/eligibility", json=VALID)
    assert response.status_code == 503
    assert "Réessayez" in response.json()["detail"]["fr"]


BAD_BODIES = {
    "malformed json": (b'{"commune": "54395", "adults": [', ""),
    "empty body": (b"", ""),
    "not an object": (b"[1, 2]", ""),
    "NaN amount": (b'{"commune": "54395", "housing": {"status": "locataire", "rent": NaN}, '
                   b'"adults": [{"age": 30}]}', "housing.rent"),
}
BAD_FIELDS = {
    "missing housing": (changed("housing", None), "housing"),
    "age is a word": (changed("adults[0].age", "trente"), "adults[0].age"),
    "salary is a word": (changed("adults[0].incomes.salary", "beaucoup"), "adults[0].incomes.salary"),
    "negative rent": (changed("housing.rent", -100), "housing.rent"),
    "negative salary": (changed("adults[0].incomes.salary", -5), "adults[0].incomes.salary"),
    "absurd salary": (changed("adults[0].incomes.salary", 1_000_000_000), "adults[0].incomes.salary"),
    "absurd rent": (changed("housing.rent", 90_000), "housing.rent"),
    "age 250": (changed("adults[0].age", 250), "adults[0].age"),
    "adult aged 10": (changed("adults[0].age", 10), "adults[0].age"),
    "child aged 40": (changed("children[0].age", 40), "children[0].age"),
    "disability rate as a percentage": (changed("adults[0].disability_rate", 80), "adults[0].disability_rate"),
    "three adults": (changed("adults", [VALID["adults"][0]] * 3), "adults"),
    "no adult": (changed("adults", []), "adults"),
    "too many children": (changed("children", [{"age": 5}] * 16), "children"),
    "unknown top-level field": (changed("salaire", 900), "salaire"),
    "unknown income name": (changed("adults[0].incomes.rsa", 500), "adults[0].incomes.rsa"),
    "unknown housing status": (changed("housing.status", "chateau"), "housing.status"),
    "unknown activity": (changed("adults[0].activity", "astronaute"), "adults[0].activity"),
    "unknown school": (changed("children[0].school", "fac"), "children[0].school"),
    "unknown couple type": (changed("couple_type", "mariage"), "couple_type"),
    "unknown field declared unknown": (changed("unknown", ["rsa"]), "unknown[0]"),
    "unknown of a missing partner": (changed("unknown", ["adults[1].incomes.salary"]), "unknown[0]"),
    "bad period": (changed("period", "2026-13"), "period"),
    "period too old": (changed("period", "2019-01"), "period"),
    "period too far": (changed("period", "2031-01"), "period"),
    "no commune nor postcode": (changed("postcode", None) | {"commune": None}, "commune"),
    "commune that does not exist": (changed("commune", "99999") | {"postcode": None}, "commune"),
    "malformed commune": (changed("commune", "Nancy"), "commune"),
    "postcode that does not exist": (changed("commune", None) | {"postcode": "00000"}, "postcode"),
    "postcode of another commune": (changed("postcode", "75001"), "postcode"),
    "commune outside the territories covered": (changed("commune", "98735") | {"postcode": None}, "commune"),
    "rent missing for a tenant": (changed("housing.rent", None), "housing.rent"),
    "couple type with one adult": (changed("couple_type", "marie"), "couple_type"),
    "recent single parent in a couple": (changed("adults", [VALID["adults"][0]] * 2) | {"single_parent_recent": True},
                                         "single_parent_recent"),
    # The contract's optional facts of an adult.
    "pregnant is a word": (changed("adults[0].pregnant", "oui"), "adults[0].pregnant"),
    "student grant is a word": (changed("adults[0].student_grant", "peut-être"), "adults[0].student_grant"),
    "work restriction is a number": (changed("adults[0].work_restriction", 3), "adults[0].work_restriction"),
    "self-employed is a number": (changed("adults[0].self_employed", 900), "adults[0].self_employed"),
    "unknown self-employed kind": (changed("adults[0].self_employed", {"turnover": 900, "kind": "plombier"}),
                                   "adults[0].self_employed.kind"),
    "self-employed without a kind": (changed("adults[0].self_employed", {"turnover": 900}),
                                     "adults[0].self_employed.kind"),
    "negative turnover": (changed("adults[0].self_employed", {"turnover": -10, "kind": "bnc"}),
                          "adults[0].self_employed.turnover"),
    "absurd turnover": (changed("adults[0].self_employed", {"turnover": 9e9, "kind": "bnc"}),
                        "adults[0].self_employed.turnover"),
    "turnover missing": (changed("adults[0].self_employed", {"kind": "bnc"}), "adults[0].self_employed.turnover"),
    "unknown field of a micro-enterprise": (changed("adults[0].self_employed", {"turnover": 9, "kind": "bnc", "siret": 1}),
                                            "adults[0].self_employed.siret"),
    "housing status missing": (changed("housing.status", None), "housing.status"),
    "unknown of a missing partner's grant": (changed("unknown", ["adults[1].student_grant"]), "unknown[0]"),
}


def assert_french_422(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"]["fr"] and body["detail"]["en"]
    assert body["errors"] and all(e["fr"] for e in body["errors"])
    if field:
        assert field in [e["field"] for e in body["errors"]], body["errors"]
    french_words = {"le", "la", "les", "de", "du", "des", "un", "une", "est", "doit", "pas", "ou", "il", "indiquez",
                    "vérifiez", "trop", "s'écrit"}
    assert french_words & set(body["detail"]["fr"].lower().replace("'", " ").split()), body["detail"]["fr"]


@pytest.mark.parametrize("case", list(BAD_BODIES))
async def test_unreadable_bodies_get_a_french_422(case: str, client) -> None:  # noqa: ANN001
    content, field = BAD_BODIES[case]
    response = await client.post("/api/eligibility", content=content, headers={"content-type": "application/json"})
    assert_french_422(response, field)


@pytest.mark.parametrize("case", list(BAD_FIELDS))
async def test_bad_households_get_a_french_422(case: str, client) -> None:  # noqa: ANN001
    body, field = BAD_FIELDS[case]
    response = await client.post("/api/eligibility", json=body)
    assert_french_422(response, field)


async def test_several_problems_are_all_listed(client) -> None:  # noqa: ANN001
    body = changed("housing.rent", -1) | {"adults": [VALID["adults"][0] | {"age": 300}]}
    response = await client.post("/api/eligibility", json=body)
    assert_french_422(response, "")
    assert {e["field"] for e in response.json()["errors"]} == {"housing.rent", "adults[0].age"}
