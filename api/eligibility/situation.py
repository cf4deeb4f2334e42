"""From contract households to one vectorised OpenFisca simulation, the way a careful caseworker would.

Each `Household` here is complete and concrete (unknown fields were already replaced by plausible
variants). `build_simulation` puts N of them in ONE simulation with array inputs:

- every income back to January of year N-3, in every form the formulas read (net, taxable, gross),
  assumed stable (the contract says so) up to December of year N; absent incomes are explicit zeros
  (including those OpenFisca would otherwise derive, such as a work-accident annuity);
- benefits of past months: the person is assumed to receive, during the three months before the
  estimated month, what they are entitled to (housing aid, family benefits, AAH, activity bonus:
  other benefits count them as resources, and the activity bonus applies a housing flat rate when
  housing aid is paid); family benefits also over the past twelve months, which the solidarity
  health insurance counts. Every other past benefit is zero (this person does not claim it yet),
  which also stops formulas from recursing into older and older months;
- ages become birth dates six months before the birthday, so that the age holds in the estimated
  month and the ones around it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from api.eligibility.incomes import IncomeConverter
from knowledge.vocabulary import INCOME_NAMES, PAYS_RENT

INCOME_FIELDS = INCOME_NAMES

HOUSING_STATUS = {
    "locataire": "locataire_vide",
    "locataire_meuble": "locataire_meuble",
    "logement_social": "locataire_hlm",
    "proprietaire": "proprietaire",
    "accedant": "primo_accedant",
    "heberge": "loge_gratuitement",
    "sans_domicile": "sans_domicile",
    "foyer": "locataire_foyer",
}

ACTIVITY = {
    "salarie": "actif",
    "independant": "actif",
    "chomeur": "chomeur",
    "etudiant": "etudiant",
    "retraite": "retraite",
    "inactif": "inactif",
}

SCHOOL = {
    "creche": "inconnue",
    "maternelle": "maternelle",
    "primaire": "primaire",
    "college": "college",
    "lycee": "lycee",
    "superieur": "enseignement_superieur",
    "aucune": "inconnue",
}
IN_EDUCATION = {"college", "lycee", "superieur"}


def school_for_age(age: int) -> str:
    """The usual school level at this age (French school year, age reached in the calendar year)."""
    if age < 3:
        return "creche"
    if age < 6:
        return "maternelle"
    if age < 11:
        return "primaire"
    if age < 15:
        return "college"
    if age < 18:
        return "lycee"
    return "superieur"


# Incomes and statuses the contract never mentions, hence absent: explicit zeros every month.
# (OpenFisca would derive the same zeros from other absent inputs, at a cost.)
ABSENT = {
    "rente_accident_travail": 0.0,  # no work-accident annuity
    "remuneration_apprenti": 0.0,  # no apprenticeship contract
    "apprenti": False,
    "indemnites_journalieres": 0.0,  # no daily sickness, maternity or accident allowance
    "rsa_indemnites_journalieres_activite": 0.0,
    "rsa_indemnites_journalieres_hors_activite": 0.0,
}

# A disability rate of 80 % or more: the MDPH grants the invalidity card (carte mobilité inclusion
# « invalidité », art. L241-3 of the code de l'action sociale et des familles). On the tax return it is
# box P (the declarant) or F (the spouse): a half part (art. 195 of the tax code) and the deduction of
# art. 157 bis, which the housing aid also applies to its resources.
INVALIDITY_CARD_RATE = 0.8
AGE_DEDUCTION_AGE = 65  # art. 157 bis of the tax code: 65 or more on 31 December of the tax year
# A micro-entrepreneur (without the « versement libératoire » option, the usual case) declares the
# turnover in these boxes: each benefit then applies its own allowance (tax: 71 %, 50 % or 34 %).
TURNOVER_BOXES = {"bic_vente": "mbic_impv", "bic_services": "mbic_imps", "bnc": "mbnc_impo"}

RESIDENCE_PREFIXES = {
    "residence_guadeloupe": "971", "residence_martinique": "972", "residence_guyane": "973",
    "residence_reunion": "974", "residence_saint_pierre_et_miquelon": "975", "residence_mayotte": "976",
    "residence_saint_bartelemy": "977", "residence_saint_martin": "978",
}
DOM_PREFIXES = {"971", "972", "973", "974", "976"}

# Past benefits (see the module docstring). Months are counted back from the estimated month.
RECENT_MONTHS = 3
FAMILY_BENEFITS_MONTHS = 12
PAST_RECEIVED_RECENTLY = {"famille": ("aide_logement", "ppa", "af", "asf", "cf", "paje_base"),
                          "individu": ("aah",)}
PAST_RECEIVED_FOR_A_YEAR = {"famille": ("af", "asf", "cf", "paje_base")}
PAST_BENEFITS = {
    "famille": ("rsa", "ppa", "aide_logement", "af", "asf", "cf", "paje_base", "aspa", "aeeh",
                "paje_clca", "paje_prepare", "bourse_college", "bourse_lycee"),
    "individu": ("aah", "caah", "mva", "ass", "asi", "contrat_engagement_jeune", "bourse_criteres_sociaux"),
}


@dataclass
class Person:
    age: int
    adult: bool
    activity: str = "inactif"  # contract value; children: "enfant"
    incomes: dict[str, float] = field(default_factory=dict)
    disability_rate: float | None = None
    student: bool = False
    school: str | None = None  # children: contract value, already defaulted by age
    substantial_work_restriction: bool = False  # RSDAE, for a disability rate of 50 to 79 %
    pregnant: bool = False
    student_grant: bool = False  # a higher-education grant on social criteria (boursier)
    turnover: float = 0.0  # a micro-entrepreneur's monthly turnover (chiffre d'affaires)
    turnover_kind: str | None = None  # bic_vente, bic_services, bnc


@dataclass
class Household:
    period: str  # YYYY-MM
    depcom: str
    housing_status: str
    rent: float
    charges: float
    adults: list[Person]
    children: list[Person] = field(default_factory=list)
    couple_type: str | None = None  # marie, pacse, union_libre (two adults)
    single_parent_recent: bool = False

    @property
    def people(self) -> list[Person]:
        return self.adults + self.children

    def joint_tax_return(self) -> bool:
        return len(self.adults) == 2 and self.couple_type != "union_libre"


def month_offset(month: str, offset: int) -> str:
    year, number = int(month[:4]), int(month[5:7]) - 1 + offset
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


@dataclass(frozen=True)
class Periods:
    month: str
    history: tuple[str, ...]  # every month with inputs
    years: tuple[int, ...]

    @classmethod
    def of(cls, month: str) -> Periods:
        year = int(month[:4])
        history = tuple(f"{y:04d}-{m:02d}" for y in range(year - 3, year + 1) for m in range(1, 13))
        return cls(month, history, tuple(range(year - 3, year + 1)))

    def past_zero_months(self, keep_recent: int) -> list[str]:
        """Months before the estimated one, except the `keep_recent` most recent."""
        first_kept = month_offset(self.month, -keep_recent)
        return [m for m in self.history if m < first_kept]


def birth_date(age: int, month: str) -> np.datetime64:
    """Born six months before the birthday of the estimated month's year: `age` holds that month."""
    year, number = int(month[:4]), int(month[5:7])
    birth = dt.date(year - age, number, 1)
    shifted = month_offset(birth.strftime("%Y-%m"), -6)
    return np.datetime64(f"{shifted}-01")


