"""Turn the screening answers into the household of the eligibility contract
(../shared/spec/eligibility.md). Only the answers the plan still needs are used (an answer made
useless by a correction is not sent). An answer skipped, not understood or « je ne sais pas » is
listed in `unknown` (the service then gives a range), never sent as a guess."""
from __future__ import annotations

from typing import Any, Mapping

from actions.screening_plan import (UNKNOWN, effective_activity, is_micro_entrepreneur, needed_questions,
                                    number)
from knowledge.vocabulary import ACTIVITY_INCOME, INCOME_NAMES, PAYS_RENT

DEFAULT_AGE = 40        # used only with the field listed in `unknown`
DEFAULT_CHILD_AGE = 8   # idem
SELF_INCOMES = {"salary": "salary", "unemployment": "unemployment", "pension": "pension",
                "alimony": "alimony", "other_income": "other"}


def relevant_answers(answers: Mapping[str, Any], life_event: str | None = None) -> dict[str, Any]:
    """The answers to the questions the plan needs now, with the details that go with them."""
    needed = set(needed_questions(answers, life_event))
    kept = {q: v for q, v in answers.items() if q in needed and v is not None}
    for detail in ("couple_type", "partner_income_type", "partner_reason"):   # said without being asked
        if answers.get("couple") is True and answers.get(detail) is not None:
            kept[detail] = answers[detail]
    for detail in ("charges", "occupation", "disability_pension", "activity_reason"):
        if answers.get(detail) is not None:
            kept[detail] = answers[detail]
    if answers.get("housing_status") not in PAYS_RENT:
        kept.pop("charges", None)
    return kept


def _known(answers: Mapping[str, Any], key: str) -> Any:
    value = answers.get(key)
    return None if value == UNKNOWN else value


def _amount(answers: Mapping[str, Any], key: str) -> float:
    return number(_known(answers, key)) or 0.0


def partner_income_kind(answers: Mapping[str, Any]) -> str | None:
    """Which income the partner's amount is: said with the amount, else what their activity brings."""
    kind = answers.get("partner_income_type")
    if kind in INCOME_NAMES:
        return kind
    activity = answers.get("partner_activity")
    if activity == "inactif" and answers.get("partner_reason") in {"handicap", "maladie"}:
        return "disability_pension"
    return ACTIVITY_INCOME.get(activity or "") or ("other" if activity == "inactif" else None)


def build_household(all_answers: Mapping[str, Any], life_event: str | None = None) -> dict[str, Any]:
    answers = relevant_answers(all_answers, life_event)
    unknown: set[str] = set()

    def unknown_if(key: str, field: str) -> None:
        if answers.get(key) == UNKNOWN:
            unknown.add(field)

    person = _adult(answers, unknown)
    adults = [person]
    if answers.get("couple") is True:
        adults.append(_partner(answers, person["age"], unknown))
    children = _children(answers, unknown)
    status = _known(answers, "housing_status")
    if status is None:
        status = "locataire"
        unknown.update({"housing.status", "rent"})
    housing: dict[str, Any] = {"status": status, "rent": 0.0, "charges": 0.0}
    if status in PAYS_RENT:
        housing["rent"] = _amount(answers, "rent")
        housing["charges"] = _amount(answers, "charges")
        if answers.get("rent") in (UNKNOWN, None):
            unknown.add("rent")
    household: dict[str, Any] = {
        "housing": housing,
        "adults": adults,
        "couple_type": _known(answers, "couple_type") if len(adults) == 2 else None,
        "children": children,
        "single_parent_recent": bool(_known(answers, "single_parent_recent")) and len(adults) == 1,
    }
    unknown_if("single_parent_recent", "single_parent_recent")
    if len(adults) == 2:
        unknown_if("couple_type", "couple_type")
    commune = answers.get("commune")
    if isinstance(commune, dict) and commune.get("code"):
        household["commune"] = commune["code"]
    if isinstance(commune, dict) and commune.get("postcode"):
        household["postcode"] = commune["postcode"]
    if "commune" not in household and "postcode" not in household:
        unknown.add("commune")
    household["unknown"] = sorted(unknown)
    return household


