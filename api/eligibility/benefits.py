"""The 16 benefits of the contract: which OpenFisca result gives each amount, and which
parameter scale it relies on (for `computed_with` and the warning on old scales)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from api.eligibility.situation import Household

C2S = "complementaire_sante_solidaire"


def _cents(value: float) -> float:
    """OpenFisca computes in float32: round to the cent what it gives."""
    return round(float(value) + 0.0, 2)


@dataclass(frozen=True)
class BenefitSpec:
    id: str
    yearly: bool
    parameters: tuple[str, ...]  # OpenFisca parameter nodes of its scale
    # (OpenFisca's results, the household) → the amount; None: not eligible (only for C2S, where 0 means free)
    amount: Callable[..., float | None]


def _c2s(result: dict, household: Household | None = None) -> float | None:
    if result["cmu_c"]:
        return 0.0
    participation = _cents(result["css_participation_forfaitaire"])
    return participation if participation > 0 else None


def _family(variable: str) -> Callable[..., float]:
    return lambda result, household=None: _cents(result[variable])


def _persons(variable: str) -> Callable[..., float]:
    return lambda result, household=None: _cents(sum(_cents(value) for value in result[variable]))


def _cej(result: dict, household: Household | None = None) -> float:
    """The CEJ allowance is not paid to a person entitled to the RSA nor to their partner, only to
    the RSA household's dependants (code du travail, R.5131-24, I). OpenFisca checks the RSA of the
    three months before only, which the service sets to zero (the person does not claim it yet): an
    adult of a household entitled to the RSA this month is not announced the allowance."""
    allowances = result["contrat_engagement_jeune"]
    if _cents(result["rsa"]) > 0:
        adults = len(household.adults) if household is not None else len(allowances)
        allowances = [0.0] * adults + list(allowances[adults:])
    return _cents(sum(_cents(value) for value in allowances))


_SOCIAL = "prestations_sociales."
_FAMILY = _SOCIAL + "prestations_familiales."
SPECS: tuple[BenefitSpec, ...] = (
    BenefitSpec("rsa", False, (_SOCIAL + "solidarite_insertion.minima_sociaux.rsa",), _family("rsa")),
    BenefitSpec("prime_activite", False, (_SOCIAL + "solidarite_insertion.minima_sociaux.ppa",), _family("ppa")),
    BenefitSpec("aide_logement", False, (_SOCIAL + "aides_logement.allocations_logement",), _family("aide_logement")),
    BenefitSpec(C2S, False, (_SOCIAL + "solidarite_insertion.minima_sociaux.cs",), _c2s),
    BenefitSpec("aspa", False, (_SOCIAL + "solidarite_insertion.minimum_vieillesse.aspa",), _family("aspa")),
    BenefitSpec("aah", False, (_SOCIAL + "prestations_etat_de_sante.invalidite.aah",), _persons("aah")),
    BenefitSpec("cheque_energie", True, (_SOCIAL + "solidarite_insertion.autre_solidarite.cheque_energie",),
                _family("cheque_energie")),
    BenefitSpec("allocations_familiales", False, (_FAMILY + "prestations_generales.af", _FAMILY + "bmaf"),
                _family("af")),
    BenefitSpec("allocation_soutien_familial", False,
                (_FAMILY + "education_presence_parentale.asf", _FAMILY + "bmaf"), _family("asf")),
    BenefitSpec("complement_familial", False, (_FAMILY + "prestations_generales.cf", _FAMILY + "bmaf"),
                _family("cf")),
    BenefitSpec("paje_base", False, (_FAMILY + "petite_enfance.paje", _FAMILY + "bmaf"), _family("paje_base")),
    BenefitSpec("allocation_rentree_scolaire", True, (_FAMILY + "education_presence_parentale.ars", _FAMILY + "bmaf"),
                _family("ars")),
    BenefitSpec("contrat_engagement_jeune", False, (_SOCIAL + "education.contrat_engagement_jeune",), _cej),
    # OpenFisca's school grants are monthly variables holding the amount of the whole school year.
    BenefitSpec("bourse_college", True, (_SOCIAL + "education.bourses.bourses_education",), _family("bourse_college")),
    BenefitSpec("bourse_lycee", True, (_SOCIAL + "education.bourses.bourses_education",), _family("bourse_lycee")),
    BenefitSpec("bourse_enseignement_superieur", False, (_SOCIAL + "education.bourses.enseignement_superieur",),
                _persons("bourse_criteres_sociaux")),
)
SPEC_BY_ID = {spec.id: spec for spec in SPECS}
BENEFIT_IDS = tuple(spec.id for spec in SPECS)


def latest_parameter_dates(tax_benefit_system, month: str) -> dict[str, str]:
    """For each benefit, the start date of the most recent value of its scale in force at `month`."""
    from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale

    limit = f"{month}-31"

    def latest(node) -> str:  # noqa: ANN001
        if isinstance(node, Parameter):
            return max((v.instant_str for v in node.values_list if v.instant_str <= limit), default="")
        if isinstance(node, ParameterScale):
            found = ""
            for bracket in node.brackets:
                for child in bracket.children.values():
                    found = max(found, latest(child))
            return found
        if isinstance(node, ParameterNode):
            return max((latest(child) for child in node.children.values()), default="")
        return ""

    dates = {}
    for spec in SPECS:
        found = ""
        for path in spec.parameters:
            node = tax_benefit_system.parameters
            for part in path.split("."):
                node = node.children[part]
            found = max(found, latest(node))
        dates[spec.id] = found
    return dates
