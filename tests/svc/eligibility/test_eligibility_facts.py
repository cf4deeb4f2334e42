"""The contract's optional facts of an adult (shared/spec/eligibility.md): pregnant, student_grant,
work_restriction, self_employed. Given, each reaches OpenFisca through the variable the law's
formulas read (same figures as plain OpenFisca on a situation written by hand); absent, it is « not
said »; listed in `unknown`, it gives a range."""
from __future__ import annotations

import copy

import pytest

from tests.svc.eligibility.eligibility_reference import every_year, family, home, person, reference_amounts

NONE = {"salary": 0, "unemployment": 0, "pension": 0, "disability_pension": 0, "alimony": 0, "other": 0}
SALARY_400 = (400, 414.4, 505.31)  # net, taxable, gross of the payslip


async def estimate(client, payload: dict) -> dict:  # noqa: ANN001
    response = await client.post("/api/eligibility", json=payload)
    assert response.status_code == 200, response.text
    return response.json()


def by_id(body: dict) -> dict[str, dict]:
    return {benefit["id"]: benefit for benefit in body["benefits"]}


def alone(depcom: str, statut: str, rent: float, charges: float = 0, *, who: dict) -> dict:
    """A situation of one adult (`who`, written with person()) in their home."""
    return {
        "individus": {"moi": who},
        "familles": {"f": family(["moi"])},
        "foyers_fiscaux": {"ff": {"declarants": ["moi"], "f4ba": every_year(0)}},
        "menages": {"m": home(depcom, statut, rent, charges, personne_de_reference=["moi"])},
    }


# ----- pregnant: enceinte (RSA and activity bonus: the single-parent increase, art. L262-9 CASF;
# housing aid: the couple's scale for a pregnant woman alone) -----

PREGNANT = {"period": "2026-11", "commune": "54395", "housing": {"status": "locataire", "rent": 400, "charges": 0},
            "adults": [{"age": 24, "activity": "inactif", "incomes": NONE, "pregnant": True}]}


async def test_a_pregnancy_opens_the_increased_rsa_and_raises_the_housing_aid(client, service) -> None:  # noqa: ANN001
    expected = reference_amounts(service.engine.tbs, alone(
        "54395", "locataire_vide", 400, who=person("2002-05-01", "inactif", enceinte=True)))
    got = by_id(await estimate(client, PREGNANT))
    assert got["rsa"]["status"] == "eligible" and got["rsa"]["monthly_amount"] == expected["rsa"]
    assert got["aide_logement"]["monthly_amount"] == expected["aide_logement"]
    # Not pregnant, or not said: under 25 without a child, no RSA; a lower housing aid.
    for said in (False, None):
        payload = copy.deepcopy(PREGNANT)
        payload["adults"][0]["pregnant"] = said
        if said is None:
            del payload["adults"][0]["pregnant"]
        other = by_id(await estimate(client, payload))
        assert other["rsa"]["status"] == "not_eligible"
        assert other["aide_logement"]["monthly_amount"] < expected["aide_logement"]


# ----- student_grant: boursier (housing aid: a student's resources are at least a flat 8 600 €, less
# 1 700 € for a grant holder; art. R822-20 CCH, arrêté du 27 septembre 2019, art. 6) -----

STUDENT = {"period": "2026-11", "commune": "33063",
           "housing": {"status": "locataire_meuble", "rent": 420, "charges": 30},
           "adults": [{"age": 20, "activity": "etudiant", "student": True, "incomes": {**NONE, "salary": 400}}]}


def student_situation(grant: bool) -> dict:
    return alone("33063", "locataire_meuble", 420, 30,
                 who=person("2006-05-01", "etudiant", boursier=grant, salary=SALARY_400))


async def test_a_student_grant_raises_the_housing_aid_of_a_furnished_room(client, service) -> None:  # noqa: ANN001
    with_grant = reference_amounts(service.engine.tbs, student_situation(True))["aide_logement"]
    without = reference_amounts(service.engine.tbs, student_situation(False))["aide_logement"]
    assert 40 <= with_grant - without <= 60  # about 50 € a month
    for grant, expected in ((True, with_grant), (False, without)):
        payload = copy.deepcopy(STUDENT)
        payload["adults"][0]["student_grant"] = grant
        aid = by_id(await estimate(client, payload))["aide_logement"]
        assert aid["status"] == "eligible" and aid["monthly_amount"] == expected
    # Not said: both, as a range, with the reason.
    body = await estimate(client, STUDENT)
    aid = by_id(body)["aide_logement"]
    assert aid["status"] == "uncertain" and aid["range"] == [without, with_grant]
    assert "dépend de votre bourse du Crous" in aid["why"]
    assert any("bourse du Crous" in sentence for sentence in body["assumptions"])


# ----- work_restriction: aah_restriction_substantielle_durable_acces_emploi (AAH with a rate of 50
# to 79 %: art. L821-2 of the code de la sécurité sociale) -----

