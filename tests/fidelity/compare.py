"""Field by field comparison of the household sent to the eligibility service with the household the
persona described, and the label of each difference:

- wrong value: the person said it, and something else was sent (the worst: a confident wrong estimate);
- missed: the person said it, and it was sent as unknown (or left out);
- extra: a value the person never said (a default that is not the truth, or a value sent for an
  answer « je sais pas »);
- not asked: the person would have said it, but was never asked, and the value sent is not theirs.
"""
from __future__ import annotations

import re
from typing import Any

from tests.fidelity.places import commune_of_postcode
from tests.fidelity.truth import INCOMES, PAYS_RENT, Truth

UNKNOWN = "unknown"
LABELS = ("wrong value", "missed", "extra", "not asked")
AMOUNT_TOLERANCE = 1.0       # euros: a yearly amount divided by 12 may be rounded
RATE_TOLERANCE = 0.005


def unknown_field(path: str) -> str:
    """The compared field an `unknown` entry stands for."""
    path = path.strip()
    aliases = {"rent": "housing.rent", "charges": "housing.charges", "postcode": "commune",
               "housing_status": "housing.status", "children_ages": "children", "couple": "couple"}
    if path in aliases:
        return aliases[path]
    if path.startswith("housing.") or path == "commune":
        return path
    if path.startswith("children"):
        return "children"
    match = re.match(r"adults\[(\d)\]\.(.*)$", path)
    if match:
        index, rest = match.groups()
        if rest.startswith("self_employed"):
            return f"adults[{index}].self_employed.turnover" if rest in {"self_employed", "self_employed.turnover"} \
                else f"adults[{index}].{rest}"
        if rest == "pregnant":
            return "pregnant"
    return path


def _flatten(household: dict[str, Any], adults: int, pays_rent: bool) -> dict[str, Any]:
    """The compared fields of a household (`adults`: how many adults to compare)."""
    flat: dict[str, Any] = {}
    commune = household.get("commune") or (commune_of_postcode(household["postcode"])
                                           if household.get("postcode") else None)
    flat["commune"] = commune
    housing = household.get("housing") or {}
    flat["housing.status"] = housing.get("status")
    if pays_rent:
        flat["housing.rent"] = float(housing.get("rent") or 0)
        flat["housing.charges"] = float(housing.get("charges") or 0)
    people = household.get("adults") or []
    flat["couple"] = len(people)
    for i, adult in enumerate(people[:adults]):
        p = f"adults[{i}]"
        flat[f"{p}.age"] = adult.get("age")
        flat[f"{p}.activity"] = adult.get("activity")
        for name in INCOMES:
            flat[f"{p}.incomes.{name}"] = float((adult.get("incomes") or {}).get(name) or 0)
        flat[f"{p}.disability_rate"] = float(adult.get("disability_rate") or 0)
        flat[f"{p}.student"] = bool(adult.get("student"))
        flat[f"{p}.student_grant"] = adult.get("student_grant")
        flat[f"{p}.work_restriction"] = adult.get("work_restriction")
        self_employed = adult.get("self_employed") or {}
        flat[f"{p}.self_employed.turnover"] = float(self_employed.get("turnover") or 0)
        flat[f"{p}.self_employed.kind"] = self_employed.get("kind")
    flat["pregnant"] = any(bool(a.get("pregnant")) for a in people)
    flat["couple_type"] = household.get("couple_type") if len(people) == 2 else None
    flat["children"] = sorted(int(c.get("age", -1)) for c in household.get("children") or [])
    flat["single_parent_recent"] = bool(household.get("single_parent_recent"))
    return flat


OPTIONAL_FACTS = (".student_grant", ".work_restriction")
# Collected only when the person says them (docs/conversation.md): never said, the default is right.
SAID_ONLY = {"couple_type", "housing.charges"}
DEFAULTS = {"couple_type": None, "pregnant": False, "children": [], "single_parent_recent": False}


def _default(field: str, value: Any) -> bool:
    if field in DEFAULTS:
        return value == DEFAULTS[field]
    if ".incomes." in field or field.endswith((".rent", ".charges", ".disability_rate", ".turnover")):
        return not value
    return value is None or value is False


