"""Request and response of `POST /api/eligibility`, as in shared/spec/eligibility.md.

`parse_request` validates a decoded JSON body and turns every problem into a French sentence that
says what to fix (and an English gloss), so the route can answer 422 instead of failing.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from api.eligibility.errors import InvalidHousehold
from knowledge.vocabulary import (ACTIVITY_VALUES, COUPLE_TYPES, HOUSING_VALUES, INCOME_NAMES, PAYS_RENT, SCHOOLS,
                                  SELF_EMPLOYED_KINDS)

MAX_MONTHLY_INCOME = 50_000
MAX_RENT = 10_000
MAX_CHARGES = 3_000
MAX_CHILDREN = 15

Activity = Literal[ACTIVITY_VALUES]
HousingStatus = Literal[HOUSING_VALUES]
School = Literal[SCHOOLS]
CoupleType = Literal[tuple(COUPLE_TYPES)]
SelfEmployedKind = Literal[tuple(SELF_EMPLOYED_KINDS)]
Money = Annotated[float, Field(ge=0, le=MAX_MONTHLY_INCOME, allow_inf_nan=False)]

# The fields a person may not know (`unknown`). Our additions to the contract: `commune` (then
# neither commune nor postcode is needed) and `housing.status` (see docs/eligibility-additions.md).
UNKNOWN_PATTERN = re.compile(
    r"^(?:(?:housing\.)?(?P<housing>rent|charges|status)|(?P<top>couple_type|single_parent_recent|commune)"
    rf"|adults\[(?P<adult>\d+)\]\.(?:incomes\.(?P<income>{'|'.join(INCOME_NAMES)})"
    r"|(?P<person>age|activity|student|disability_rate|pregnant|student_grant|work_restriction"
    r"|self_employed\.turnover|self_employed\.kind))"
    r"|children\[(?P<child>\d+)\]\.(?P<child_field>age|school))$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Incomes(_Strict):
    salary: Money = 0
    unemployment: Money = 0
    pension: Money = 0
    disability_pension: Money = 0
    alimony: Money = 0
    other: Money = 0


assert tuple(Incomes.model_fields) == INCOME_NAMES, "the incomes of the contract are those of knowledge/vocabulary.yml"


class SelfEmployed(_Strict):
    """A micro-entrepreneur's monthly turnover (chiffre d'affaires), not a net income."""
    turnover: float | None = Field(default=None, ge=0, le=MAX_MONTHLY_INCOME, allow_inf_nan=False)
    kind: SelfEmployedKind


class Adult(_Strict):
    age: int = Field(ge=16, le=120)
    activity: Activity | None = None
    incomes: Incomes = Field(default_factory=Incomes)
    disability_rate: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    student: bool = False
    # Optional facts: None (absent) means « not said ».
    pregnant: bool | None = None
    student_grant: bool | None = None  # a higher-education grant on social criteria (Crous)
    work_restriction: bool | None = None  # RSDAE recognised by the MDPH (CDAPH)
    self_employed: SelfEmployed | None = None


class Child(_Strict):
    age: int = Field(ge=0, le=25)
    school: School | None = None


class Housing(_Strict):
    status: HousingStatus | None = None  # None: only with `housing.status` in `unknown`
    rent: float | None = Field(default=None, ge=0, le=MAX_RENT, allow_inf_nan=False)
    charges: float | None = Field(default=None, ge=0, le=MAX_CHARGES, allow_inf_nan=False)


class EligibilityRequest(_Strict):
    period: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    commune: str | None = Field(default=None, pattern=r"^(\d{5}|2[ABab]\d{3})$")
    postcode: str | None = Field(default=None, pattern=r"^\d{5}$")
    housing: Housing | None = None  # None: only with `housing.status` in `unknown`
    adults: list[Adult] = Field(min_length=1, max_length=2)
    couple_type: CoupleType | None = None
    children: list[Child] = Field(default_factory=list, max_length=MAX_CHILDREN)
    single_parent_recent: bool = False
    unknown: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("commune")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class Range(BaseModel):
    low: float
    high: float


class HowToClaim(BaseModel):
    who: str | None = None
    where: str
    documents: list[str] = []
    url: str


class Benefit(BaseModel):
    id: str
    name: str
    status: Literal["eligible", "not_eligible", "uncertain"]
    monthly_amount: float | None
    yearly_amount: float | None
    range: list[float] | None
    depends_on: list[str] = []   # addition: the `unknown` fields an uncertain amount depends on
    why: str
    how_to_claim: HowToClaim


class EligibilityResponse(BaseModel):
    period: str
    benefits: list[Benefit]
    assumptions: list[str]
    computed_with: dict[str, Any]


# ----- validation with French messages -----

def parse_request(payload: Any, today: dt.date | None = None) -> EligibilityRequest:
    if not isinstance(payload, dict):
        raise InvalidHousehold("La demande doit être un objet JSON décrivant le foyer.",
                               "The body must be a JSON object describing the household.")
    try:
        request = EligibilityRequest.model_validate(payload)
    except ValidationError as error:
        problems = [_explain(item) for item in error.errors(include_url=False)]
        raise InvalidHousehold(_summary(problems), "; ".join(p["en"] for p in problems), problems) from None
    problems = _consistency(request, today or dt.date.today())
    if problems:
        raise InvalidHousehold(_summary(problems), "; ".join(p["en"] for p in problems), problems)
    return request


def _summary(problems: list[dict[str, str]]) -> str:
    if len(problems) == 1:
        return problems[0]["fr"]
    return "Plusieurs informations sont à corriger : " + " ".join(p["fr"] for p in problems[:5])


def field_path(location: tuple) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


FIELD_NAMES = {
    "period": "la période", "commune": "le code commune", "postcode": "le code postal",
    "housing": "le logement", "housing.status": "la situation de logement", "housing.rent": "le loyer",
    "housing.charges": "les charges", "adults": "les adultes du foyer", "couple_type": "le type de couple",
    "children": "les enfants", "single_parent_recent": "la séparation récente", "unknown": "la liste « unknown »",
}
INCOME_LABELS = {"salary": "le salaire", "unemployment": "l'allocation chômage", "pension": "la retraite",
                 "disability_pension": "la pension d'invalidité", "alimony": "la pension alimentaire",
                 "other": "les autres revenus"}


def _label(path: str) -> str:
    if path in FIELD_NAMES:
        return FIELD_NAMES[path]
    match = re.match(r"adults\[(\d)\]\.?(.*)", path)
    if match:
        who = "du premier adulte" if match.group(1) == "0" else "du deuxième adulte"
        rest = match.group(2)
        if rest.startswith("incomes."):
            return f"{INCOME_LABELS.get(rest[8:], rest[8:])} {who}"
        return {"age": f"l'âge {who}", "activity": f"l'activité {who}", "disability_rate":
                f"le taux de handicap {who}", "student": f"le champ « student » {who}",
                "incomes": f"les revenus {who}", "": f"la description {who}",
                "pregnant": f"le champ « pregnant » (grossesse) {who}",
                "student_grant": f"le champ « student_grant » (bourse du Crous) {who}",
                "work_restriction": f"le champ « work_restriction » (décision de la MDPH sur l'emploi) {who}",
                "self_employed": f"l'activité de micro-entrepreneur {who}",
                "self_employed.turnover": f"le chiffre d'affaires mensuel {who}",
                "self_employed.kind": f"le type d'activité de micro-entreprise {who}"}.get(rest, f"« {rest} » {who}")
    match = re.match(r"children\[(\d+)\]\.?(.*)", path)
    if match:
        number = int(match.group(1)) + 1
        rest = {"age": "l'âge", "school": "la scolarité", "": "la description"}.get(match.group(2), match.group(2))
        return f"{rest} de l'enfant n° {number}"
    return path or "la demande"


def _capital(text: str) -> str:
    """First letter up, the rest untouched (str.capitalize would write « crous », « mdph »)."""
    return text[:1].upper() + text[1:]


def _explain(item: dict) -> dict[str, str]:
    path = field_path(item["loc"])
    label = _label(path)
    kind = item["type"]
    context = item.get("ctx") or {}
    en = f"{path or 'body'}: {item['msg']}"
    if kind == "extra_forbidden":
        fr = f"Le champ « {path} » n'existe pas. Retirez-le ou vérifiez son nom."
    elif kind == "missing":
        fr = f"Il manque {label}."
    elif kind in {"greater_than_equal", "greater_than"} and path.endswith(("age",)):
        fr = f"{_capital(label)} doit être d'au moins {context.get('ge', context.get('gt'))} ans."
    elif kind in {"less_than_equal", "less_than"} and path.endswith(("age",)):
        fr = f"{_capital(label)} doit être de {context.get('le', context.get('lt'))} ans au plus."
    elif kind in {"greater_than_equal", "greater_than"}:
        fr = f"{_capital(label)} ne peut pas être négatif."
    elif kind in {"less_than_equal", "less_than"} and "disability_rate" in path:
        fr = f"{_capital(label)} s'écrit entre 0 et 1 (par exemple 0.8 pour 80 %)."
    elif kind in {"less_than_equal", "less_than"}:
        fr = (f"{_capital(label)} semble trop élevé ({item.get('input')}) : "
              f"le maximum accepté est {context.get('le', context.get('lt'))}. Vérifiez le montant, en euros par mois.")
    elif kind == "too_long" and path == "adults":
        fr = "Un foyer compte une ou deux personnes adultes. Décrivez les autres personnes comme des enfants à charge."
    elif kind == "too_short" and path == "adults":
        fr = "Décrivez au moins une personne adulte dans « adults »."
    elif kind == "too_long":
        fr = f"{_capital(label)} : {context.get('max_length')} au maximum."
    elif kind == "literal_error":
        expected = str(context.get("expected", "")).replace(" or ", " ou ")
        fr = f"{_capital(label)} n'est pas une valeur connue. Valeurs possibles : {expected}."
    elif kind == "string_pattern_mismatch" and path == "period":
        fr = "La période s'écrit AAAA-MM, par exemple 2026-11."
    elif kind == "string_pattern_mismatch" and path == "commune":
        fr = "Le code commune est le code INSEE à 5 caractères, par exemple 54395 pour Nancy."
    elif kind == "string_pattern_mismatch" and path == "postcode":
        fr = "Le code postal s'écrit avec 5 chiffres, par exemple 54000."
    elif kind.startswith(("int_", "float_", "bool_", "string_", "list_", "model_", "dict_")):
        expected = {"int": "un nombre entier", "float": "un nombre", "bool": "true ou false", "string": "un texte",
                    "list": "une liste", "model": "un objet", "dict": "un objet"}[kind.split("_")[0]]
        fr = f"{_capital(label)} doit être {expected}."
    else:
        fr = f"{_capital(label)} n'est pas valide."
    return {"field": path, "fr": fr, "en": en}


def _consistency(request: EligibilityRequest, today: dt.date) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []

    def add(path: str, fr: str, en: str) -> None:
        problems.append({"field": path, "fr": fr, "en": en})

    if request.period:
        first, last = "2024-01", _add_months(today.strftime("%Y-%m"), 12)
        if not first <= request.period <= last:
            add("period", f"La période doit être comprise entre {first} et {last}.",
                f"period must be between {first} and {last}")
    declared = {name.removeprefix("housing.") for name in request.unknown}
    if not request.commune and not request.postcode and "commune" not in declared:
        add("commune", "Indiquez votre commune (code INSEE) ou votre code postal : les aides dépendent du lieu où "
            "vous vivez. Si vous ne la connaissez pas, mettez « commune » dans « unknown ».",
            "Either 'commune' or 'postcode' is required (or 'commune' in 'unknown').")
    if request.couple_type and len(request.adults) == 1:
        add("couple_type", "Le type de couple ne s'applique qu'à un foyer de deux adultes.",
            "couple_type needs two adults")
    if request.single_parent_recent and len(request.adults) == 2:
        add("single_parent_recent", "« Seul avec les enfants depuis moins de 18 mois » ne va pas avec deux adultes.",
            "single_parent_recent needs one adult")
    unknown = set()
    for position, name in enumerate(request.unknown):
        match = UNKNOWN_PATTERN.match(name)
        if not match:
            add(f"unknown[{position}]", f"« {name} » n'est pas un champ que l'on peut déclarer inconnu. Exemples : "
                "rent, adults[0].incomes.salary, adults[0].disability_rate.", f"unsupported unknown field {name!r}")
            continue
        if match.group("adult") and int(match.group("adult")) >= len(request.adults):
            add(f"unknown[{position}]", f"« {name} » parle d'un adulte absent du foyer.",
                f"{name} refers to a missing adult")
        if match.group("child") and int(match.group("child")) >= len(request.children):
            add(f"unknown[{position}]", f"« {name} » parle d'un enfant absent du foyer.",
                f"{name} refers to a missing child")
        unknown.add(name.removeprefix("housing."))
    status = request.housing.status if request.housing is not None else None
    if request.housing is None and "status" not in unknown:
        add("housing", "Il manque le logement : indiquez la situation de logement (« housing »), ou mettez "
            "« housing.status » dans « unknown ».", "housing is required (or 'housing.status' in 'unknown')")
    elif status is None and "status" not in unknown:
        add("housing.status", "Il manque la situation de logement (locataire, propriétaire, hébergé...), ou mettez "
            "« housing.status » dans « unknown ».", "housing.status is required (or listed in 'unknown')")
    for index, adult in enumerate(request.adults):
        turnover_unknown = f"adults[{index}].self_employed.turnover" in unknown
        if adult.self_employed is not None and adult.self_employed.turnover is None and not turnover_unknown:
            add(f"adults[{index}].self_employed.turnover",
                "Indiquez le chiffre d'affaires mensuel de la micro-entreprise, en euros, ou mettez "
                f"« adults[{index}].self_employed.turnover » dans « unknown ».",
                "self_employed.turnover is required (or listed in 'unknown')")
    if status in PAYS_RENT and request.housing.rent is None and not {"rent", "status"} & unknown:
        add("housing.rent", "Indiquez le loyer (ou la mensualité de prêt) en euros par mois, ou mettez « rent » "
            "dans « unknown » si vous ne le connaissez pas.", "housing.rent is required for this status")
    return problems


def _add_months(month: str, count: int) -> str:
    year, number = int(month[:4]), int(month[5:7]) - 1 + count
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"
