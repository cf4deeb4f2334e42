"""A validated request → the concrete households to simulate, with what we assumed.

When the person could not give a field (`unknown`), we do not guess 0: we simulate plausible
values from low to high, in the same vectorised simulation, and the answer gives the range.
Some uncertainty exists even when every field is given, and is handled the same way:
- a disability rate of 50 to 79 % without the MDPH's decision on work (`work_restriction`): the AAH
  then depends on that decision (RSDAE);
- a single parent who did not say whether they receive alimony: the ASF depends on it;
- a student who did not say whether they hold a grant of the Crous: the housing aid depends on it.

Our own additions to the contract (docs/eligibility-additions.md): `commune` in `unknown` gives a
national estimate over representative communes of the three housing-aid zones; `housing.status` in
`unknown` gives a range over the usual homes (private rental, social housing, housed free).
"""
from __future__ import annotations

import copy
import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Callable

from api.eligibility.communes import Commune
from api.eligibility.schema import UNKNOWN_PATTERN, EligibilityRequest
from api.eligibility.situation import Household, Person, school_for_age
from knowledge.vocabulary import ACTIVITIES, INCOME_NAMES, PAYS_RENT, SELF_EMPLOYED_KINDS, unknown_field

# Plausible values of a field nobody could give, from low to high (euros per month for money).
INCOME_VALUES = {
    "salary": [0.0, 600.0, 1200.0, 1800.0, 2600.0],
    "unemployment": [0.0, 600.0, 1100.0, 1700.0],
    "pension": [0.0, 700.0, 1200.0, 1800.0],
    "disability_pension": [0.0, 400.0, 900.0],
    "alimony": [0.0, 150.0, 400.0],
    "other": [0.0, 300.0, 800.0],
}
assert tuple(INCOME_VALUES) == INCOME_NAMES, "one list of plausible values per income of knowledge/vocabulary.yml"
RENT_VALUES = [250.0, 500.0, 800.0, 1200.0]
CHARGES_VALUES = [0.0, 80.0, 200.0]
ADULT_AGE_VALUES = [20, 30, 50, 67]
CHILD_AGE_VALUES = [2, 9, 16]
UNKNOWN_ACTIVITY_VALUES = ["inactif", "salarie", "chomeur"]
assert set(UNKNOWN_ACTIVITY_VALUES) <= set(ACTIVITIES)
DISABILITY_VALUES = [(None, False), (0.5, False), (0.5, True), (0.8, False)]
TURNOVER_VALUES = [0.0, 500.0, 1500.0, 3000.0]  # a micro-entrepreneur's monthly turnover
DEFAULT_TURNOVER_KIND = "bic_services"
assert DEFAULT_TURNOVER_KIND in SELF_EMPLOYED_KINDS
# Town unknown: one representative commune per housing-aid zone (zone 1 Paris, 2 a large city, 3 the
# rest), in metropolitan France; the zone changes the rent ceilings of the housing aid.
REPRESENTATIVE_COMMUNES = ("75056", "69123", "23096")  # Paris, Lyon, Guéret
# Home unknown: the usual situations of the people we meet, each with the rents to try.
UNKNOWN_HOUSING_STATUSES = ("locataire", "logement_social", "heberge")
assert set(UNKNOWN_HOUSING_STATUSES) <= set(PAYS_RENT) | {"heberge"}
MAX_VARIANTS = 32



def label(name: str) -> str:
    """How a field is named in « cela dépend de ... » (knowledge/vocabulary.yml `unknown_fields`;
    the sentence adds « de » with knowledge.french.de)."""
    entry = unknown_field(name)
    return entry["label"] if entry else name


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
    commune: Commune | None  # None: the person does not know their town (national estimate)
    base: Household
    variants: list[Household]
    dimensions: list[Dimension]
    assumptions: list[str] = field(default_factory=list)
    implicit: set[str] = field(default_factory=set)  # uncertainties nobody declared (RSDAE, alimony, grant)
    choices: list[tuple[int, ...]] = field(default_factory=list)  # value index of each dimension, per variant


