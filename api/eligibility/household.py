"""A validated request → the concrete households to simulate, with what we assumed.

When the person could not give a field (`unknown`), we do not guess 0: we simulate plausible
values from low to high, in the same vectorised simulation, and the answer gives the range.
Some uncertainty exists even when every field is given, and is handled the same way:
- a disability rate of 50 to 79 %: the AAH then depends on a decision of the MDPH (RSDAE);
- a single parent who did not say whether they receive alimony: the ASF depends on it.
"""
from __future__ import annotations

import copy
import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Callable

from api.eligibility.communes import Commune
from api.eligibility.schema import UNKNOWN_PATTERN, EligibilityRequest
from api.eligibility.situation import PAYS_RENT, Household, Person, school_for_age

# Plausible values of a field nobody could give, from low to high (euros per month for money).
INCOME_VALUES = {
    "salary": [0.0, 600.0, 1200.0, 1800.0, 2600.0],
    "unemployment": [0.0, 600.0, 1100.0, 1700.0],
    "pension": [0.0, 700.0, 1200.0, 1800.0],
    "disability_pension": [0.0, 400.0, 900.0],
    "alimony": [0.0, 150.0, 400.0],
    "other": [0.0, 300.0, 800.0],
}
RENT_VALUES = [250.0, 500.0, 800.0, 1200.0]
CHARGES_VALUES = [0.0, 80.0, 200.0]
ADULT_AGE_VALUES = [20, 30, 50, 67]
CHILD_AGE_VALUES = [2, 9, 16]
ACTIVITY_VALUES = ["inactif", "salarie", "chomeur"]
DISABILITY_VALUES = [(None, False), (0.5, False), (0.5, True), (0.8, False)]
MAX_VARIANTS = 32

# How a field is named in « cela dépend de ... ».
DEPENDS_LABELS = {
    "rent": "votre loyer", "charges": "vos charges", "couple_type": "votre situation de couple",
    "single_parent_recent": "la date de votre séparation",
}
PERSON_LABELS = {  # field: (the person chatting, their partner)
    "salary": ("votre salaire", "le salaire de votre conjoint"),
    "unemployment": ("votre allocation chômage", "l'allocation chômage de votre conjoint"),
    "pension": ("votre retraite", "la retraite de votre conjoint"),
    "disability_pension": ("votre pension d'invalidité", "la pension d'invalidité de votre conjoint"),
    "alimony": ("votre pension alimentaire", "la pension alimentaire de votre conjoint"),
    "other": ("vos autres revenus", "les autres revenus de votre conjoint"),
    "age": ("votre âge", "l'âge de votre conjoint"),
    "activity": ("votre activité", "l'activité de votre conjoint"),
    "student": ("vos études", "les études de votre conjoint"),
    "disability_rate": ("votre taux de handicap", "le taux de handicap de votre conjoint"),
}


@dataclass
class Dimension:
    """One uncertain field: its name in the contract and the plausible values to simulate."""
    name: str
    label: str
    values: list
    apply: Callable[[Household, object], None]


@dataclass
class Prepared:
    period: str
    commune: Commune
    base: Household
    variants: list[Household]
    dimensions: list[Dimension]
    assumptions: list[str] = field(default_factory=list)
    implicit: set[str] = field(default_factory=set)  # uncertainties nobody declared (RSDAE, alimony)
    choices: list[tuple[int, ...]] = field(default_factory=list)  # value index of each dimension, per variant


def prepare(request: EligibilityRequest, commune: Commune, commune_assumption: str | None,
            today: dt.date) -> Prepared:
    period = request.period or today.strftime("%Y-%m")
    assumptions = [commune_assumption] if commune_assumption else []
    base = _base_household(request, period, commune, assumptions)
    dimensions: list[Dimension] = []
    implicit: set[str] = set()
    for name in dict.fromkeys(n.removeprefix("housing.") for n in request.unknown):
        dimension = _dimension(name, base)
        if dimension:
            dimensions.append(dimension)
    declared = {d.name for d in dimensions}
    for index, adult in enumerate(base.adults):
        rate = adult.disability_rate or 0
        if 0.5 <= rate < 0.8 and f"adults[{index}].disability_rate" not in declared:
            dimensions.append(Dimension(f"adults[{index}].rsdae", "la décision de la MDPH sur l'accès à l'emploi",
                                        [False, True], _setter_rsdae(index)))
            implicit.add("rsdae")
    alimony_given = "alimony" in request.adults[0].incomes.model_fields_set
    if (len(base.adults) == 1 and base.children and not alimony_given
            and "adults[0].incomes.alimony" not in declared):
        dimensions.append(_dimension("adults[0].incomes.alimony", base))
        implicit.add("alimony")
        assumptions.append("Vous n'avez pas dit si vous recevez une pension alimentaire : "
                           "les montants qui en dépendent sont donnés sous forme de fourchette.")
    variants, choices = _combine(base, dimensions)
    return Prepared(period, commune, base, variants, dimensions, assumptions, implicit, choices)


