"""Independent reference: plain OpenFisca (`build_from_entities`) on full situations written by hand.

The situations are written the way a caseworker fills in OpenFisca: every income back to January
2023 in each form (net, taxable, gross, from the payslips), explicit zeros, past benefits as
received (family benefits over the last year, housing aid, activity bonus and AAH over the last
three months) or zero. Nothing here imports the service's mapping code; the service's period memoisation is switched off
while the reference computes.
"""
from __future__ import annotations

from openfisca_core.simulation_builder import SimulationBuilder

from api.eligibility.speed import plain_periods

PERIOD = "2026-11"
HISTORY = [f"{year}-{month:02d}" for year in range(2023, 2027) for month in range(1, 13)]
YEARS = ["2023", "2024", "2025", "2026"]


def every_month(value):  # noqa: ANN001, ANN201
    return {month: value for month in HISTORY}


def before(month: str, value=0):  # noqa: ANN001, ANN201
    return {m: value for m in HISTORY if m < month}


def every_year(value):  # noqa: ANN001, ANN201
    return {year: value for year in YEARS}


def incomes(salary=(0, 0, 0), unemployment=(0, 0, 0), pension=(0, 0, 0), disability_pension=0, alimony=0,  # noqa: ANN001, ANN201
            other=0):
    """Every income of a person, each month: (net, taxable, gross) as on the payslip or pension slip."""
    return {
        "salaire_net": every_month(salary[0]), "salaire_imposable": every_month(salary[1]),
        "salaire_de_base": every_month(salary[2]),
        "chomage_net": every_month(unemployment[0]), "chomage_imposable": every_month(unemployment[1]),
        "chomage_brut": every_month(unemployment[2]),
        "retraite_nette": every_month(pension[0]), "retraite_imposable": every_month(pension[1]),
        "retraite_brute": every_month(pension[2]),
        "pensions_invalidite": every_month(disability_pension),
        "pensions_alimentaires_percues": every_month(alimony),
        "revenus_locatifs": every_month(other),
    }


def person(birth: str, activite: str, statut_marital: str = "celibataire", scolarite: str = "inconnue",  # noqa: ANN201
           taux_incapacite: float = 0.0, rsdae: bool = False, boursier: bool = False, enceinte: bool = False,
           **income):
    return {
        # Grant holder (bourse du Crous) and pregnancy as the person says; not said is « no » here.
        "boursier": every_month(boursier), "enceinte": every_month(enceinte),
        "date_naissance": {"ETERNITY": birth},
        "activite": every_month(activite),
        "statut_marital": every_month(statut_marital),
        "scolarite": every_month(scolarite),
        "statuts_etablissement_scolaire": every_month("public"),
        "handicap": every_month(taux_incapacite >= 0.5),
        "taux_incapacite": every_month(taux_incapacite),
        "aah_restriction_substantielle_durable_acces_emploi": every_month(rsdae),
        **incomes(**income),
        # Not received before the estimated month, except the AAH over the last three months.
        "aah": before("2026-08"), "caah": before(PERIOD), "mva": before(PERIOD), "ass": before(PERIOD),
        "asi": before(PERIOD), "contrat_engagement_jeune": before(PERIOD), "bourse_criteres_sociaux": before(PERIOD),
    }


def family(parents: list[str], children: list[str] = (), isolement_recent: bool = False):  # noqa: ANN201
    return {
        "parents": list(parents), "enfants": list(children),
        "rsa_isolement_recent": every_month(isolement_recent),
        # Received: family benefits over the last 12 months; housing aid and activity bonus over 3.
        "af": before("2025-11"), "asf": before("2025-11"), "cf": before("2025-11"), "paje_base": before("2025-11"),
        "aide_logement": before("2026-08"), "ppa": before("2026-08"),
        "rsa": before(PERIOD), "aspa": before(PERIOD), "aeeh": before(PERIOD), "paje_clca": before(PERIOD),
        "paje_prepare": before(PERIOD), "bourse_college": before(PERIOD), "bourse_lycee": before(PERIOD),
    }


def home(depcom: str, statut: str, loyer: float = 0, charges: float = 0, **roles):  # noqa: ANN201
    return {
        **roles,
        "depcom": every_month(depcom), "statut_occupation_logement": every_month(statut),
        "loyer": every_month(loyer), "charges_locatives": every_month(charges),
        "aide_logement_date_pret": {"ETERNITY": "2025-11-01"},
    }


# What each contract benefit is in OpenFisca: (variable, entity, yearly).
BENEFITS = {
    "rsa": ("rsa", "familles", False), "prime_activite": ("ppa", "familles", False),
    "aide_logement": ("aide_logement", "familles", False), "aspa": ("aspa", "familles", False),
    "aah": ("aah", "individus", False), "cheque_energie": ("cheque_energie", "menages", True),
    "allocations_familiales": ("af", "familles", False), "allocation_soutien_familial": ("asf", "familles", False),
    "complement_familial": ("cf", "familles", False), "paje_base": ("paje_base", "familles", False),
    "allocation_rentree_scolaire": ("ars", "familles", True),
    "contrat_engagement_jeune": ("contrat_engagement_jeune", "individus", False),
    "bourse_college": ("bourse_college", "familles", False), "bourse_lycee": ("bourse_lycee", "familles", False),
    "bourse_enseignement_superieur": ("bourse_criteres_sociaux", "individus", False),
}


def reference_amounts(tax_benefit_system, situation: dict) -> dict[str, float | None]:
    """Each benefit of the contract, computed by plain OpenFisca, rounded to the cent.

    Computed in the reverse order of the contract's list, to show the result does not depend on it,
    with openfisca-core exactly as published (no period memoisation)."""
    with plain_periods():
        return _reference_amounts(tax_benefit_system, situation)


def _reference_amounts(tax_benefit_system, situation: dict) -> dict[str, float | None]:  # noqa: ANN001
    simulation = SimulationBuilder().build_from_entities(tax_benefit_system, situation)
    amounts: dict[str, float | None] = {}
    for benefit_id, (variable, entity, yearly) in reversed(list(BENEFITS.items())):
        values = simulation.calculate(variable, PERIOD[:4] if yearly else PERIOD)
        total = sum(round(float(value), 2) for value in values) if entity == "individus" else float(values[0])
        amounts[benefit_id] = round(total, 2)
    free = bool(simulation.calculate("cmu_c", PERIOD)[0])
    participation = round(float(simulation.calculate("css_participation_forfaitaire", PERIOD)[0]), 2)
    amounts["complementaire_sante_solidaire"] = 0.0 if free else (participation if participation > 0 else None)
    return amounts


def api_amount(benefit: dict) -> float | None:
    """The amount our API gives for a benefit whose outcome is certain."""
    return benefit["yearly_amount"] if benefit["yearly_amount"] is not None else benefit["monthly_amount"]
