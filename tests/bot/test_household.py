"""From screening answers to the eligibility contract's household: what was said is what is sent,
what was not known is listed in `unknown`, never guessed."""
import pytest

from actions.household import build_household, summary
from actions.screening_plan import NOT_MICRO, UNKNOWN

NANCY = {"code": "54395", "name": "Nancy", "postcode": "54000"}
SINGLE = {"age": 35, "couple": False, "children": 0, "pregnant": False, "commune": NANCY}


def test_single_tenant_household():
    household = build_household({**SINGLE, "housing_status": "locataire", "rent": 450, "activity": "salarie",
                                 "salary": 900})
    assert household["commune"] == "54395" and household["postcode"] == "54000"
    assert household["housing"] == {"status": "locataire", "rent": 450.0, "charges": 0.0}
    assert len(household["adults"]) == 1
    adult = household["adults"][0]
    assert adult["age"] == 35 and adult["activity"] == "salarie" and adult["incomes"]["salary"] == 900
    assert adult["pregnant"] is False
    assert household["children"] == [] and household["unknown"] == []


def test_unknown_answers_are_listed_not_guessed():
    household = build_household({"age": 40, "couple": True, "partner_age": 41, "children": 0, "pregnant": False,
                                 "rent": UNKNOWN, "housing_status": "locataire", "activity": "salarie",
                                 "salary": UNKNOWN, "partner_income": UNKNOWN, "partner_activity": "salarie",
                                 "commune": {"code": None, "name": None, "postcode": "69007"}})
    assert set(household["unknown"]) == {"rent", "adults[0].incomes.salary", "adults[1].incomes.salary"}
    assert "commune" not in household and household["postcode"] == "69007"
    assert len(household["adults"]) == 2


def test_a_town_nobody_knows_gives_a_national_estimate():
    household = build_household({**SINGLE, "commune": UNKNOWN, "housing_status": "heberge", "activity": "chomeur",
                                 "unemployment": 700})
    assert "commune" not in household and "postcode" not in household and household["unknown"] == ["commune"]


def test_children_with_ages_and_a_partner():
    household = build_household({"age": 33, "couple": True, "partner_age": 35, "partner_income": 1300,
                                 "partner_activity": "salarie", "children": 2, "children_ages": [3, 11],
                                 "pregnant": False, "activity": "inactif", "disability": 0.0, "other_income": 0,
                                 "commune": {"code": "67482"}, "housing_status": "logement_social", "rent": 500})
    assert [c["age"] for c in household["children"]] == [3, 11]
    partner = household["adults"][1]
    assert partner["age"] == 35 and partner["activity"] == "salarie" and partner["incomes"]["salary"] == 1300


@pytest.mark.parametrize("activity,reason,kind", [
    ("retraite", None, "pension"), ("chomeur", None, "unemployment"), ("salarie", None, "salary"),
    ("inactif", "handicap", "disability_pension"),
])
def test_the_partner_income_is_what_their_activity_brings(activity, reason, kind):
    household = build_household({"age": 70, "couple": True, "partner_age": 72, "pension": 800,
                                 "partner_activity": activity, "partner_reason": reason, "partner_income": 900,
                                 "partner_disability": 0.8 if reason else None,
                                 "commune": NANCY, "housing_status": "proprietaire"})
    partner = household["adults"][1]
    assert partner["activity"] == activity and partner["incomes"][kind] == 900
    assert sum(partner["incomes"].values()) == 900


def test_the_kind_said_with_the_amount_wins():
    household = build_household({"age": 60, "couple": True, "partner_age": 63, "children": 0, "activity": "chomeur",
                                 "unemployment": 600, "partner_activity": "inactif", "partner_income_type": "pension",
                                 "partner_income": 700, "commune": NANCY, "housing_status": "proprietaire"})
    assert household["adults"][1]["incomes"]["pension"] == 700


