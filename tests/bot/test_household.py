"""From screening answers to the eligibility contract's household."""
from actions.household import build_household, summary
from actions.screening_plan import UNKNOWN


def test_single_tenant_household():
    household = build_household({"age": 35, "couple": False, "children": 0,
                                 "commune": {"code": "54395", "name": "Nancy", "postcode": "54000"},
                                 "housing_status": "locataire", "rent": 450, "activity": "salarie",
                                 "salary": 900})
    assert household["commune"] == "54395" and household["postcode"] == "54000"
    assert household["housing"] == {"status": "locataire", "rent": 450.0, "charges": 0.0}
    assert len(household["adults"]) == 1
    adult = household["adults"][0]
    assert adult["age"] == 35 and adult["activity"] == "salarie" and adult["incomes"]["salary"] == 900
    assert household["children"] == [] and household["unknown"] == []


def test_unknown_answers_are_listed_not_guessed():
    household = build_household({"age": 40, "couple": True, "rent": UNKNOWN, "housing_status": "locataire",
                                 "activity": "salarie", "salary": UNKNOWN, "partner_income": UNKNOWN,
                                 "commune": {"code": None, "name": None, "postcode": "69007"}})
    assert set(household["unknown"]) == {"rent", "adults[0].incomes.salary", "adults[1].incomes.salary"}
    assert "commune" not in household and household["postcode"] == "69007"
    assert len(household["adults"]) == 2


def test_children_with_ages_and_a_partner():
    household = build_household({"age": 33, "couple": True, "partner_age": 35, "partner_income": 1300,
                                 "children": 2, "children_ages": [3, 11], "activity": "inactif",
                                 "commune": {"code": "67482"}, "housing_status": "logement_social",
                                 "rent": 500})
    assert [c["age"] for c in household["children"]] == [3, 11]
    partner = household["adults"][1]
    assert partner["age"] == 35 and partner["activity"] == "salarie" and partner["incomes"]["salary"] == 1300


def test_seniors_are_retired_unless_they_say_otherwise():
    household = build_household({"age": 70, "couple": False, "pension": 600, "commune": {"code": "54395"},
                                 "housing_status": "proprietaire"})
    assert household["adults"][0]["activity"] == "retraite"
    assert household["adults"][0]["incomes"]["pension"] == 600


def test_summary_keeps_no_identifying_detail():
    brief = summary({"age": 35, "couple": False, "commune": {"code": "54395", "name": "Nancy"},
                     "housing_status": "locataire", "rent": UNKNOWN})
    assert brief["commune"] == "Nancy" and brief["unknown"] == ["rent"]
    assert "phone" not in brief and "name" not in brief