def _base_household(request: EligibilityRequest, period: str, commune: Commune, assumptions: list[str]) -> Household:
    adults = []
    for adult in request.adults:
        incomes = {name: round(float(getattr(adult.incomes, name)), 2) for name in INCOME_VALUES}
        adults.append(Person(age=adult.age, adult=True, activity=adult.activity or _activity_from(incomes, adult.student),
                             incomes=incomes, disability_rate=adult.disability_rate, student=adult.student))
    children = [Person(age=child.age, adult=False, activity="enfant", school=child.school or school_for_age(child.age))
                for child in request.children]
    housing = request.housing
    household = Household(period=period, depcom=commune.code, housing_status=housing.status,
                          rent=round(float(housing.rent or 0.0), 2), charges=round(float(housing.charges or 0.0), 2),
                          adults=adults, children=children, couple_type=request.couple_type,
                          single_parent_recent=request.single_parent_recent)
    if any(a.activity == "independant" for a in adults):
        assumptions.append("Pour une activité indépendante, nous avons compté vos revenus comme un salaire net : "
                           "l'estimation est approximative.")
    if any(a.incomes["other"] > 0 for a in adults):
        assumptions.append("Vos autres revenus ont été comptés comme des revenus de location (revenus fonciers).")
    if housing.status == "accedant":
        assumptions.append("Nous avons supposé que votre prêt immobilier a été signé après 2018.")
    if len(adults) == 2 and request.couple_type is None:
        assumptions.append("Nous avons supposé que vous faites une seule déclaration d'impôts pour le couple.")
    if any(c.school in ("college", "lycee", "superieur") for c in children) or any(a.student for a in adults):
        assumptions.append("Nous avons supposé que l'établissement scolaire est public ou privé sous contrat.")
    if any(child.school is None for child in request.children):
        assumptions.append("Pour chaque enfant, nous avons supposé la classe habituelle à son âge.")
    return household


def _activity_from(incomes: dict[str, float], student: bool) -> str:
    if student:
        return "etudiant"
    if incomes["salary"] > 0:
        return "salarie"
    if incomes["unemployment"] > 0:
        return "chomeur"
    if incomes["pension"] > 0:
        return "retraite"
    return "inactif"


def _dimension(name: str, base: Household) -> Dimension | None:
    match = UNKNOWN_PATTERN.match(name)
    if match is None:
        return None
    if match.group("housing") == "rent":
        if base.housing_status not in PAYS_RENT:
            return None
        return Dimension(name, DEPENDS_LABELS["rent"], RENT_VALUES, lambda h, v: setattr(h, "rent", v))
    if match.group("housing") == "charges":
        return Dimension(name, DEPENDS_LABELS["charges"], CHARGES_VALUES, lambda h, v: setattr(h, "charges", v))
    if match.group("top") == "couple_type":
        if len(base.adults) < 2:
            return None
        return Dimension(name, DEPENDS_LABELS["couple_type"], ["pacse", "union_libre"],
                         lambda h, v: setattr(h, "couple_type", v))
    if match.group("top") == "single_parent_recent":
        if len(base.adults) != 1 or not base.children:
            return None
        return Dimension(name, DEPENDS_LABELS["single_parent_recent"], [False, True],
                         lambda h, v: setattr(h, "single_parent_recent", v))
    if match.group("adult") is not None:
        index = int(match.group("adult"))
        income = match.group("income")
        person_field = income or match.group("person")
        label = PERSON_LABELS[person_field][min(index, 1)]
        if income:
            return Dimension(name, label, INCOME_VALUES[income], _setter_income(index, income))
        if person_field == "age":
            return Dimension(name, label, ADULT_AGE_VALUES, _setter_adult(index, "age"))
        if person_field == "activity":
            return Dimension(name, label, ACTIVITY_VALUES, _setter_adult(index, "activity"))
        if person_field == "student":
            return Dimension(name, label, [False, True], _setter_adult(index, "student"))
        return Dimension(name, label, DISABILITY_VALUES, _setter_disability(index))
    index = int(match.group("child"))
    child_field = match.group("child_field")
    label = ("l'âge" if child_field == "age" else "la scolarité") + f" de l'enfant n° {index + 1}"
    if child_field == "age":
        def set_child_age(household: Household, value: object, index: int = index) -> None:
            child = household.children[index]
            child.age = int(value)
            child.school = school_for_age(child.age)
        return Dimension(name, label, CHILD_AGE_VALUES, set_child_age)
    usual = base.children[index].school

    def set_school(household: Household, value: object, index: int = index) -> None:
        household.children[index].school = value
    return Dimension(name, label, list(dict.fromkeys([usual, "aucune"])), set_school)


def _setter_income(index: int, income: str) -> Callable[[Household, object], None]:
    def apply(household: Household, value: object) -> None:
        household.adults[index].incomes[income] = float(value)
    return apply


def _setter_adult(index: int, attribute: str) -> Callable[[Household, object], None]:
    def apply(household: Household, value: object) -> None:
        setattr(household.adults[index], attribute, value)
    return apply


def _setter_disability(index: int) -> Callable[[Household, object], None]:
    def apply(household: Household, value: object) -> None:
        rate, restriction = value
        household.adults[index].disability_rate = rate
        household.adults[index].substantial_work_restriction = restriction
    return apply


def _setter_rsdae(index: int) -> Callable[[Household, object], None]:
    def apply(household: Household, value: object) -> None:
        household.adults[index].substantial_work_restriction = bool(value)
    return apply


def _combine(base: Household, dimensions: list[Dimension]) -> tuple[list[Household], list[tuple[int, ...]]]:
    """Every combination when few; otherwise both corners and each value of each field at both corners."""
    if not dimensions:
        return [base], [()]
    sizes = [len(d.values) for d in dimensions]
    total = 1
    for size in sizes:
        total *= size
    if total <= MAX_VARIANTS:
        choices = list(itertools.product(*[range(size) for size in sizes]))
    else:
        lows = [0] * len(sizes)
        highs = [size - 1 for size in sizes]
        choices = [tuple(lows), tuple(highs)]
        for position, size in enumerate(sizes):
            for corner in (lows, highs):
                for value in range(size):
                    choice = list(corner)
                    choice[position] = value
                    choices.append(tuple(choice))
        choices = list(dict.fromkeys(choices))
    variants = []
    for choice in choices:
        household = copy.deepcopy(base)
        for dimension, value_index in zip(dimensions, choice):
            dimension.apply(household, dimension.values[value_index])
        variants.append(household)
    return variants, choices
