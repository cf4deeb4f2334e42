"""Which screening questions a person needs, in which order: only what the answers so far make
necessary. Pure functions of the answers, shared by the form validation and the ask actions."""
from __future__ import annotations

from typing import Any, Mapping

UNKNOWN = "unknown"

QUESTIONS = (
    "age", "couple", "partner_age", "children", "children_ages", "single_parent_recent", "alimony",
    "commune", "housing_status", "rent", "activity", "salary", "unemployment", "pension",
    "partner_income", "other_income", "disability",
)
INCOME_QUESTIONS = ("salary", "unemployment", "pension", "partner_income")
PAYS_RENT = {"locataire", "locataire_meuble", "logement_social", "foyer", UNKNOWN}
SENIOR_AGE = 65

# A moment of life brings its most telling questions first.
FIRST_QUESTIONS = {
    "senior": ("age", "couple", "pension"),
    "handicap": ("age", "disability"),
    "perte_emploi": ("age", "activity", "unemployment"),
    "naissance": ("age", "couple", "children", "children_ages"),
    "parent_seul": ("age", "children", "children_ages", "alimony"),
    "separation": ("age", "children", "children_ages", "alimony"),
    "deces_conjoint": ("age", "pension", "children"),
    "devenir_adulte": ("age", "activity"),
}


def number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def is_senior(answers: Mapping[str, Any]) -> bool:
    age = number(answers.get("age"))
    return age is not None and age >= SENIOR_AGE


def effective_activity(answers: Mapping[str, Any]) -> str | None:
    activity = answers.get("activity")
    if activity in (None, UNKNOWN) and is_senior(answers):
        return "retraite"
    return activity


def needed_questions(answers: Mapping[str, Any], life_event: str | None = None) -> list[str]:
    """The questions that matter for this person, answered or not, in the order to ask them."""
    age = number(answers.get("age"))
    couple = answers.get("couple") is True
    alone = answers.get("couple") is False
    senior = is_senior(answers)
    children = number(answers.get("children"))
    has_children = children is not None and children > 0
    ages = answers.get("children_ages")

    questions = ["age", "couple"]
    if couple and (age is None or age >= 55 or age < 30):
        questions.append("partner_age")
    if not senior or life_event in {"naissance", "parent_seul", "separation"}:
        questions.append("children")
    if has_children:
        questions.append("children_ages")
    if alone and has_children:
        questions.append("alimony")
        youngest_under_3 = isinstance(ages, list) and ages and min(ages) < 3
        if not youngest_under_3:
            questions.append("single_parent_recent")
    questions += ["commune", "housing_status"]
    if answers.get("housing_status") in PAYS_RENT:
        questions.append("rent")
    if not senior:
        questions.append("activity")
    activity = effective_activity(answers)
    if activity in {"salarie", "independant", "etudiant"}:
        questions.append("salary")
    if activity == "chomeur":
        questions.append("unemployment")
    if activity == "retraite" or (life_event == "deces_conjoint" and age is not None and age >= 55):
        questions.append("pension")
    if couple:
        questions.append("partner_income")
    if _declared_income_is_zero(answers, questions):
        questions.append("other_income")
    if life_event == "handicap" or activity == "inactif":
        questions.append("disability")
    return _life_event_first(questions, life_event)


def _declared_income_is_zero(answers: Mapping[str, Any], questions: list[str]) -> bool:
    """Other incomes are asked when the main ones are all answered and add up to nothing."""
    asked = [q for q in INCOME_QUESTIONS if q in questions]
    if "activity" in questions and answers.get("activity") is None:
        return False
    values = [answers.get(q) for q in asked]
    if any(v is None for v in values):
        return False
    return all(number(v) in (None, 0.0) for v in values)


def _life_event_first(questions: list[str], life_event: str | None) -> list[str]:
    first = [q for q in FIRST_QUESTIONS.get(life_event or "", ()) if q in questions]
    return first + [q for q in questions if q not in first]


def next_question(answers: Mapping[str, Any], life_event: str | None = None) -> str | None:
    return next((q for q in needed_questions(answers, life_event) if answers.get(q) is None), None)
