"""From the entities of one message to the household's answers.

Every fact of a message is read once, by the NLU (nlu/parsing, see docs/conversation.md), and
arrives here as entities with their detail (role of an amount, whose age, detail of a housing
kind...). This module only maps them to answers; it never reads the text itself. A message may
answer the question asked and give other facts at once (« mariés, 3 petits, on habite Vandœuvre »):
all are kept. A fact given again with another value replaces the first one (a correction); a bare
number only ever answers the question asked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from actions.screening_plan import AMOUNT_QUESTIONS, NOT_MICRO, UNKNOWN, YES_NO_QUESTIONS, number
from knowledge.vocabulary import (ACTIVITY_INCOME, ACTIVITY_VALUES, COUPLE_TYPES, HOUSING_ENTITY_VALUE,
                                  HOUSING_VALUES, SELF_EMPLOYED_KINDS)

MAX_MONTHLY_AMOUNT = 20000.0
PERIOD_TO_MONTH = {"month": 1.0, "year": 1 / 12, "week": 52 / 12, None: 1.0}
# An amount said with its kind (« 900 de chômage ») answers the question of that kind.
SELF_INCOME_ANSWER = {"salary": "salary", "unemployment": "unemployment", "pension": "pension",
                      "alimony": "alimony", "other": "other_income", "disability_pension": "disability_pension",
                      "rent": "rent", "rent_with_charges": "rent", "charges": "charges", "turnover": "self_employed"}
PARTNER_INCOMES = {"salary", "unemployment", "pension", "disability_pension", "other"}
PARTNER_ACTIVITY_OF_INCOME = {"salary": "salarie", "unemployment": "chomeur", "pension": "retraite",
                              "disability_pension": "inactif"}
# What a yes or a no means for the yes/no questions.
YES_NO_VALUE = {"pregnant": {True: "self", False: False}}
CHILD_AGE_MAX = 25


@dataclass
class Reading:
    """What one message says: answers found (question or detail → value), whether it says « je ne
    sais pas », whether it corrects something, and whether it answers the question asked."""

    answers: dict[str, Any] = field(default_factory=dict)
    dont_know: bool = False
    correction: bool = False
    answered: bool = False
    candidates: list[dict[str, Any]] = field(default_factory=list)


def _by_name(entities: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for entity in entities or []:
        if entity.get("entity"):
            grouped.setdefault(str(entity["entity"]), []).append(entity)
    return grouped


def _money(entity: Mapping[str, Any]) -> float | None:
    value = number(entity.get("value"))
    if value is None:
        return None
    monthly = round(value * PERIOD_TO_MONTH.get(entity.get("period"), 1.0), 2)
    return monthly if 0 <= monthly <= MAX_MONTHLY_AMOUNT else None


def _first(grouped: dict[str, list[Mapping[str, Any]]], name: str) -> Mapping[str, Any] | None:
    found = grouped.get(name) or []
    return found[0] if found else None


def read(entities: Iterable[Mapping[str, Any]], question: str | None, answers: Mapping[str, Any],
         intent: str | None = None) -> Reading:
    """The answers a message gives, `question` being the one asked (or None)."""
    grouped = _by_name(entities)
    reading = Reading(correction=bool(grouped.get("correction")))
    out = reading.answers
    yes_no = _first(grouped, "yes_no")
    said_yes_no = yes_no.get("value") if yes_no else {"affirm": True, "deny": False}.get(intent or "")
    if grouped.get("dont_know") or intent == "dont_know":
        said_yes_no = None   # « je ne sais pas trop »: neither yes nor no

    _categories(grouped, answers, out)
    _ages(grouped, question, answers, out)
    _counts(grouped, question, out)
    _amounts(grouped, question, answers, out)
    _places(grouped, question, answers, out)
    _yes_no_facts(grouped, question, out)
    _partner_activity_from_income(answers, out)
    _in_context(question, answers, out)

    if question in YES_NO_QUESTIONS and question not in out and said_yes_no is not None:
        out[question] = YES_NO_VALUE.get(question, {}).get(said_yes_no, said_yes_no)
    if question == "disability" and "disability" not in out and said_yes_no is False:
        out["disability"] = 0.0
    if question == "partner_disability" and "partner_disability" not in out and said_yes_no is False:
        out["partner_disability"] = 0.0
    if question == "self_employed" and "self_employed" not in out and said_yes_no is False:
        out["self_employed"] = NOT_MICRO
    if question == "children" and "children" not in out and said_yes_no is False:
        out["children"] = 0   # « non » to « combien d'enfants ? »
    reading.dont_know = bool(grouped.get("dont_know")) or intent == "dont_know"
    reading.answered = question is not None and question in out
    return reading


def _categories(grouped: dict[str, list[Mapping[str, Any]]], answers: Mapping[str, Any], out: dict[str, Any]) -> None:
    housing = _first(grouped, "housing_status")
    if housing and housing.get("implied") and answers.get("housing_status") not in (None, UNKNOWN):
        housing = None   # « mon loyer c'est 450 » says nothing new about an HLM already said
    if housing:
        detail = housing.get("detail") or housing.get("value")
        if detail in HOUSING_VALUES:
            out["housing_status"] = detail
        elif housing.get("value") in HOUSING_ENTITY_VALUE.values():
            out["housing_status"] = housing["value"]
    relationship = _first(grouped, "relationship")
    if relationship and relationship.get("value") in ("seul", "couple"):
        out["couple"] = relationship["value"] == "couple"
        if relationship.get("couple_type"):
            out["couple_type"] = relationship["couple_type"]
    couple_type = _first(grouped, "couple_type")   # a button
    if couple_type and couple_type.get("value") in COUPLE_TYPES:
        out["couple_type"] = couple_type["value"]
    for name, reason in (("activity", "activity_reason"), ("partner_activity", "partner_reason")):
        said = _first(grouped, name)
        if said and said.get("value") in ACTIVITY_VALUES:
            out[name] = said["value"]
            if said.get("reason"):
                out[reason] = said["reason"]
            if name == "activity" and said.get("occupation"):
                out["occupation"] = said["occupation"]
            if name == "partner_activity":
                out.setdefault("couple", True)
    reason = _first(grouped, "partner_reason")   # a button: « Handicap ou maladie »
    if reason and reason.get("value"):
        out["partner_reason"] = reason["value"]
    kind = _first(grouped, "self_employed_kind")
    if kind and kind.get("value") in SELF_EMPLOYED_KINDS:
        out["self_employed_kind"] = kind["value"]
    micro = _first(grouped, "self_employed")   # a button: « Je ne suis pas auto-entrepreneur »
    if micro and micro.get("value") == NOT_MICRO:
        out["self_employed"] = NOT_MICRO


def _subject(entity: Mapping[str, Any], question: str | None) -> str:
    """Whose fact it is: said in the message, else the person asked about."""
    return entity.get("subject") or ("partner" if question in ("partner_disability", "partner_activity") else "self")


def _yes_no_facts(grouped: dict[str, list[Mapping[str, Any]]], question: str | None, out: dict[str, Any]) -> None:
    for entity in grouped.get("pregnant", []):
        value = entity.get("value")
        if value in ("self", "partner"):
            out["pregnant"] = value
        elif isinstance(value, bool):
            out["pregnant"] = (entity.get("subject") or "self") if value else False
    for entity in grouped.get("disability", []):
        partner = _subject(entity, question) == "partner"
        out["partner_disability_said" if partner else "disability_said"] = bool(entity.get("value"))
        if entity.get("value") is False:
            out["partner_disability" if partner else "disability"] = 0.0
    for entity in grouped.get("disability_rate", []):
        rate = number(entity.get("value"))
        if rate is not None and 0 <= rate <= 1:
            out["partner_disability" if _subject(entity, question) == "partner" else "disability"] = rate
    for name in ("student_grant", "work_restriction"):
        entity = _first(grouped, name)
        if entity is not None and isinstance(entity.get("value"), bool):
            out[name] = entity["value"]


def _ages(grouped: dict[str, list[Mapping[str, Any]]], question: str | None, answers: Mapping[str, Any],
          out: dict[str, Any]) -> None:
    children: list[int] = []
    for entity in grouped.get("age", []):
        value = number(entity.get("value"))
        if value is None:
            continue
        role = entity.get("role")
        if entity.get("bare") and question in AMOUNT_QUESTIONS:
            continue  # « 100 » answering « combien ? » is an amount (see _amounts)
        if role is None:
            role = {"partner_age": "partner", "children_ages": "child", "children": "child",
                    "couple": "child" if grouped.get("number") else None}.get(question or "")
        if role is None and question not in ("age", None) and answers.get("age") not in (None, UNKNOWN):
            continue  # an age said in passing, whose age it is not clear
        if role == "child":
            if 0 <= value <= CHILD_AGE_MAX:
                children.append(int(value))
        elif role == "partner":
            if 15 <= value <= 120:
                out["partner_age"] = int(value)
        elif "age" not in out and 14 <= value <= 120:
            out["age"] = int(value)
    if children:
        out["children_ages"] = children


def _counts(grouped: dict[str, list[Mapping[str, Any]]], question: str | None, out: dict[str, Any]) -> None:
    for entity in grouped.get("number", []):
        value = number(entity.get("value"))
        if question == "children_ages" and entity.get("of") != "children" and value is not None \
                and 0 <= value <= CHILD_AGE_MAX:
            out.setdefault("children_ages", []).append(int(value))   # « 4 et 9 », « 19, 8 et 4 »
            continue
        if value is None or not 0 <= value <= 15:
            continue
        if entity.get("of") == "children" or question in ("children", "couple"):
            out["children"] = int(value)
            break
        if question == "age" and 14 <= value:
            out.setdefault("age", int(value))
    ages = out.get("children_ages")
    if ages is not None and "children" not in out and question in ("children", "couple", "age"):
        out["children"] = len(ages)   # « avec mon enfant de 4 ans »: one child
    if ages is not None and isinstance(out.get("children"), int) and out["children"] < len(ages):
        out["children"] = len(ages)   # « un bébé de 2 mois et un de 3 ans »: every age is a child


def _amounts(grouped: dict[str, list[Mapping[str, Any]]], question: str | None, answers: Mapping[str, Any],
             out: dict[str, Any]) -> None:
    bare = [e for name in ("age", "number") for e in grouped.get(name, []) if e.get("bare")]
    for entity in grouped.get("amount", []) + (bare if question in AMOUNT_QUESTIONS else []):
        value = _money(entity)
        if value is None:
            continue
        kind, subject = entity.get("income"), entity.get("subject")
        if kind == "benefit":
            continue   # an aid already received (RSA, APL...) is computed, never declared as an income
        if subject == "partner" or (subject is None and question == "partner_income" and kind not in ("rent", "charges")):
            if kind in PARTNER_INCOMES:
                out["partner_income_type"] = kind
            out.setdefault("partner_income", value)
            continue
        target = SELF_INCOME_ANSWER.get(kind or "")
        if target is None:
            target = _unlabelled_target(question, answers, out)
        if kind == "rent_with_charges":   # « 795 dont 90 de charges »: the rent is 705
            charges = next((_money(e) for e in grouped.get("amount", []) if e.get("income") == "charges"), None)
            value = round(value - charges, 2) if charges and charges < value else value
        if target and target not in out:
            out[target] = value
            if question == "other_income" and target in ("disability_pension", "alimony", "pension"):
                out.setdefault("other_income", 0.0)   # « une pension d'invalidité de 790 »: that, and no other


def _unlabelled_target(question: str | None, answers: Mapping[str, Any], out: Mapping[str, Any]) -> str | None:
    """Where an amount said without its kind goes: the question asked, when it asks an amount; after
    « que faites-vous ? », the income of the activity just said (« au chômage, je touche 900 »)."""
    if question in AMOUNT_QUESTIONS:
        return question
    if question == "activity":
        income = ACTIVITY_INCOME.get(out.get("activity") or answers.get("activity") or "")
        return {"salary": "salary", "unemployment": "unemployment", "pension": "pension"}.get(income or "")
    return None


PARTNER_QUESTIONS = frozenset({"partner_activity", "partner_income", "partner_age", "partner_disability"})
INCOME_ASKED = frozenset({"salary", "unemployment", "pension", "self_employed"})
SELF_QUESTIONS = frozenset({None, "activity", "age", "couple", "recap"})   # where « rien » may be what one does


def _in_context(question: str | None, answers: Mapping[str, Any], out: dict[str, Any]) -> None:
    """What the question asked makes of a fact said without its subject: asked about the partner,
    « il est à la retraite » or « rien » is the partner's; asked how much one earns, « je travaille
    pas à côté » is no salary, not a new activity."""
    if question in PARTNER_QUESTIONS and "activity" in out and "partner_activity" not in out:
        out["partner_activity"] = out.pop("activity")
        if "activity_reason" in out:
            out["partner_reason"] = out.pop("activity_reason")
        out.pop("occupation", None)
    if question in INCOME_ASKED and out.get("activity") == "inactif" and not out.get("activity_reason") \
            and answers.get("activity") not in (None, UNKNOWN, "inactif"):
        out.pop("activity")
        out.pop("occupation", None)
        out.setdefault(question, 0.0)
    if question not in SELF_QUESTIONS and out.get("activity") == "inactif" and not out.get("activity_reason") \
            and not out.get("occupation"):
        out.pop("activity")   # « rien » answering « une pension alimentaire ? » is no money, not no work


def _partner_activity_from_income(answers: Mapping[str, Any], out: dict[str, Any]) -> None:
    """« il touche 900 de retraite »: the kind of income says what the partner does."""
    kind = out.get("partner_income_type")
    if kind and out.get("partner_activity") is None and answers.get("partner_activity") is None:
        activity = PARTNER_ACTIVITY_OF_INCOME.get(kind)
        if activity:
            out["partner_activity"] = activity
            if kind == "disability_pension":
                out.setdefault("partner_reason", "handicap")


def _places(grouped: dict[str, list[Mapping[str, Any]]], question: str | None, answers: Mapping[str, Any],
            out: dict[str, Any]) -> None:
    commune = _first(grouped, "commune")
    postcode = _first(grouped, "postcode")
    code = _first(grouped, "commune_code")
    if code and code.get("value"):   # a button: its INSEE code, and the town's name with it
        out["commune"] = {"code": str(code["value"]), "name": commune.get("value") if commune else None}
        return
    pending = answers.get("commune") if question == "commune" else None
    if isinstance(pending, dict) and (pending.get("arrondissements") or pending.get("candidates")):
        chosen = _pick_pending_town(pending, grouped)
        if chosen:
            out["commune"] = chosen
            return
    if commune:
        chosen = {"code": commune.get("code"), "name": commune.get("value")}
        if commune.get("arrondissements"):
            # « dans le 10e à Marseille »: the arrondissement is in the same message
            settled = _pick_pending_town({"arrondissements": commune["arrondissements"]},
                                         {k: v for k, v in grouped.items() if k != "commune"})
            if settled:
                out["commune"] = settled
                return
            chosen["arrondissements"] = list(commune["arrondissements"])
        elif commune.get("candidates"):
            chosen["candidates"] = list(commune["candidates"])
        if postcode:
            chosen["postcode"] = str(postcode.get("value"))
        out["commune"] = chosen
    elif postcode and postcode.get("value"):
        out["commune"] = {"code": postcode.get("code"), "name": postcode.get("name"),
                          "postcode": str(postcode["value"])}


def _arrondissement_number(option: Mapping[str, Any]) -> int | None:
    """7 for « Lyon 7e Arrondissement » (the official name says it)."""
    found = re.search(r"\d+", str(option.get("name") or ""))
    return int(found.group(0)) if found else None


def _pick_pending_town(pending: Mapping[str, Any], grouped: dict[str, list[Mapping[str, Any]]]) -> dict | None:
    """The answer to « Quel arrondissement ? » (« 7 », « 7e », « 69007 ») or to « Laquelle ? » (a
    button, the département « 54 », or a town named with its département)."""
    options = pending.get("arrondissements") or pending.get("candidates") or []
    commune = _first(grouped, "commune")
    named = [str(e.get("value")) for e in grouped.get("departement", [])]
    by_departement = [o for o in options if str(o.get("departement")) in named]
    if pending.get("candidates") and len(by_departement) == 1:   # « la Marne » (not the town La Marne)
        return {"code": by_departement[0]["code"], "name": by_departement[0].get("name")}
    if commune and commune.get("code") and not commune.get("candidates") and not commune.get("arrondissements"):
        return {"code": commune["code"], "name": commune.get("value")}
    postcode = _first(grouped, "postcode")
    numbers = [number(e.get("value")) for name in ("number", "age", "amount", "choice") for e in grouped.get(name, [])
               if name == "choice" or e.get("bare")]   # « 7 », « le 7e », not « 3 enfants »
    if pending.get("arrondissements"):
        for option in options:
            rank = _arrondissement_number(option)
            if rank in numbers or (postcode and str(postcode.get("value", ""))[-2:] == f"{rank:02d}"):
                return {"code": option["code"], "name": option.get("name")}
        return None
    departements = {f"{int(n):02d}" for n in numbers if n is not None} | (
        {str(postcode.get("value", ""))[:2]} if postcode else set()) | {
        str(e.get("value")) for e in grouped.get("departement", [])}
    matching = [o for o in options if str(o.get("departement")) in departements]
    if len(matching) == 1:   # one town of that name in that département: settled
        return {"code": matching[0]["code"], "name": matching[0].get("name")}
    if len(matching) > 1:    # fewer to choose from: asked again
        return {"code": matching[0]["code"], "name": matching[0].get("name"), "candidates": matching}
    return None
