"""Reference households: our API gives, to the cent, what plain OpenFisca gives on the same household
written out by hand (see eligibility_reference.py for how the situations are written).

Ages: a person aged A in November 2026 is written born in May of 2026 - A (six months before the
birthday), as the service assumes. Incomes: net, taxable and gross amounts are those of the payslips
(test_eligibility_incomes.py checks them against OpenFisca's own payroll formulas).
"""
from __future__ import annotations

import pytest

from tests.svc.eligibility.eligibility_reference import api_amount, every_year, family, home, person, reference_amounts

# Net 900 / 1 500 / 1 250 € salary: (net, taxable, gross) of the payslip.
SALARY_900 = (900, 932.39, 1136.94)
SALARY_1500 = (1500, 1553.99, 1894.9)
SALARY_1250 = (1250, 1294.99, 1579.09)
SALARY_1300 = (1300, 1346.79, 1642.25)
SALARY_400 = (400, 414.4, 505.31)
# A pension of 1 400 € net for one person alone: reduced CSG rate (reference income between the
# first two thresholds), so taxable and gross amounts are higher.
PENSION_1400_REDUCED = (1400, 1407.31, 1462.9)
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
    "senior_couple_owners": {
        # Married, 70 and 68, owners in Toulouse, small pensions (no CSG at this income: net = gross).
        "request": {
            "commune": "31555", "housing": {"status": "proprietaire"},
            "adults": [{"age": 70, "activity": "retraite", "incomes": {**NONE, "pension": 700}},
                       {"age": 68, "activity": "retraite", "incomes": {**NONE, "pension": 300}}],
            "couple_type": "marie",
        },
        "situation": {
            "individus": {"moi": person("1956-05-01", "retraite", "marie", pension=(700, 700, 700)),
                          "conjoint": person("1958-05-01", "retraite", "marie", pension=(300, 300, 300))},
            "familles": {"f": family(["moi", "conjoint"])},
            "foyers_fiscaux": {"ff": {"declarants": ["moi", "conjoint"], "f4ba": every_year(0)}},
            "menages": {"m": home("31555", "proprietaire", personne_de_reference=["moi"], conjoint=["conjoint"])},
        },
    },
    "disabled_adult_housed_free": {
        # 45, disability rate of 85 %, a disability pension of 300 €, housed free by a relative in Lyon. With
        # 80 % or more, the MDPH grants the invalidity card: box P of the tax return (art. 195 and 157 bis CGI).
        "request": {
            "commune": "69123", "housing": {"status": "heberge"},
            "adults": [{"age": 45, "activity": "inactif", "incomes": {**NONE, "disability_pension": 300},
                        "disability_rate": 0.85}],
        },
        "situation": {
            "individus": {"moi": person("1981-05-01", "inactif", taux_incapacite=0.85, disability_pension=300)},
            "familles": {"f": family(["moi"])},
            "foyers_fiscaux": {"ff": {"declarants": ["moi"], "f4ba": every_year(0), "caseP": every_year(True)}},
            "menages": {"m": home("69123", "loge_gratuitement", personne_de_reference=["moi"])},
        },
    },
    "student_with_a_small_job": {
        # 20, student, 400 € a month from a job, furnished studio in Bordeaux.
        "request": {
            "commune": "33063", "housing": {"status": "locataire_meuble", "rent": 420, "charges": 30},
            "adults": [{"age": 20, "activity": "etudiant", "student": True, "student_grant": False,
                        "incomes": {**NONE, "salary": 400}}],
        },
        "situation": {
            "individus": {"moi": person("2006-05-01", "etudiant", salary=SALARY_400)},
            "familles": {"f": family(["moi"])},
            "foyers_fiscaux": {"ff": {"declarants": ["moi"], "f4ba": every_year(0)}},
            "menages": {"m": home("33063", "locataire_meuble", 420, 30, personne_de_reference=["moi"])},
        },
    },
    "young_person_without_job_nor_studies_no_home": {
        # 19, no job, no studies, no income, no home, in Marseille.
        "request": {
            "commune": "13055", "housing": {"status": "sans_domicile"},
            "adults": [{"age": 19, "activity": "inactif", "incomes": NONE}],
        },
        "situation": {
            "individus": {"moi": person("2007-05-01", "inactif")},
            "familles": {"f": family(["moi"])},
            "foyers_fiscaux": {"ff": {"declarants": ["moi"], "f4ba": every_year(0)}},
            "menages": {"m": home("13055", "sans_domicile", personne_de_reference=["moi"])},
        },
    },
    "unmarried_couple_children_of_every_school_age": {
        # Unmarried couple (two tax returns: the children on the first one) in social housing in
        # Lille: a salary of 1 500 €, unemployment benefit of 900 € (no CSG at this income); children
        # at the crèche, nursery, primary school, collège, lycée, university, and one of 18 out of school.
        "request": {
            "commune": "59350", "housing": {"status": "logement_social", "rent": 640, "charges": 90},
            "adults": [{"age": 40, "activity": "salarie", "incomes": {**NONE, "salary": 1500}},
                       {"age": 38, "activity": "chomeur", "incomes": {**NONE, "unemployment": 900}}],
            "couple_type": "union_libre",
            "children": [{"age": 0, "school": "creche"}, {"age": 4, "school": "maternelle"},
                         {"age": 8, "school": "primaire"}, {"age": 12, "school": "college"},
                         {"age": 16, "school": "lycee"}, {"age": 19, "school": "superieur"},
                         {"age": 18, "school": "aucune"}],
        },
        "situation": {
            "individus": {
                "moi": person("1986-05-01", "actif", salary=SALARY_1500),
                "conjoint": person("1988-05-01", "chomeur", unemployment=(900, 900, 900)),
                "bebe": person("2026-05-01", "inactif"),
                "maternelle": person("2022-05-01", "inactif", scolarite="maternelle"),
                "primaire": person("2018-05-01", "inactif", scolarite="primaire"),
                "college": person("2014-05-01", "etudiant", scolarite="college"),
                "lycee": person("2010-05-01", "etudiant", scolarite="lycee"),
                "etudiant": person("2007-05-01", "etudiant", scolarite="enseignement_superieur"),
                "sans_etudes": person("2008-05-01", "inactif"),
            },
            "familles": {"f": family(["moi", "conjoint"], ["bebe", "maternelle", "primaire", "college", "lycee",
                                                            "etudiant", "sans_etudes"])},
            "foyers_fiscaux": {
                "ff1": {"declarants": ["moi"], "personnes_a_charge": ["bebe", "maternelle", "primaire", "college",
                                                                      "lycee", "etudiant", "sans_etudes"],
                        "f4ba": every_year(0)},
                "ff2": {"declarants": ["conjoint"], "f4ba": every_year(0)},
            },
            "menages": {"m": home("59350", "locataire_hlm", 640, 90, personne_de_reference=["moi"],
                                  conjoint=["conjoint"], enfants=["bebe", "maternelle", "primaire", "college",
                                                                  "lycee", "etudiant", "sans_etudes"])},
        },
    },
    "single_parent_with_alimony": {
        # 50, unemployment benefit of 1 200 € (no CSG at this income), 300 € of alimony for two
        # children of 10 and 14, alone with them for less than 18 months; tenant in Nancy.
        "request": {
            "commune": "54395", "housing": {"status": "locataire", "rent": 700, "charges": 50},
            "adults": [{"age": 50, "activity": "chomeur",
                        "incomes": {**NONE, "unemployment": 1200, "alimony": 300}}],
            "children": [{"age": 10}, {"age": 14}],
            "single_parent_recent": True,
        },
        "situation": {
            "individus": {"moi": person("1976-05-01", "chomeur", unemployment=(1200, 1200, 1200), alimony=300),
                          "enfant1": person("2016-05-01", "inactif", scolarite="primaire"),
                          "enfant2": person("2012-05-01", "etudiant", scolarite="college")},
            "familles": {"f": family(["moi"], ["enfant1", "enfant2"], isolement_recent=True)},
            "foyers_fiscaux": {"ff": {"declarants": ["moi"], "personnes_a_charge": ["enfant1", "enfant2"],
                                      "f4ba": every_year(0)}},
            "menages": {"m": home("54395", "locataire_vide", 700, 50, personne_de_reference=["moi"],
                                  enfants=["enfant1", "enfant2"])},
        },
    },
    "retiree_overseas_social_housing": {
        # 66, alone, pension of 1 400 € net (reduced CSG rate), social housing in Fort-de-France.
        "request": {
            "commune": "97209", "housing": {"status": "logement_social", "rent": 400, "charges": 50},
            "adults": [{"age": 66, "activity": "retraite", "incomes": {**NONE, "pension": 1400}}],
        },
        "situation": {
            "individus": {"moi": person("1960-05-01", "retraite", pension=PENSION_1400_REDUCED)},
            "familles": {"f": family(["moi"])},
            "foyers_fiscaux": {"ff": {"declarants": ["moi"], "f4ba": every_year(0)}},
            "menages": {"m": home("97209", "locataire_hlm", 400, 50, personne_de_reference=["moi"])},
        },
    },
    "young_couple_one_student_with_a_baby": {
        # 27 (salary of 1 300 €) and 26 (student, no income), a baby of 1, tenants in Marseille 1er.
        "request": {
            "commune": "13201", "housing": {"status": "locataire", "rent": 650, "charges": 50},
            "adults": [{"age": 27, "activity": "salarie", "incomes": {**NONE, "salary": 1300}},
                       {"age": 26, "activity": "etudiant", "student": True, "student_grant": False, "incomes": NONE}],
            "couple_type": "pacse",
            "children": [{"age": 1}],
        },
        "situation": {
            "individus": {"moi": person("1999-05-01", "actif", "pacse", salary=SALARY_1300),
                          "conjoint": person("2000-05-01", "etudiant", "pacse"),
                          "bebe": person("2025-05-01", "inactif")},
            "familles": {"f": family(["moi", "conjoint"], ["bebe"])},
            "foyers_fiscaux": {"ff": {"declarants": ["moi", "conjoint"], "personnes_a_charge": ["bebe"],
                                      "f4ba": every_year(0)}},
            "menages": {"m": home("13201", "locataire_vide", 650, 50, personne_de_reference=["moi"],
                                  conjoint=["conjoint"], enfants=["bebe"])},
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
    got = {b["id"]: b for b in body["benefits"] if not b["id"].startswith("local.")}   # local aids: not OpenFisca
    assert set(got) == set(expected) | {"complementaire_sante_solidaire"}
    mismatches = {}
    for benefit_id, amount in expected.items():
        benefit = got[benefit_id]
        assert benefit["why"].strip()
        if benefit["status"] == "uncertain":
            # Only by design: a student's grant depends on their parents' income, unknown here.
            assert benefit_id == "bourse_enseignement_superieur", benefit
            low, high = benefit["range"]
            assert low <= amount <= high
            continue
        if benefit_id == "complementaire_sante_solidaire":
            ours = benefit["monthly_amount"] if benefit["status"] == "eligible" else None
        else:
            ours = api_amount(benefit)
            assert (benefit["status"] == "eligible") == (amount > 0), benefit
        if ours != amount:
            mismatches[benefit_id] = (ours, amount)
    assert not mismatches, f"ours vs OpenFisca: {mismatches}"


async def test_the_reference_households_are_not_trivial(references) -> None:  # noqa: ANN001
    """Between them, the cases give every benefit a non-zero amount at least once."""
    for benefit_id in ("rsa", "prime_activite", "aide_logement", "aspa", "aah", "cheque_energie",
                       "allocations_familiales", "allocation_soutien_familial", "paje_base",
                       "allocation_rentree_scolaire", "contrat_engagement_jeune", "bourse_college", "bourse_lycee",
                       "bourse_enseignement_superieur"):
        assert any(amounts[benefit_id] for amounts in references.values()), benefit_id
    c2s = [amounts["complementaire_sante_solidaire"] for amounts in references.values()]
    assert 0.0 in c2s and any(value for value in c2s) and None in c2s
    assert references["single_tenant_salaried"]["prime_activite"] > 0
    assert references["single_tenant_salaried"]["aide_logement"] > 0
    assert references["couple_two_children_social_housing"]["aide_logement"] > 0
    assert references["single_parent_recent_toddler"]["rsa"] > 0
    assert references["single_parent_recent_toddler"]["paje_base"] > 0
