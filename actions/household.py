"""Turn the screening answers into the household of the eligibility contract
(../shared/spec/eligibility.md). Unknown answers are listed in `unknown`, never guessed as 0."""
from __future__ import annotations

from typing import Any, Mapping

from actions.screening_plan import UNKNOWN, effective_activity, number

# Where an unknown answer lives in the contract's household.
UNKNOWN_FIELD = {
    "age": "adults[0].age",
    "partner_age": "adults[1].age",
    "rent": "rent",
    "salary": "adults[0].incomes.salary",
    "unemployment": "adults[0].incomes.unemployment",
    "pension": "adults[0].incomes.pension",
    "other_income": "adults[0].incomes.other",
    "alimony": "adults[0].incomes.alimony",
    "partner_income": "adults[1].incomes.salary",
    "disability": "adults[0].disability_rate",
    "single_parent_recent": "single_parent_recent",
}
DEFAULT_AGE = 40        # used only with the field listed in `unknown`
DEFAULT_CHILD_AGE = 8


def _known(answers: Mapping[str, Any], key: str) -> Any:
    value = answers.get(key)
    return None if value == UNKNOWN else value


def _amount(answers: Mapping[str, Any], key: str) -> float:
    return number(_known(answers, key)) or 0.0


def build_household(answers: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted({UNKNOWN_FIELD[k] for k, v in answers.items() if v == UNKNOWN and k in UNKNOWN_FIELD})
    age = number(_known(answers, "age")) or DEFAULT_AGE
    activity = effective_activity(answers)
    if activity in (None, UNKNOWN):
        activity = "inactif"
        unknown.append("adults[0].activity")
    salary = _amount(answers, "salary")
    incomes = {
        "salary": salary,
        "unemployment": _amount(answers, "unemployment"),
        "pension": _amount(answers, "pension"),
        "disability_pension": 0.0,
        "alimony": _amount(answers, "alimony"),
        "other": _amount(answers, "other_income"),
    }
    disability = number(_known(answers, "disability"))
    adults = [{
        "age": int(age),
        "activity": activity,
        "incomes": incomes,
        "disability_rate": disability if disability else None,
        "student": activity == "etudiant",
    }]
    if answers.get("couple") is True:
        partner_income = _amount(answers, "partner_income")
        partner_age = number(_known(answers, "partner_age")) or age
        adults.append({
            "age": int(partner_age),
            "activity": "salarie" if partner_income > 0 else "inactif",
            "incomes": {"salary": partner_income, "unemployment": 0.0, "pension": 0.0,
                        "disability_pension": 0.0, "alimony": 0.0, "other": 0.0},
            "disability_rate": None,
            "student": False,
        })
    count = int(number(_known(answers, "children")) or 0)
    ages = _known(answers, "children_ages")
    ages = list(ages) if isinstance(ages, list) else []
    children = [{"age": int(ages[i]) if i < len(ages) else DEFAULT_CHILD_AGE} for i in range(count)]
    commune = _known(answers, "commune") or {}
    housing_status = _known(answers, "housing_status") or "heberge"
    household: dict[str, Any] = {
        "housing": {"status": housing_status, "rent": _amount(answers, "rent"), "charges": 0.0},
        "adults": adults,
        "couple_type": None,
        "children": children,
        "single_parent_recent": bool(_known(answers, "single_parent_recent")),
        "unknown": sorted(set(unknown)),
    }
    if commune.get("code"):
        household["commune"] = commune["code"]
    if commune.get("postcode"):
        household["postcode"] = commune["postcode"]
    return household


def summary(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The household in brief, for the social worker's handover (no name, no number, no address)."""
    commune = _known(answers, "commune") or {}
    return {
        "age": _known(answers, "age"),
        "couple": answers.get("couple"),
        "children_ages": _known(answers, "children_ages") or [],
        "commune": commune.get("name") or commune.get("postcode"),
        "housing_status": _known(answers, "housing_status"),
        "activity": effective_activity(answers),
        "unknown": sorted(k for k, v in answers.items() if v == UNKNOWN),
    }