def prepare(request: EligibilityRequest, commune: Commune | None, commune_assumption: str | None,
            today: dt.date) -> Prepared:
    """`commune` None: the town is unknown (`commune` in `unknown`, no commune nor postcode given)."""
    period = request.period or today.strftime("%Y-%m")
    assumptions = [commune_assumption] if commune_assumption else []
    base = _base_household(request, period, commune, assumptions)
    dimensions: list[Dimension] = []
    implicit: set[str] = set()
    names = list(dict.fromkeys(_contract_name(n) for n in request.unknown))
    if commune is None and "commune" not in names:
        names.insert(0, "commune")
    if commune is not None and "commune" in names:
        names.remove("commune")  # the commune or postcode given settles it
    for name in names:
        dimension = _dimension(name, base, request)
        if dimension:
            dimensions.append(dimension)
    declared = {d.name for d in dimensions}
    if "commune" in declared:
        assumptions.append("Vous n'avez pas indiqué votre commune : c'est une estimation pour la France "
                           "métropolitaine, de Paris à une petite ville. L'aide au logement dépend de la commune.")
    if "housing.status" in declared:
        assumptions.append("Vous n'avez pas dit où vous habitez : nous avons essayé la location, le logement "
                           "social et l'hébergement gratuit. Les aides qui en dépendent sont données sous forme "
                           "de fourchette.")
    for index, (adult, given) in enumerate(zip(base.adults, request.adults)):
        rate = adult.disability_rate or 0
        if (0.5 <= rate < 0.8 and given.work_restriction is None
                and not {f"adults[{index}].disability_rate", f"adults[{index}].work_restriction"} & declared):
            dimensions.append(Dimension(f"adults[{index}].rsdae", label(f"adults[{index}].work_restriction"),
                                        [False, True], _setter_adult(index, "substantial_work_restriction")))
            implicit.add("rsdae")
        if (_is_student(adult) and given.student_grant is None
                and f"adults[{index}].student_grant" not in declared):
            dimensions.append(Dimension(f"adults[{index}].student_grant", label(f"adults[{index}].student_grant"),
                                        [False, True], _setter_adult(index, "student_grant")))
            implicit.add("student_grant")
            assumptions.append("Vous n'avez pas dit si vous avez une bourse du Crous" if index == 0 else
                               "Vous n'avez pas dit si votre conjoint a une bourse du Crous")
            assumptions[-1] += " : les aides qui en dépendent sont données sous forme de fourchette."
    alimony_given = "alimony" in request.adults[0].incomes.model_fields_set
    if (len(base.adults) == 1 and base.children and not alimony_given
            and "adults[0].incomes.alimony" not in declared):
        dimensions.append(_dimension("adults[0].incomes.alimony", base, request))
        implicit.add("alimony")
        assumptions.append("Vous n'avez pas dit si vous recevez une pension alimentaire : "
                           "les montants qui en dépendent sont donnés sous forme de fourchette.")
    variants, choices = _combine(base, dimensions)
    return Prepared(period, commune, base, variants, dimensions, assumptions, implicit, choices)


def _contract_name(name: str) -> str:
    """`housing.rent` and `rent` are the same field; `housing.status` keeps its prefix."""
    if name in ("status", "housing.status"):
        return "housing.status"
    return name.removeprefix("housing.")


def _is_student(person: Person) -> bool:
    return person.student or person.activity == "etudiant"