def test_seniors_are_retired_unless_they_say_otherwise():
    household = build_household({"age": 70, "couple": False, "pension": 600, "commune": NANCY,
                                 "housing_status": "proprietaire"})
    assert household["adults"][0]["activity"] == "retraite"
    assert household["adults"][0]["incomes"]["pension"] == 600


def test_an_answer_made_useless_by_a_correction_is_not_sent():
    # first « salarié, 1200 », then « non en fait je suis au chômage, 800 »
    household = build_household({**SINGLE, "housing_status": "heberge", "activity": "chomeur", "salary": 1200,
                                 "unemployment": 800})
    incomes = household["adults"][0]["incomes"]
    assert incomes["salary"] == 0 and incomes["unemployment"] == 800


def test_the_details_of_housing_and_couple_are_kept():
    household = build_household({"age": 30, "couple": True, "couple_type": "marie", "partner_age": 31, "children": 0,
                                 "pregnant": "partner", "commune": NANCY, "housing_status": "locataire_meuble",
                                 "rent": 400, "charges": 30, "activity": "salarie", "salary": 1500,
                                 "partner_activity": "inactif", "partner_income": 0})
    assert household["housing"] == {"status": "locataire_meuble", "rent": 400.0, "charges": 30.0}
    assert household["couple_type"] == "marie"
    assert household["adults"][1]["pregnant"] is True and household["adults"][0]["pregnant"] is False


def test_an_owner_with_a_loan_sends_the_loan_as_rent():
    household = build_household({**SINGLE, "housing_status": "accedant", "rent": 650, "activity": "salarie",
                                 "salary": 2000})
    assert household["housing"]["status"] == "accedant" and household["housing"]["rent"] == 650


def test_micro_entrepreneurs_send_their_turnover_not_a_salary():
    household = build_household({**SINGLE, "housing_status": "heberge", "activity": "independant",
                                 "self_employed": 1500, "self_employed_kind": "bic_services"})
    adult = household["adults"][0]
    assert adult["self_employed"] == {"turnover": 1500, "kind": "bic_services"}
    assert adult["incomes"]["salary"] == 0
    other = build_household({**SINGLE, "housing_status": "heberge", "activity": "independant",
                             "self_employed": NOT_MICRO, "salary": 1800})
    assert "self_employed" not in other["adults"][0] and other["adults"][0]["incomes"]["salary"] == 1800


def test_student_grant_pregnancy_and_work_restriction_are_sent_when_said_and_listed_when_unknown():
    student = build_household({**SINGLE, "age": 21, "housing_status": "foyer", "rent": 300, "activity": "etudiant",
                               "student_grant": True, "salary": 0, "other_income": 0})
    assert student["adults"][0]["student_grant"] is True and student["adults"][0]["student"] is True
    unsure = build_household({**SINGLE, "age": 21, "housing_status": "foyer", "rent": 300, "activity": "etudiant",
                              "student_grant": UNKNOWN, "salary": 0, "other_income": 0})
    assert "student_grant" not in unsure["adults"][0] and "adults[0].student_grant" in unsure["unknown"]
    disabled = build_household({**SINGLE, "housing_status": "heberge", "activity": "inactif", "other_income": 0,
                                "disability": 0.5, "work_restriction": UNKNOWN})
    assert disabled["adults"][0]["disability_rate"] == 0.5
    assert "adults[0].work_restriction" in disabled["unknown"]


def test_children_ages_not_given_are_unknown():
    household = build_household({**SINGLE, "children": 2, "children_ages": UNKNOWN, "alimony": 0,
                                 "single_parent_recent": False, "housing_status": "heberge",
                                 "activity": "chomeur", "unemployment": 500})
    assert len(household["children"]) == 2
    assert {"children[0].age", "children[1].age"} <= set(household["unknown"])


def test_summary_keeps_no_identifying_detail():
    brief = summary({"age": 35, "couple": False, "commune": {"code": "54395", "name": "Nancy"},
                     "housing_status": "locataire", "rent": UNKNOWN})
    assert brief["commune"] == "Nancy" and brief["unknown"] == ["rent"]
    assert "phone" not in brief and "name" not in brief