def _adult(answers: Mapping[str, Any], unknown: set[str]) -> dict[str, Any]:
    age = number(_known(answers, "age"))
    if age is None:
        unknown.add("adults[0].age")
    activity = effective_activity(answers)
    if activity in (None, UNKNOWN):
        unknown.update({"adults[0].activity", "adults[0].incomes.salary", "adults[0].incomes.unemployment"})
        activity = "inactif"
    incomes = {name: 0.0 for name in INCOME_NAMES}
    for question, income in SELF_INCOMES.items():
        incomes[income] = _amount(answers, question)
        if answers.get(question) == UNKNOWN:
            unknown.add(f"adults[0].incomes.{income}")
    incomes["disability_pension"] = _amount(answers, "disability_pension")
    adult: dict[str, Any] = {
        "age": int(age or DEFAULT_AGE),
        "activity": activity,
        "incomes": incomes,
        "disability_rate": _rate(answers, "disability", 0, unknown),
        "student": activity == "etudiant",
    }
    pregnant = answers.get("pregnant")
    if pregnant == UNKNOWN:
        unknown.add("adults[0].pregnant")
    elif pregnant is not None:
        adult["pregnant"] = pregnant == "self"
    for fact in ("student_grant", "work_restriction"):
        if answers.get(fact) == UNKNOWN:
            unknown.add(f"adults[0].{fact}")
        elif isinstance(answers.get(fact), bool):
            adult[fact] = answers[fact]
    if is_micro_entrepreneur(answers):
        turnover = answers.get("self_employed")
        if turnover == UNKNOWN:
            unknown.add("adults[0].self_employed.turnover")
        kind = _known(answers, "self_employed_kind") or "bic_services"   # with the field in `unknown`
        if _known(answers, "self_employed_kind") is None:
            unknown.add("adults[0].self_employed.kind")
        adult["self_employed"] = {"turnover": number(turnover) or 0.0, "kind": kind}
    return adult


def _partner(answers: Mapping[str, Any], own_age: int, unknown: set[str]) -> dict[str, Any]:
    age = number(_known(answers, "partner_age"))
    if age is None:
        unknown.add("adults[1].age")
    activity = _known(answers, "partner_activity")
    incomes = {name: 0.0 for name in INCOME_NAMES}
    kind = partner_income_kind(answers)
    amount = answers.get("partner_income")
    if activity is None:
        unknown.add("adults[1].activity")
        activity = "inactif"
    if amount == UNKNOWN or (amount is None and answers.get("partner_activity") is not None):
        unknown.add(f"adults[1].incomes.{kind or 'salary'}")
    elif number(amount):
        if kind is None:
            unknown.add("adults[1].activity")
            kind = "salary"
        incomes[kind] = float(amount)
    partner: dict[str, Any] = {
        "age": int(age or own_age),
        "activity": activity,
        "incomes": incomes,
        "disability_rate": _rate(answers, "partner_disability", 1, unknown),
        "student": activity == "etudiant",
    }
    if answers.get("pregnant") == "partner":
        partner["pregnant"] = True
    if answers.get("partner_work_restriction") == UNKNOWN:
        unknown.add("adults[1].work_restriction")
    elif isinstance(answers.get("partner_work_restriction"), bool):
        partner["work_restriction"] = answers["partner_work_restriction"]
    return partner


def _rate(answers: Mapping[str, Any], key: str, index: int, unknown: set[str]) -> float | None:
    if answers.get(key) == UNKNOWN:
        unknown.add(f"adults[{index}].disability_rate")
        return None
    rate = number(answers.get(key))
    return rate if rate else None


def _children(answers: Mapping[str, Any], unknown: set[str]) -> list[dict[str, Any]]:
    count = int(number(_known(answers, "children")) or 0)
    ages = _known(answers, "children_ages")
    ages = list(ages) if isinstance(ages, list) and len(ages) == count else None
    children = []
    for index in range(count):
        if ages is None:
            unknown.add(f"children[{index}].age")
        children.append({"age": int(ages[index]) if ages else DEFAULT_CHILD_AGE})
    return children


def summary(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The household in brief, for the social worker's handover (no name, no number, no address)."""
    kept = relevant_answers(answers)
    commune = _known(kept, "commune") or {}
    return {
        "age": _known(kept, "age"),
        "couple": kept.get("couple"),
        "children_ages": _known(kept, "children_ages") or [],
        "commune": commune.get("name") or commune.get("postcode"),
        "housing_status": _known(kept, "housing_status"),
        "activity": effective_activity(kept),
        "unknown": sorted(k for k, v in kept.items() if v == UNKNOWN),
    }
