"""Which screening questions a person needs, in which order: only what the answers so far make
necessary. Pure functions of the answers, shared by the form validation, the ask actions, the
household builder (an answer the plan no longer needs is not sent) and the recap."""
from __future__ import annotations

from typing import Any, Mapping

from knowledge.vocabulary import PAYS_RENT as PAYING_STATUSES

UNKNOWN = "unknown"
NOT_MICRO = "not_micro"       # self_employed: « je ne suis pas auto-entrepreneur »

QUESTIONS = (
    "age", "couple", "partner_age", "children", "children_ages", "alimony", "single_parent_recent",
    "pregnant", "commune", "housing_status", "rent", "activity", "self_employed", "self_employed_kind",
    "student_grant", "salary", "unemployment", "pension", "partner_income", "partner_activity", "other_income",
    "disability", "work_restriction", "partner_disability", "partner_work_restriction", "couple_type", "recap",
)
# Facts a message may give that no question asks on its own (kept with the answers).
DETAILS = ("charges", "occupation", "disability_pension", "activity_reason", "partner_reason",
           "disability_said", "partner_disability_said", "partner_income_type")
ANSWERS = QUESTIONS + DETAILS

AMOUNT_QUESTIONS = frozenset({"rent", "salary", "unemployment", "pension", "partner_income", "other_income",
                              "alimony", "self_employed"})
YES_NO_QUESTIONS = frozenset({"single_parent_recent", "pregnant", "student_grant", "work_restriction",
                              "partner_work_restriction", "recap"})
SCHOOL_GRANT_AGES = range(10, 18)   # collège and lycée: their grants read the parents' tax return
INCOME_QUESTIONS = ("salary", "unemployment", "pension", "self_employed", "partner_income")
PAYS_RENT = PAYING_STATUSES | {UNKNOWN}
SENIOR_AGE = 65
PREGNANCY_AGES = range(15, 46)
CHILDREN_EVENTS = frozenset({"naissance", "parent_seul", "separation"})

# A moment of life brings its most telling questions first.
FIRST_QUESTIONS = {
    "senior": ("age", "couple", "pension"),
    "handicap": ("age", "disability"),
    "perte_emploi": ("age", "activity", "unemployment"),
    "naissance": ("age", "couple", "pregnant", "children", "children_ages"),
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
    """The person's activity; a senior who was not asked is retired."""
    activity = answers.get("activity")
    if activity in (None, UNKNOWN) and is_senior(answers):
        return "retraite"
    return activity


def is_micro_entrepreneur(answers: Mapping[str, Any]) -> bool:
    return effective_activity(answers) == "independant" and answers.get("self_employed") not in (NOT_MICRO, None)


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
    if couple:
        questions.append("partner_age")
    if not senior or life_event in CHILDREN_EVENTS:
        questions.append("children")
    if has_children:
        questions.append("children_ages")
    if alone and has_children:
        questions.append("alimony")
        youngest_under_3 = isinstance(ages, list) and ages and min(ages) < 3
        if not youngest_under_3:
            questions.append("single_parent_recent")
    if _may_expect_a_baby(answers, life_event):
        questions.append("pregnant")
    questions += ["commune", "housing_status"]
    if answers.get("housing_status") in PAYS_RENT:
        questions.append("rent")
    if not senior or answers.get("activity") not in (None, UNKNOWN):
        questions.append("activity")
    activity = effective_activity(answers)
    if activity == "independant":
        questions.append("self_employed")
        if is_micro_entrepreneur(answers):
            questions.append("self_employed_kind")
    if activity == "etudiant":
        questions.append("student_grant")
    if activity in {"salarie", "etudiant"} or (activity == "independant" and answers.get("self_employed") == NOT_MICRO):
        questions.append("salary")
    if activity == "chomeur":
        questions.append("unemployment")
    if activity == "retraite" or (life_event == "deces_conjoint" and age is not None and age >= 55):
        questions.append("pension")
    if couple:
        questions += ["partner_income", "partner_activity"]
    if _declared_income_is_zero(answers, questions):
        questions.append("other_income")
    if life_event == "handicap" or activity == "inactif" or answers.get("disability_said") is True \
            or answers.get("activity_reason") in {"handicap", "maladie"}:
        questions.append("disability")
    rate = number(answers.get("disability"))
    if rate is not None and 0.5 <= rate < 0.8:
        questions.append("work_restriction")
    if couple and (answers.get("partner_activity") == "inactif" or answers.get("partner_disability_said") is True
                   or answers.get("partner_income_type") == "disability_pension"):
        questions.append("partner_disability")
    partner_rate = number(answers.get("partner_disability"))
    if couple and partner_rate is not None and 0.5 <= partner_rate < 0.8:
        questions.append("partner_work_restriction")
    if couple and isinstance(ages, list) and any(a in SCHOOL_GRANT_AGES for a in ages):
        questions.append("couple_type")   # married or not: one tax return or two
    ordered = _life_event_first(questions, life_event)
    return ordered + ["recap"]


def _may_expect_a_baby(answers: Mapping[str, Any], life_event: str | None) -> bool:
    """A woman who may be expecting, or a couple: asked under 46, unless already said."""
    if answers.get("pregnant") is not None or life_event == "naissance":
        return True
    ages = [number(answers.get("age"))]
    if answers.get("couple") is True:
        ages.append(number(answers.get("partner_age")))
    return any(a is not None and a in PREGNANCY_AGES for a in ages) and answers.get("couple") is not None


def _declared_income_is_zero(answers: Mapping[str, Any], questions: list[str]) -> bool:
    """Other incomes are asked when the main ones are all answered and add up to nothing."""
    asked = [q for q in INCOME_QUESTIONS if q in questions]
    if "activity" in questions and answers.get("activity") is None:
        return False
    if "partner_activity" in questions and answers.get("partner_activity") is None:
        return False   # « rien » for the partner: what they do comes first
    values = [answers.get(q) for q in asked]
    if any(v is None for v in values):
        return False
    return all(number(v) in (None, 0.0) for v in values)


def _life_event_first(questions: list[str], life_event: str | None) -> list[str]:
    first = [q for q in FIRST_QUESTIONS.get(life_event or "", ()) if q in questions]
    return first + [q for q in questions if q not in first]


def unsettled(answers: Mapping[str, Any], question: str) -> bool:
    """True while a question still needs an answer (a town given without its arrondissement, or
    with several same-name candidates, still needs one)."""
    value = answers.get(question)
    if question == "commune" and isinstance(value, dict):
        return bool(value.get("candidates") or value.get("arrondissements"))
    if question == "children_ages" and isinstance(value, list):
        count = number(answers.get("children"))
        return count is not None and len(value) != int(count)
    return value is None


def next_question(answers: Mapping[str, Any], life_event: str | None = None) -> str | None:
    return next((q for q in needed_questions(answers, life_event) if unsettled(answers, q)), None)
