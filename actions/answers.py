"""Understand a person's answer to one screening question: a value, « je ne sais pas », or not
understood. Free text goes through nlu.parsing (the same library as the NLU component); button
payloads and NLU entities are used first when present."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from nlu import parsing

from actions.screening_plan import UNKNOWN

MAX_MONTHLY_AMOUNT = 20000.0
AMOUNT_QUESTIONS = {"rent", "salary", "unemployment", "pension", "other_income", "partner_income", "alimony"}
HOUSING_VALUES = {"locataire", "locataire_meuble", "logement_social", "proprietaire", "accedant", "heberge",
                  "sans_domicile", "foyer"}
ACTIVITY_VALUES = {"salarie", "independant", "chomeur", "etudiant", "retraite", "inactif"}
# A plain « no » to « how much...? » means nothing at all: « non », « non rien du tout », « je touche rien ».
ZERO_ANSWER = re.compile(r"^(non|nan|no|aucun|aucune|rien|nada|zero|walou|que dalle)\b|\brien\b|\bque dalle\b")


@dataclass
class Answer:
    value: Any = None
    unknown: bool = False
    also: dict[str, Any] = field(default_factory=dict)  # other questions the same message answers

    @property
    def understood(self) -> bool:
        return self.unknown or self.value is not None


def entity_values(entities: list[dict[str, Any]] | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for entity in entities or []:
        name = entity.get("entity")
        if name and name not in values:
            values[name] = entity.get("value")
    return values


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ".").replace(" ", ""))
        except ValueError:
            return parsing.parse_amount(value)
    return None


def interpret(question: str, text: str, entities: list[dict[str, Any]] | None = None,
              intent: str | None = None) -> Answer:
    """Interpret `text` as the answer to `question` (one of screening_plan.QUESTIONS)."""
    found = entity_values(entities)
    text = text or ""
    if intent == "dont_know" or parsing.is_dont_know(text):
        return Answer(unknown=True)
    reader = READERS.get(question)
    return reader(text, found) if reader else Answer()


def _amount(text: str, found: dict[str, Any]) -> Answer:
    value = as_number(found.get("amount"))
    if value is None and found.get("number") is not None:
        value = as_number(found.get("number"))
    if value is None:
        period = parsing.parse_amount_period(text)
        if period is not None:
            amount, per = period
            value = amount / 12 if per == "year" else amount
    normalised = parsing.normalise(text).strip(" .!")
    if value is None and ZERO_ANSWER.search(normalised) and not re.search(r"\d", normalised):
        value = 0.0
    if value is None or not 0 <= value <= MAX_MONTHLY_AMOUNT:
        return Answer()
    return Answer(value=round(value, 2))


def _age(text: str, found: dict[str, Any]) -> Answer:
    value = as_number(found.get("age"))
    if value is None:
        value = parsing.parse_age(text)
    if value is None:
        value = as_number(found.get("number"))
    if value is None or not 14 <= value <= 120:
        return Answer()
    return Answer(value=int(value))


def _children_count(text: str, found: dict[str, Any]) -> tuple[int | None, list[int]]:
    count = as_number(found.get("number"))
    if count is None:
        count = parsing.parse_count(text)
    # Ages only when the message speaks of years or months (« 2 enfants de 4 et 9 ans »), not « 2 ».
    said_ages = re.search(r"\b(ans?|mois|bebes?)\b", parsing.normalise(text))
    ages = parsing.parse_ages(text) if count and said_ages else []
    return (int(count) if count is not None else None), ages


def _couple(text: str, found: dict[str, Any]) -> Answer:
    relationship = found.get("relationship") or parsing.parse_relationship(text)
    if relationship not in {"seul", "couple"}:
        return Answer()
    answer = Answer(value=relationship == "couple")
    normalised = parsing.normalise(text)
    if "number" in found or "enfant" in normalised or "gosse" in normalised or "gamin" in normalised:
        count, ages = _children_count(text, found)
        if count is not None and 0 <= count <= 15:
            answer.also["children"] = count
            if ages and len(ages) == count:
                answer.also["children_ages"] = ages
    return answer


def _children(text: str, found: dict[str, Any]) -> Answer:
    count, ages = _children_count(text, found)
    if count is None or not 0 <= count <= 15:
        return Answer()
    answer = Answer(value=count)
    if count and ages and len(ages) == count:
        answer.also["children_ages"] = ages
    return answer


def _children_ages(text: str, found: dict[str, Any]) -> Answer:
    ages = [a for a in parsing.parse_ages(text) if 0 <= a <= 25]
    if not ages and as_number(found.get("age")) is not None:
        ages = [int(as_number(found["age"]))]
    return Answer(value=ages) if ages else Answer()


def _yes_no(text: str, found: dict[str, Any]) -> Answer:
    value = parsing.parse_yes_no(text)
    return Answer(value=value) if value is not None else Answer()


def _commune(text: str, found: dict[str, Any]) -> Answer:
    postcode = found.get("postcode") or parsing.find_postcode(text)
    commune = parsing.find_commune(text)
    if commune is None and found.get("commune"):
        commune = parsing.find_commune(str(found["commune"]))
    if commune is not None:
        chosen = {"code": commune["code"], "name": commune["name"]}
        if postcode and postcode in commune.get("postcodes", []):
            chosen["postcode"] = postcode
        return Answer(value=chosen)
    if postcode:
        return Answer(value={"code": None, "name": None, "postcode": postcode})
    return Answer()


def _choice(allowed: set[str], entity: str, parse: Callable[[str], str | None]) -> Callable[..., Answer]:
    def read(text: str, found: dict[str, Any]) -> Answer:
        value = found.get(entity) or parse(text)
        return Answer(value=value) if value in allowed else Answer()
    return read


def _disability(text: str, found: dict[str, Any]) -> Answer:
    rate = as_number(found.get("disability_rate"))
    if rate is None:
        rate = parsing.parse_disability_rate(text)
    if rate is None and parsing.parse_yes_no(text) is False:
        rate = 0.0
    if rate is None:
        return Answer()
    if rate > 1:
        rate = rate / 100
    return Answer(value=rate) if 0 <= rate <= 1 else Answer()


READERS: dict[str, Callable[[str, dict[str, Any]], Answer]] = {
    "age": _age,
    "partner_age": _age,
    "couple": _couple,
    "children": _children,
    "children_ages": _children_ages,
    "single_parent_recent": _yes_no,
    "commune": _commune,
    "housing_status": _choice(HOUSING_VALUES, "housing_status", parsing.parse_housing_status),
    "activity": _choice(ACTIVITY_VALUES, "activity", parsing.parse_activity),
    "disability": _disability,
    **{question: _amount for question in AMOUNT_QUESTIONS},
}

__all__ = ["Answer", "UNKNOWN", "interpret", "entity_values"]


PHONE_DIGITS = re.compile(r"^(?:\+33|0033|0)([1-9]\d{8})$")


def parse_phone(text: str) -> str | None:
    """A French phone number in E.164 (+33612345678), from « 06 12 34 56 78 », « +33 6... »."""
    compact = re.sub(r"[\s.\-()]", "", text or "")
    match = PHONE_DIGITS.match(compact)
    return f"+33{match.group(1)}" if match else None