RESTRICTED = {"period": "2026-11", "commune": "69123", "housing": {"status": "locataire", "rent": 500, "charges": 0},
              "adults": [{"age": 45, "activity": "inactif", "incomes": NONE, "disability_rate": 0.6}]}


async def test_the_mdph_decision_given_settles_the_aah(client, service) -> None:  # noqa: ANN001
    expected = reference_amounts(service.engine.tbs, alone("69123", "locataire_vide", 500,
        who=person("1981-05-01", "inactif", taux_incapacite=0.6, rsdae=True)))
    assert expected["aah"] > 900
    payload = copy.deepcopy(RESTRICTED)
    payload["adults"][0]["work_restriction"] = True
    aah = by_id(await estimate(client, payload))["aah"]
    assert aah["status"] == "eligible" and aah["monthly_amount"] == expected["aah"] and aah["range"] is None
    payload["adults"][0]["work_restriction"] = False
    aah = by_id(await estimate(client, payload))["aah"]
    assert aah["status"] == "not_eligible" and "MDPH" in aah["why"]
    # Not said: the implicit range (test_eligibility_unknowns.py); listed in `unknown`: the same range.
    payload["adults"][0].pop("work_restriction")
    payload["unknown"] = ["adults[0].work_restriction"]
    aah = by_id(await estimate(client, payload))["aah"]
    assert aah["status"] == "uncertain" and aah["range"] == [0.0, expected["aah"]] and "MDPH" in aah["why"]


# ----- self_employed: a micro-enterprise's turnover (tax: mbic_impv / mbic_imps / mbnc_impo; each
# benefit applies the allowance of its kind: 71 %, 50 %, 34 % of the turnover, art. 50-0 and 102 ter CGI)

MICRO = {"period": "2026-11", "commune": "54395", "housing": {"status": "locataire", "rent": 500, "charges": 0},
         "adults": [{"age": 40, "incomes": NONE, "self_employed": {"turnover": 1500, "kind": "bnc"}}]}


@pytest.mark.parametrize(("kind", "box", "kept"), [("bnc", "mbnc_impo", 990), ("bic_vente", "mbic_impv", 435),
                                                   ("bic_services", "mbic_imps", 750)])
async def test_a_micro_enterprise_turnover_is_not_a_net_income(client, service, kind, box, kept) -> None:  # noqa
    who = person("1986-05-01", "actif")
    who[box] = every_year(18000)  # 1 500 € a month
    expected = reference_amounts(service.engine.tbs, alone("54395", "locataire_vide", 500, who=who))
    payload = copy.deepcopy(MICRO)
    payload["adults"][0]["self_employed"]["kind"] = kind
    body = await estimate(client, payload)
    got = by_id(body)
    for benefit_id in ("rsa", "prime_activite", "aide_logement", "cheque_energie"):
        benefit = got[benefit_id]
        amount = benefit["yearly_amount"] if benefit_id == "cheque_energie" else benefit["monthly_amount"]
        assert amount == expected[benefit_id], benefit_id
    c2s = got["complementaire_sante_solidaire"]
    participation = c2s["monthly_amount"] if c2s["status"] == "eligible" else None
    assert participation == expected["complementaire_sante_solidaire"]
    # The RSA counts the turnover less the allowance of its kind: 1 500 € × (1 − rate).
    assert f"({kept} € par mois)" in got["rsa"]["why"]
    assert any("micro-entreprise" in sentence for sentence in body["assumptions"])


async def test_a_turnover_is_not_a_salary(client) -> None:  # noqa: ANN001
    as_salary = copy.deepcopy(MICRO)
    as_salary["adults"][0] = {"age": 40, "activity": "salarie", "incomes": {**NONE, "salary": 1500}}
    micro, salary = by_id(await estimate(client, MICRO)), by_id(await estimate(client, as_salary))
    assert micro["aide_logement"]["monthly_amount"] != salary["aide_logement"]["monthly_amount"]
    assert micro["prime_activite"]["monthly_amount"] != salary["prime_activite"]["monthly_amount"]


# ----- each listed in `unknown` gives a range with its reason -----

@pytest.mark.parametrize(("payload", "field", "benefit_id", "reason"), [
    (PREGNANT, "adults[0].pregnant", "rsa", "dépend de votre grossesse"),
    (STUDENT, "adults[0].student_grant", "aide_logement", "dépend de votre bourse du Crous"),
    (MICRO, "adults[0].self_employed.turnover", "rsa", "dépend de votre chiffre d'affaires"),
    (MICRO, "adults[0].self_employed.kind", "rsa", "dépend de votre type d'activité"),
])
async def test_an_unknown_fact_gives_a_range(client, payload, field, benefit_id, reason) -> None:  # noqa: ANN001
    unknown = copy.deepcopy(payload) | {"unknown": [field]}
    if field.endswith("turnover"):
        del unknown["adults"][0]["self_employed"]["turnover"]
    benefit = by_id(await estimate(client, unknown))[benefit_id]
    assert benefit["status"] == "uncertain", benefit
    low, high = benefit["range"]
    assert low < high and reason in benefit["why"]