def _equal(field: str, expected: Any, sent: Any) -> bool:
    if field.endswith(".disability_rate"):
        return abs((expected or 0) - (sent or 0)) <= RATE_TOLERANCE
    if isinstance(expected, float) or isinstance(sent, float):
        try:
            return abs(float(expected or 0) - float(sent or 0)) <= AMOUNT_TOLERANCE
        except (TypeError, ValueError):
            return False
    if field.endswith(OPTIONAL_FACTS):
        # not applicable (None): anything but true will do; said (true or false): the same value
        return sent is not True if expected is None else sent is expected
    return expected == sent


def compare(truth: Truth, said: dict[str, Any], sent: dict[str, Any]) -> list[dict[str, Any]]:
    """The differences between the last household sent and the truth, each with its label."""
    expected_household = truth.household()
    pays_rent = truth.housing["status"] in PAYS_RENT
    same_adults = len(sent.get("adults") or []) == len(truth.adults)
    adults = len(truth.adults) if same_adults else 1
    expected = _flatten(expected_household, adults, pays_rent)
    got = _flatten(sent, adults, pays_rent)
    expected_unknown = {unknown_field(p) for p in expected_household["unknown"]}
    sent_unknown = {unknown_field(p) for p in sent.get("unknown") or []}

    def is_sent_unknown(field: str) -> bool:
        if field in sent_unknown:
            return True
        if field.startswith("adults[1].incomes.") and field in expected_unknown:
            return any(f.startswith("adults[1].incomes.") for f in sent_unknown)   # whichever income it names
        return False

    differences = []
    fields = list(expected) + sorted(f for f in sent_unknown if f not in expected
                                     and not (f.startswith("adults[1]") and not same_adults))
    for field in fields:
        truth_value = expected.get(field)
        value = got.get(field)
        was_said = field in said or (field == "children" and said.get("children_count") == 0)
        if field in SAID_ONLY and not was_said:
            truth_value = 0.0 if field == "housing.charges" else None
        label = None
        if field in expected_unknown:
            if is_sent_unknown(field):
                continue
            label = "extra" if said.get(field) == UNKNOWN else "not asked"
        elif is_sent_unknown(field):
            if field in SAID_ONLY and not was_said:
                continue    # never said: « unknown » is as right as nothing
            if field.startswith("adults[1].incomes.") and any(
                    f.startswith("adults[1].incomes.") for f in expected_unknown):
                continue    # the partner's unknown income, under whichever name: counted once
            label = "missed" if was_said else "not asked"
            value = UNKNOWN
        elif _equal(field, truth_value, value):
            continue
        elif field == "children" and said.get("children_count") is not None and \
                said.get("children_count") == len(truth.children) and len(value) == len(truth.children) and \
                "children" not in said:
            label = "not asked"         # the right number, ages never asked
        elif value is None and truth_value is not None:
            label = "missed" if was_said else "not asked"   # said, and sent as « not said »
        elif was_said:
            label = "wrong value"
        elif _default(field, truth_value):
            label = "extra"
        else:
            label = "not asked"
        differences.append({"field": field, "label": label, "expected": truth_value, "sent": value,
                            "said": said.get(field)})
    return differences


def pattern(difference: dict[str, Any]) -> str:
    """A difference without its values (and with adults[1] named « partner »): to count alike failures."""
    field = difference["field"].replace("adults[0].", "").replace("adults[1].", "partner.")
    detail = ""
    expected, sent = difference["expected"], difference["sent"]
    if difference["label"] == "wrong value" and field in {"housing.status", "activity", "partner.activity",
                                                          "couple_type", "self_employed.kind"}:
        detail = f" {expected} → {sent}"
    elif field == "commune" and isinstance(expected, str) and isinstance(sent, str):
        from tests.fidelity.places import communes
        known = communes()
        if (known.get(expected) or {}).get("parent") == sent:
            detail = " (the city sent for its arrondissement)"
        elif expected in known and sent in known and _same_name(known[expected]["name"], known[sent]["name"]):
            detail = " (a town of the same name)"
    elif difference["label"] == "wrong value" and field == "couple":
        detail = f" {expected} → {sent} adults"
    elif difference["label"] == "wrong value" and isinstance(expected, float) and isinstance(sent, float):
        if sent == 0:
            detail = " (sent 0)"
        elif expected == 0:
            detail = " (sent although 0)"
        elif abs(sent * 12 - expected) < 2 or abs(sent - expected * 12) < 2:
            detail = " (yearly/monthly)"
    return f"{difference['label']}: {field}{detail}"


def _same_name(a: str, b: str) -> bool:
    from tests.fidelity.french import strip_accents
    return strip_accents(a).lower() == strip_accents(b).lower()
