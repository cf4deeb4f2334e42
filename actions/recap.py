"""« Je résume : 40 ans, en couple, 3 enfants, HLM à Nancy, loyer 650 €... C'est bien ça ? »

The recap is said before the estimate, from the answers the plan still needs, so the person can
correct any fact in free text. It is short enough for two SMS. Its words come from
knowledge/texts/recap.yml and knowledge/vocabulary.yml."""
from __future__ import annotations

from typing import Any, Mapping

from actions.household import partner_income_kind, relevant_answers
from actions.messages import euros, piece, render_text
from actions.screening_plan import UNKNOWN, effective_activity, is_micro_entrepreneur, number
from knowledge.vocabulary import ACTIVITIES, COUPLE_TYPES, HOUSING_STATUSES, INCOMES, SELF_EMPLOYED_KINDS


def _money(value: Any) -> str:
    return piece("recap_unknown") if value == UNKNOWN else f"{euros(number(value) or 0)} €"


def _ages(values: list[int]) -> str:
    said = [str(v) for v in values]
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " et " + said[-1]


def recap_facts(all_answers: Mapping[str, Any], life_event: str | None = None) -> list[str]:
    """The household in a few short pieces, in the order of the questions."""
    answers = relevant_answers(all_answers, life_event)
    pieces: list[str] = []
    age = answers.get("age")
    pieces.append(piece("recap_age_unknown") if age == UNKNOWN else piece("recap_age", age=age))
    if answers.get("couple") is True:
        kind = COUPLE_TYPES.get(answers.get("couple_type") or "", {}).get("label")
        pieces.append(piece("recap_couple", kind=f" ({kind})" if kind else ""))
    elif answers.get("couple") is False:
        pieces.append(piece("recap_alone"))
    pieces.append(_children(answers))
    if answers.get("pregnant") in ("self", "partner"):
        pieces.append(piece("recap_pregnant"))
    if number(answers.get("alimony")):
        pieces.append(piece("recap_alimony", amount=_money(answers["alimony"])))
    pieces.append(_home(answers))
    pieces += _own_activity(answers)
    if answers.get("couple") is True:
        pieces.append(_partner(answers))
    if number(answers.get("other_income")):
        pieces.append(piece("recap_other_income", amount=_money(answers["other_income"])))
    rate = number(answers.get("disability"))
    if rate:
        pieces.append(piece("recap_disability", rate=round(rate * 100)))
    return [p for p in pieces if p]


def _children(answers: Mapping[str, Any]) -> str:
    count = answers.get("children")
    if count is None:
        return ""
    if count == UNKNOWN:
        return piece("recap_children_unknown")
    if not count:
        return piece("recap_no_child")
    ages = answers.get("children_ages")
    key = "recap_one_child" if count == 1 else "recap_children"
    if isinstance(ages, list) and len(ages) == count:
        return piece(key + "_ages", count=count, ages=_ages(ages))
    return piece(key, count=count)


def departement_of(code: str) -> str:
    """« 54 » for 54395, « 974 » for 97411, « 2A » for 2A004: what a person checks in the recap."""
    return code[:3] if code.startswith("97") else code[:2]


def _home(answers: Mapping[str, Any]) -> str:
    commune = answers.get("commune")
    town = commune.get("name") if isinstance(commune, dict) else None
    if town and commune.get("code"):
        town = f"{town} ({departement_of(str(commune['code']))})"   # a town of the same name elsewhere
    status = answers.get("housing_status")
    label = piece("recap_unknown_housing") if status in (None, UNKNOWN) else HOUSING_STATUSES[status]["label"]
    said = piece("recap_home", housing=label, town=town) if town else \
        piece("recap_home_no_town", housing=label)
    if "rent" in answers:
        pays = (HOUSING_STATUSES.get(status or "") or {}).get("pays")
        key = "recap_loan" if pays == "loan" else "recap_rent"
        said += ", " + piece(key, amount=_money(answers["rent"]))
        if number(answers.get("charges")):
            said += " " + piece("recap_charges", amount=_money(answers["charges"]))
    return said


def _own_activity(answers: Mapping[str, Any]) -> list[str]:
    activity = effective_activity(answers)
    if activity in (None, UNKNOWN):
        return [piece("recap_activity_unknown")]
    said = ACTIVITIES[activity]["label"]
    if answers.get("occupation"):
        said += f" ({answers['occupation']})"
    if is_micro_entrepreneur(answers):
        kind = SELF_EMPLOYED_KINDS.get(answers.get("self_employed_kind") or "", {}).get("label")
        said += ", " + piece("recap_turnover", amount=_money(answers["self_employed"]))
        if kind:
            said += f" ({kind})"
    for question in ("salary", "unemployment", "pension"):
        if question in answers:
            said += ", " + piece("recap_income", income=INCOMES[question]["label"],
                                        amount=_money(answers[question]))
    if answers.get("student_grant") is True:
        said += ", " + piece("recap_grant")
    return [said]


def _partner(answers: Mapping[str, Any]) -> str:
    age = answers.get("partner_age")
    activity = answers.get("partner_activity")
    what = ACTIVITIES[activity]["partner_label"] if activity in ACTIVITIES else piece("recap_partner_unknown")
    said = piece("recap_partner", age=f" ({age} ans)" if number(age) else "", activity=what)
    amount = answers.get("partner_income")
    kind = partner_income_kind(answers)
    if amount == UNKNOWN or number(amount):
        said += ", " + piece("recap_income", income=INCOMES.get(kind or "", {}).get("label", "revenus"),
                                    amount=_money(amount))
    rate = number(answers.get("partner_disability"))
    if rate:
        said += ", " + piece("recap_disability", rate=round(rate * 100))
    return said


def recap_text(answers: Mapping[str, Any], life_event: str | None = None) -> str:
    return render_text("recap", facts=", ".join(recap_facts(answers, life_event)))
