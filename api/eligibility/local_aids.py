"""Local aids of the person's territory, in the shape of the contract's benefits.

The aids and their conditions are written in knowledge/territories/<id>.yml (the condition language
is explained in knowledge/territories/README.md). Each condition is true, false, or unknown:

- unknown when it depends on a field the person could not give (the request's `unknown`), or on a
  national benefit the estimate found uncertain, or when the aid is decided case by case;
- the aid is `eligible` when every condition is true, `not_eligible` as soon as one is false, and
  `uncertain` otherwise.

Their ids are `local.<territory>.<name>`; they come after the 16 national benefits.
"""
from __future__ import annotations

from typing import Iterable

from api.eligibility.household import INCOME_VALUES, Prepared
from api.eligibility.situation import Household
from api.territories import LocalAid, Territories, Territory

Truth = bool | None   # None: cannot be known
STATUS = {True: "eligible", False: "not_eligible", None: "uncertain"}


def local_aids(territories: Territories | None, prepared: Prepared, benefits: list[dict]) -> list[dict]:
    """The local aids of the territory of the household's commune (none outside every territory)."""
    if territories is None or prepared.commune is None:  # town unknown: national benefits only
        return []
    territory = territories.for_commune(prepared.commune.code)
    if territory is None:
        return []
    statuses = {benefit["id"]: benefit["status"] for benefit in benefits}
    unknown = unknown_fields(prepared)
    return [local_benefit(territory, aid, prepared.base, unknown, statuses) for aid in territory.local_aids]


def unknown_fields(prepared: Prepared) -> set[str]:
    """The fields the person could not give (contract names, like `adults[0].age`). An alimony the
    person did not mention is not one: the service only varies it for the national benefits."""
    names = {dimension.name for dimension in prepared.dimensions}
    if "alimony" in prepared.implicit:
        names.discard("adults[0].incomes.alimony")
    return names


def local_benefit(territory: Territory, aid: LocalAid, household: Household, unknown: set[str],
                  statuses: dict[str, str]) -> dict:
    status = STATUS[_all(_truth(condition.kind, condition.value, household, unknown, statuses)
                         for condition in aid.conditions)]
    amount = aid.amount
    if status == "not_eligible":
        amount = 0.0 if aid.amount is not None else None
    elif status == "uncertain":
        amount = None
    monthly = aid.period == "month"
    return {
        "id": aid.id,
        "name": aid.title,
        "status": status,
        "monthly_amount": amount if monthly else None,
        "yearly_amount": None if monthly else amount,
        "range": [0.0, aid.amount] if status == "uncertain" and aid.amount is not None else None,
        "depends_on": [],   # a local aid's conditions name no single field
        "why": aid.why[status],
        "how_to_claim": {**aid.how_to_claim, "documents": list(aid.how_to_claim["documents"])},
        "summary": aid.summary,
        "territory": territory.id,
    }


def _truth(kind: str, value, household: Household, unknown: set[str],  # noqa: ANN001
           statuses: dict[str, str]) -> Truth:
    adults, children = household.adults, household.children
    if kind == "age":
        people = []
        if value["who"] in ("anyone", "adult"):
            people += [(person.age, f"adults[{i}].age") for i, person in enumerate(adults)]
        if value["who"] in ("anyone", "child"):
            people += [(person.age, f"children[{i}].age") for i, person in enumerate(children)]
        return _any(None if field in unknown else _within(age, value) for age, field in people)
    if kind == "children":
        return _within(len(children), value)
    if kind == "household":
        return _household_kind(len(adults), len(children)) & set(value) != set()
    if kind == "housing":
        return None if "housing.status" in unknown else household.housing_status in value
    if kind == "activity":
        return _any(None if f"adults[{i}].activity" in unknown else person.activity in value
                    for i, person in enumerate(adults))
    if kind == "max_monthly_resources":
        known = sum(amount for i, person in enumerate(adults) for name, amount in person.incomes.items()
                    if name in INCOME_VALUES and f"adults[{i}].incomes.{name}" not in unknown)
        missing = any(f"adults[{i}].incomes.{name}" in unknown for i in range(len(adults)) for name in INCOME_VALUES)
        # A micro-entrepreneur's turnover is no net income: what is left of it is not known here.
        missing = missing or any(person.turnover > 0 or f"adults[{i}].self_employed.turnover" in unknown
                                 for i, person in enumerate(adults))
        return False if known > value else None if missing else True   # unknown incomes only add
    if kind in ("requires", "requires_any"):
        truths = [{"eligible": True, "not_eligible": False}.get(statuses.get(benefit, "")) for benefit in value]
        return _all(truths) if kind == "requires" else _any(truths)
    if kind == "case_by_case":
        return None
    raise ValueError(f"unknown condition {kind!r}")


def _within(number: int, bounds: dict) -> bool:
    return bounds.get("min", number) <= number <= bounds.get("max", number)


def _household_kind(adults: int, children: int) -> set[str]:
    kinds = {"with_children" if children else "without_children"}
    if adults == 1:
        kinds.add("single_parent" if children else "single")
    else:
        kinds.add("couple_with_children" if children else "couple")
    return kinds


def _any(truths: Iterable[Truth]) -> Truth:
    truths = list(truths)
    return True if True in truths else None if None in truths else False


def _all(truths: Iterable[Truth]) -> Truth:
    truths = list(truths)
    return False if False in truths else None if None in truths else True