@dataclass
class BatchIndex:
    """Where each household's entities sit in the simulation arrays."""
    persons: list[list[int]]  # per household: adults then children
    famille: list[int]
    menage: list[int]
    foyers: list[list[int]]  # per household: foyer of adult 0 (with the children), then adult 1 if separate


class SimulationInputs:
    """Accumulates entity arrays per (variable, period), then feeds them to a simulation."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], np.ndarray] = {}

    def set(self, variable: str, period: str, value) -> None:  # noqa: ANN001
        self.values[(variable, period)] = value

    def set_months(self, variable: str, months, value) -> None:  # noqa: ANN001
        for month in months:
            self.values[(variable, month)] = value


def build_inputs(households: list[Household], converter: IncomeConverter) -> tuple[SimulationInputs, BatchIndex, dict]:
    """Array inputs for `households` (all with the same period) and the structure of the batch."""
    period = households[0].period
    assert all(h.period == period for h in households), "one period per batch"
    periods = Periods.of(period)
    converter.calibrate(list(periods.history))

    person_ids: list[str] = []
    famille_roles: list[str] = []
    menage_roles: list[str] = []
    foyer_roles: list[str] = []
    person_famille: list[int] = []
    person_menage: list[int] = []
    person_foyer: list[int] = []
    index = BatchIndex([], [], [], [])
    foyer_count = 0
    people: list[Person] = []
    for h_index, household in enumerate(households):
        members = []
        joint = household.joint_tax_return()
        foyers = [foyer_count]
        if len(household.adults) == 2 and not joint:
            foyers.append(foyer_count + 1)
        foyer_count += len(foyers)
        for p_index, person in enumerate(household.people):
            members.append(len(person_ids))
            person_ids.append(f"h{h_index}p{p_index}")
            people.append(person)
            person_famille.append(h_index)
            person_menage.append(h_index)
            if person.adult and p_index == 0:
                famille_roles.append("demandeur")
                menage_roles.append("personne_de_reference")
                foyer_roles.append("declarant_principal")
                person_foyer.append(foyers[0])
            elif person.adult:
                famille_roles.append("conjoint")
                menage_roles.append("conjoint")
                foyer_roles.append("conjoint" if joint else "declarant_principal")
                person_foyer.append(foyers[0] if joint else foyers[1])
            else:
                famille_roles.append("enfant")
                menage_roles.append("enfant")
                foyer_roles.append("personne_a_charge")
                person_foyer.append(foyers[0])
        index.persons.append(members)
        index.famille.append(h_index)
        index.menage.append(h_index)
        index.foyers.append(foyers)
    structure = {
        "person_ids": person_ids,
        "famille": (person_famille, famille_roles, len(households)),
        "menage": (person_menage, menage_roles, len(households)),
        "foyer_fiscal": (person_foyer, foyer_roles, foyer_count),
    }

    inputs = SimulationInputs()
    history = periods.history
    count = len(people)
    inputs.set("date_naissance", "ETERNITY", np.array([birth_date(p.age, period) for p in people],
                                                      dtype="datetime64[D]"))

    # Situation, stable over the history.
    activite = np.array([_activite(p) for p in people])
    inputs.set_months("activite", history, activite)
    inputs.set_months("handicap", history, np.array([(p.disability_rate or 0) >= 0.5 for p in people]))
    inputs.set_months("taux_incapacite", history,
                      np.array([p.disability_rate or 0.0 for p in people], dtype=np.float32))
    inputs.set_months("aah_restriction_substantielle_durable_acces_emploi", history,
                      np.array([p.substantial_work_restriction for p in people]))
    inputs.set_months("scolarite", history, np.array([SCHOOL[p.school] if p.school else "inconnue" for p in people]))
    # Pupils and students: a public school (or private under contract), as most are.
    inputs.set_months("statuts_etablissement_scolaire", history, np.array(["public"] * count))
    inputs.set_months("statut_marital", history, np.array([_statut_marital(h, p) for h in households
                                                           for p in h.people]))
    # The contract's optional facts, always set (false or zero when not said), so that the
    # request-independent shortcuts see them as inputs. A declared pregnancy: the estimated month and
    # the three before (those whose benefits count as received).
    first_pregnant_month = month_offset(period, -RECENT_MONTHS)
    pregnant = np.array([p.pregnant for p in people])
    not_pregnant = np.zeros(count, dtype=bool)
    for month in history:
        inputs.set("enceinte", month, pregnant if first_pregnant_month <= month <= period else not_pregnant)
    # A student with a grant on social criteria (the housing aid's student floor is lower for them).
    inputs.set_months("boursier", history, np.array([p.student_grant for p in people]))
    box_p = np.zeros(foyer_count, dtype=bool)
    box_f = np.zeros(foyer_count, dtype=bool)
    for person, foyer, role in zip(people, person_foyer, foyer_roles):
        if person.adult and (person.disability_rate or 0) >= INVALIDITY_CARD_RATE:
            (box_p if role == "declarant_principal" else box_f)[foyer] = True
    turnover = {box: np.array([round(12 * p.turnover) if p.turnover_kind == kind else 0 for p in people],
                              dtype=np.int32) for kind, box in TURNOVER_BOXES.items()}
    for year in periods.years:
        inputs.set("caseP", str(year), box_p)
        inputs.set("caseF", str(year), box_f)
        for box, yearly in turnover.items():
            inputs.set(box, str(year), yearly)

    # Incomes: net, then taxable and gross, month by month.
    net = {name: np.array([round(float(p.incomes.get(name, 0.0)), 2) for p in people]) for name in INCOME_FIELDS}
    regimes = _csg_regimes(people, person_foyer, foyer_count, net, converter, periods)
    converted: dict[tuple[int, int], tuple] = {}
    for month in history:
        regime = regimes[int(month[:4])]
        key = (id(converter.tables[month]), id(regime))
        if key not in converted:  # months with the same rates share their conversions
            converted[key] = (*converter.salary(month, net["salary"]),
                              *converter.unemployment(month, net["unemployment"], regime),
                              *converter.pension(month, net["pension"], regime))
        (taxable_salary, gross_salary, taxable_unemployment, gross_unemployment,
         taxable_pension, gross_pension) = converted[key]
        inputs.set("salaire_net", month, net["salary"])
        inputs.set("salaire_imposable", month, taxable_salary)
        inputs.set("salaire_de_base", month, gross_salary)
        inputs.set("chomage_net", month, net["unemployment"])
        inputs.set("chomage_imposable", month, taxable_unemployment)
        inputs.set("chomage_brut", month, gross_unemployment)
        inputs.set("retraite_nette", month, net["pension"])
        inputs.set("retraite_imposable", month, taxable_pension)
        inputs.set("retraite_brute", month, gross_pension)
        inputs.set("pensions_invalidite", month, net["disability_pension"])
        inputs.set("pensions_alimentaires_percues", month, net["alimony"])
        inputs.set("revenus_locatifs", month, net["other"])
    # "Other" incomes are declared as property income on the tax return of the person's foyer.
    other_by_foyer = np.zeros(foyer_count)
    np.add.at(other_by_foyer, np.array(person_foyer), net["other"] * 12)
    for year in periods.years:
        inputs.set("f4ba", str(year), np.round(other_by_foyer).astype(np.int32))

    for name, value in ABSENT.items():
        inputs.set_months(name, history, np.full(count, value))
    # Read straight from the request, exactly as OpenFisca's formulas derive them (department
    # prefix of the commune; number of parents of the family).
    depcoms = [h.depcom for h in households]
    for name, prefix in RESIDENCE_PREFIXES.items():
        inputs.set_months(name, history, np.array([code.startswith(prefix) for code in depcoms]))
    inputs.set_months("residence_dom", history, np.array([code[:3] in DOM_PREFIXES for code in depcoms]))
    parents = np.array([len(h.adults) for h in households], dtype=np.int32)
    inputs.set_months("nb_parents", history, parents)
    inputs.set_months("en_couple", history, parents == 2)

    # Household.
    menage_months = history
    inputs.set_months("depcom", menage_months, np.array([h.depcom for h in households]))
    inputs.set_months("statut_occupation_logement", menage_months,
                      np.array([HOUSING_STATUS[h.housing_status] for h in households]))
    inputs.set_months("loyer", menage_months, np.array([h.rent if h.housing_status in PAYS_RENT else 0.0
                                                        for h in households]))
    inputs.set_months("charges_locatives", menage_months, np.array([h.charges if h.housing_status in PAYS_RENT
                                                                    else 0.0 for h in households]))
    # A loan taken today: home-ownership housing aid no longer exists for new loans (2018).
    inputs.set("aide_logement_date_pret", "ETERNITY",
               np.array([np.datetime64(f"{period}-01") - np.timedelta64(365, "D")] * len(households),
                        dtype="datetime64[D]"))
    inputs.set_months("rsa_isolement_recent", history, np.array(
        [h.single_parent_recent and len(h.adults) == 1 for h in households]))

    # Past benefits.
    families = len(households)
    for entity, names in PAST_BENEFITS.items():
        size = families if entity == "famille" else count
        for name in names:
            keep = 0
            if name in PAST_RECEIVED_RECENTLY.get(entity, ()):
                keep = RECENT_MONTHS
            if name in PAST_RECEIVED_FOR_A_YEAR.get(entity, ()):
                keep = FAMILY_BENEFITS_MONTHS
            inputs.set_months(name, periods.past_zero_months(keep), np.zeros(size, dtype=np.float32))
    return inputs, index, structure


def _activite(person: Person) -> str:
    if not person.adult:
        return "etudiant" if person.school in IN_EDUCATION else "inactif"
    if person.student:
        return "etudiant"
    return ACTIVITY[person.activity]


def _statut_marital(household: Household, person: Person) -> str:
    if person.adult and len(household.adults) == 2 and household.couple_type in ("marie", "pacse"):
        return household.couple_type
    if person.adult and len(household.adults) == 2 and household.couple_type is None:
        return "pacse"  # one joint tax return, as OpenFisca assumes for two declarants
    return "celibataire"


def _csg_regimes(people, person_foyer, foyer_count, net, converter, periods) -> dict[int, np.ndarray]:  # noqa: ANN001
    """CSG regime of each person's replacement incomes, per year, from their tax household's income."""
    foyer_members: dict[int, list[int]] = {f: [] for f in range(foyer_count)}
    for person_index, foyer in enumerate(person_foyer):
        foyer_members[foyer].append(person_index)
    foyers = list(range(foyer_count))
    width = max(len(m) for m in foyer_members.values())
    parts = np.zeros(foyer_count)
    for row, foyer in enumerate(foyers):
        members = [people[i] for i in foyer_members[foyer]]
        declarants = [p for p in members if p.adult]
        dependants = len(members) - len(declarants)
        half_parts = 2 * len(declarants) + min(dependants, 2) + 2 * max(dependants - 2, 0)
        if len(declarants) == 1 and dependants:
            half_parts += 1  # single parent (case T)
        half_parts += sum(1 for p in declarants if (p.disability_rate or 0) >= 0.8)
        parts[row] = half_parts / 2
    micro = np.zeros(foyer_count)  # yearly taxable micro-enterprise profit of each foyer, by year
    abatement_count = np.zeros(foyer_count, dtype=int)  # people entitled to art. 157 bis, by year
    regimes: dict[int, np.ndarray] = {}
    # Two passes: taxable amounts depend on the regime, which depends on taxable amounts.
    person_regime = np.zeros(len(people), dtype=int)
    for year in periods.years:
        month = f"{year}-06"
        micro[:] = 0
        abatement_count[:] = 0
        for row, foyer in enumerate(foyers):
            for i in foyer_members[foyer]:
                person = people[i]
                if person.turnover_kind and person.turnover > 0:
                    micro[row] += converter.micro_taxable(year - 2, 12 * person.turnover, person.turnover_kind)
                born = int(str(birth_date(person.age, periods.month))[:4])
                if person.adult and (year - 2 - born >= AGE_DEDUCTION_AGE or (person.disability_rate or 0) >= INVALIDITY_CARD_RATE):
                    abatement_count[row] += 1
        for _ in range(2):
            earned = np.zeros((len(foyers), width))
            pensions = np.zeros((len(foyers), width))
            other = np.zeros(len(foyers))
            taxable_salary, _gross = converter.salary(month, net["salary"])
            taxable_unemployment, _ = converter.unemployment(month, net["unemployment"], person_regime)
            taxable_pension, _ = converter.pension(month, net["pension"], person_regime)
            for row, foyer in enumerate(foyers):
                for column, i in enumerate(foyer_members[foyer]):
                    earned[row, column] = 12 * (taxable_salary[i] + taxable_unemployment[i])
                    pensions[row, column] = 12 * (taxable_pension[i] + net["disability_pension"][i]
                                                  + net["alimony"][i])
                    other[row] += 12 * net["other"][i]
            reference = converter.estimated_reference_income(year - 2, earned, pensions, other + micro,
                                                              abatement_count)
            foyer_regime = converter.regime(month, reference, parts)
            for row, foyer in enumerate(foyers):
                for i in foyer_members[foyer]:
                    person_regime[i] = foyer_regime[row]
        regimes[year] = person_regime.copy()
    return regimes