def _base_household(request: EligibilityRequest, period: str, commune: Commune | None,
                    assumptions: list[str]) -> Household:
    adults = []
    for adult in request.adults:
        incomes = {name: round(float(getattr(adult.incomes, name)), 2) for name in INCOME_NAMES}
        self_employed = adult.self_employed
        turnover = round(float(self_employed.turnover or 0.0), 2) if self_employed else 0.0
        student = adult.student or bool(adult.student_grant)  # a grant of the Crous is a student's
        activity = adult.activity or _activity_from(incomes, student, turnover)
        adults.append(Person(
            age=adult.age, adult=True, activity=activity, incomes=incomes, disability_rate=adult.disability_rate,
            student=student, substantial_work_restriction=bool(adult.work_restriction),
            pregnant=bool(adult.pregnant), student_grant=bool(adult.student_grant), turnover=turnover,
            turnover_kind=self_employed.kind if self_employed else None))
    children = [Person(age=child.age, adult=False, activity="enfant", school=child.school or school_for_age(child.age))
                for child in request.children]
    housing = request.housing
    status = housing.status if housing is not None and housing.status else UNKNOWN_HOUSING_STATUSES[0]
    rent = housing.rent if housing is not None and housing.rent is not None else None
    if rent is None and (housing is None or housing.status is None):
        rent = RENT_VALUES[1]  # the base of an unknown home; the variants try every rent
    charges = housing.charges if housing is not None and housing.charges is not None else 0.0
    household = Household(period=period, depcom=commune.code if commune else REPRESENTATIVE_COMMUNES[0],
                          housing_status=status, rent=round(float(rent or 0.0), 2), charges=round(float(charges), 2),
                          adults=adults, children=children, couple_type=request.couple_type,
                          single_parent_recent=request.single_parent_recent)
    if any(a.activity == "independant" and a.incomes["salary"] > 0 for a in adults):
        assumptions.append("Pour une activité indépendante, nous avons compté vos revenus comme un salaire net : "
                           "l'estimation est approximative.")
    if any(a.turnover_kind for a in adults):
        assumptions.append("Pour une micro-entreprise, nous avons supposé que vous n'avez pas choisi le versement "
                           "libératoire de l'impôt. Chaque aide retire de votre chiffre d'affaires son abattement.")
    if any(a.incomes["other"] > 0 for a in adults):
        assumptions.append("Vos autres revenus ont été comptés comme des revenus de location (revenus fonciers).")
    if status == "accedant":
        assumptions.append("Nous avons supposé que votre prêt immobilier a été signé après 2018.")
    if len(adults) == 2 and request.couple_type is None:
        assumptions.append("Nous avons supposé que vous faites une seule déclaration d'impôts pour le couple.")
    if any(c.school in ("college", "lycee", "superieur") for c in children) or any(a.student for a in adults):
        assumptions.append("Nous avons supposé que l'établissement scolaire est public ou privé sous contrat.")
    if any(child.school is None for child in request.children):
        assumptions.append("Pour chaque enfant, nous avons supposé la classe habituelle à son âge.")
    if any((a.disability_rate or 0) >= 0.8 for a in adults):
        assumptions.append("Avec un taux de handicap d'au moins 80 %, nous avons supposé que vous avez la carte "
                           "mobilité inclusion « invalidité ».")
    return household


def _activity_from(incomes: dict[str, float], student: bool, turnover: float = 0.0) -> str:
    if student:
        return "etudiant"
    if incomes["salary"] > 0:
        return "salarie"
    if turnover > 0:
        return "independant"
    if incomes["unemployment"] > 0:
        return "chomeur"
    if incomes["pension"] > 0:
        return "retraite"
    return "inactif"


def _dimension(name: str, base: Household, request: EligibilityRequest) -> Dimension | None:
    if name == "commune":
        return Dimension(name, label(name), list(REPRESENTATIVE_COMMUNES),
                         lambda h, v: setattr(h, "depcom", v))
    if name == "housing.status":
        return _housing_dimension(base, request)
    match = UNKNOWN_PATTERN.match(name)
    if match is None:
        return None
    if match.group("housing") == "rent":
        if base.housing_status not in PAYS_RENT or _status_unknown(request):
            return None  # an unknown home already tries every rent
        return Dimension(name, label(name), RENT_VALUES, lambda h, v: setattr(h, "rent", v))
    if match.group("housing") == "charges":
        return Dimension(name, label(name), CHARGES_VALUES, lambda h, v: setattr(h, "charges", v))
    if match.group("top") == "couple_type":
        if len(base.adults) < 2:
            return None
        return Dimension(name, label(name), ["pacse", "union_libre"],
                         lambda h, v: setattr(h, "couple_type", v))
    if match.group("top") == "single_parent_recent":
        if len(base.adults) != 1 or not base.children:
            return None
        return Dimension(name, label(name), [False, True],
                         lambda h, v: setattr(h, "single_parent_recent", v))
    if match.group("adult") is not None:
        index = int(match.group("adult"))
        income = match.group("income")
        person_field = income or match.group("person")
        said = label(name)
        if income:
            return Dimension(name, said, INCOME_VALUES[income], _setter_income(index, income))
        if person_field == "age":
            return Dimension(name, said, ADULT_AGE_VALUES, _setter_adult(index, "age"))
        if person_field == "activity":
            return Dimension(name, said, UNKNOWN_ACTIVITY_VALUES, _setter_adult(index, "activity"))
        if person_field == "student":
            return Dimension(name, said, [False, True], _setter_adult(index, "student"))
        if person_field == "pregnant":
            return Dimension(name, said, [False, True], _setter_adult(index, "pregnant"))
        if person_field == "student_grant":
            return Dimension(name, said, [False, True], _setter_student_grant(index))
        if person_field == "work_restriction":
            return Dimension(name, said, [False, True], _setter_adult(index, "substantial_work_restriction"))
        if person_field == "self_employed.turnover":
            return Dimension(name, said, TURNOVER_VALUES, _setter_turnover(index))
        if person_field == "self_employed.kind":
            return Dimension(name, said, list(SELF_EMPLOYED_KINDS), _setter_turnover_kind(index))
        return Dimension(name, said, DISABILITY_VALUES, _setter_disability(index))
    index = int(match.group("child"))
    child_field = match.group("child_field")
    said = label(name)
    if child_field == "age":
        def set_child_age(household: Household, value: object, index: int = index) -> None:
            child = household.children[index]
            child.age = int(value)
            child.school = school_for_age(child.age)
        return Dimension(name, said, CHILD_AGE_VALUES, set_child_age)
    usual = base.children[index].school

    def set_school(household: Household, value: object, index: int = index) -> None:
        household.children[index].school = value
    return Dimension(name, said, list(dict.fromkeys([usual, "aucune"])), set_school)


def _status_unknown(request: EligibilityRequest) -> bool:
    return any(_contract_name(name) == "housing.status" for name in request.unknown)


def _housing_dimension(base: Household, request: EligibilityRequest) -> Dimension:
    """Every usual home with every plausible rent (the given one if any): one field, « votre logement »."""
    housing = request.housing
    given_rent = housing.rent if housing is not None and housing.rent is not None else None
    rents = [given_rent] if given_rent is not None else RENT_VALUES
    values = [(status, float(rent)) for status in UNKNOWN_HOUSING_STATUSES if status in PAYS_RENT for rent in rents]
    values += [(status, 0.0) for status in UNKNOWN_HOUSING_STATUSES if status not in PAYS_RENT]

    def apply(household: Household, value: object) -> None:
        household.housing_status, household.rent = value
    return Dimension("housing.status", label("housing.status"), values, apply)


def _setter_income(index: int, income: str) -> Callable[[Household, object], None]:
    def apply(household: Household, value: object) -> None:
        household.adults[index].incomes[income] = float(value)
    return apply


def _setter_adult(index: int, attribute: str) -> Callable[[Household, object], None]:
    def apply(household: Household, value: object) -> None:
        setattr(household.adults[index], attribute, value)
    return apply


def _setter_student_grant(index: int) -> Callable[[Household, object], None]:
    def apply(household: Household, value: object) -> None:
        person = household.adults[index]
        person.student_grant = bool(value)
        if value:  # a grant holder is a student
            person.student = True
    return apply


def _setter_turnover(index: int) -> Callable[[Household, object], None]:
    def apply(household: Household, value: object) -> None:
        person = household.adults[index]
        person.turnover = float(value)
        person.turnover_kind = person.turnover_kind or DEFAULT_TURNOVER_KIND
    return apply


def _setter_turnover_kind(index: int) -> Callable[[Household, object], None]:
    def apply(household: Household, value: object) -> None:
        household.adults[index].turnover_kind = str(value)
    return apply


def _setter_disability(index: int) -> Callable[[Household, object], None]:
    def apply(household: Household, value: object) -> None:
        rate, restriction = value
        household.adults[index].disability_rate = rate
        household.adults[index].substantial_work_restriction = restriction
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
