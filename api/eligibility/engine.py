"""OpenFisca-France, loaded and warmed once; one vectorised simulation per batch of households."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from importlib.metadata import version

import numpy as np

from api.eligibility.benefits import latest_parameter_dates
from api.eligibility.incomes import IncomeConverter
from api.eligibility.overlays import Overlay, apply_overlays, read_overlays
from api.eligibility.shortcuts import Shortcuts
from api.eligibility.speed import memoize_periods, speed_up
from api.eligibility.situation import BatchIndex, Household, Periods, SimulationInputs, build_inputs

log = logging.getLogger("api.eligibility")


@dataclass(frozen=True)
class Output:
    variable: str
    entity: str  # famille, menage, individu, foyer_fiscal
    when: str = "month"  # month, year, or year_n2 (two years before)

    def period(self, month: str) -> str:
        if self.when == "month":
            return month
        return str(int(month[:4]) - (2 if self.when == "year_n2" else 0))


# What we read back for each household: the 16 benefits and what `why` needs.
OUTPUTS = (
    Output("rsa", "famille"), Output("ppa", "famille"),
    Output("aide_logement", "famille"), Output("apl", "famille"), Output("als", "famille"), Output("alf", "famille"),
    Output("aide_logement_non_calculable", "famille"),
    Output("cmu_c", "famille"), Output("css_participation_forfaitaire", "famille"),
    Output("aspa", "famille"), Output("aah", "individu"), Output("cheque_energie", "menage", "year"),
    Output("af", "famille"), Output("asf", "famille"), Output("cf", "famille"), Output("paje_base", "famille"),
    Output("ars", "famille", "year"), Output("contrat_engagement_jeune", "individu"),
    Output("bourse_college", "famille"), Output("bourse_lycee", "famille"),
    Output("bourse_criteres_sociaux", "individu"),
    # For the explanations.
    Output("rsa_eligibilite", "famille"), Output("rsa_base_ressources", "famille"), Output("rsa_socle", "famille"),
    Output("rsa_socle_majore", "famille"), Output("rsa_majore_eligibilite", "famille"),
    Output("ppa_plancher_revenu_activite_apprenant", "individu"),
    Output("css_cmu_base_ressources", "famille"), Output("cmu_c_plafond", "famille"), Output("acs_plafond", "famille"),
    Output("aide_logement_base_ressources", "famille"), Output("asi_aspa_base_ressources", "famille"),
    Output("aah_plafond_ressources_deconjugalise", "individu"),
    Output("rfr", "foyer_fiscal", "year_n2"), Output("cheque_energie_unites_consommation", "menage", "year"),
    Output("cheque_energie_eligibilite_logement", "menage", "year"),
    Output("af_nbenf", "famille"), Output("cf_base_ressources", "famille"), Output("cf_plafond", "famille"),
    Output("contrat_engagement_jeune_eligibilite", "individu"),
    Output("bourse_criteres_sociaux_echelon", "individu"),
    Output("bourse_college_echelon", "famille"), Output("bourse_lycee_echelon", "famille"),
)


@dataclass(frozen=True)
class PeriodFacts:
    """What the answers read from the parameters for a month, without simulating: the latest
    parameter date of each benefit, the top higher-education grant, the ASPA resource ceilings.
    Small and picklable: the simulation process sends them to the API process, which then needs
    no OpenFisca of its own."""
    period: str
    parameter_dates: dict[str, str]
    top_student_grant: float
    aspa_ceilings: dict[str, float]
    overlays: tuple[dict, ...] = ()  # the dated values of knowledge/parameters in force that month


class Engine:
    """Owns the tax-benefit system. `simulate` is thread-safe (one simulation at a time).

    At load, the system gets the corrections of corrections.py and the dated parameter values of
    `parameters_dir` (knowledge/parameters, see overlays.py)."""

    def __init__(self, parameters_dir=None) -> None:  # noqa: ANN001
        self.parameters_dir = parameters_dir
        self.overlays: list[Overlay] = []  # applied
        self.tbs = None
        self.converter: IncomeConverter | None = None
        self.versions: dict[str, str] = {}
        self.shortcuts = Shortcuts()
        self._lock = threading.Lock()
        self._facts: dict[str, PeriodFacts] = {}

    def facts(self, period: str) -> PeriodFacts:
        with self._lock:
            if period not in self._facts:
                benefits = self.tbs.parameters.prestations_sociales
                grants = benefits.education.bourses.enseignement_superieur.criteres_sociaux.montants(f"{period}-01")
                aspa = benefits.solidarite_insertion.minimum_vieillesse.aspa.plafond_ressources(f"{period}-01")
                in_force = tuple(o.public() for o in self.overlays if o.start <= f"{period}-31")
                self._facts[period] = PeriodFacts(
                    period, latest_parameter_dates(self.tbs, period), float(max(grants.amounts)),
                    {"personnes_seules": float(aspa.personnes_seules), "couples": float(aspa.couples)}, in_force)
            return self._facts[period]

    def load(self, period: str) -> None:
        from openfisca_france import FranceTaxBenefitSystem

        from api.eligibility.corrections import apply_corrections

        started = time.perf_counter()
        overlays = read_overlays(self.parameters_dir)  # a broken file stops here, before the long load
        tbs = FranceTaxBenefitSystem()
        apply_corrections(tbs)
        self.overlays = apply_overlays(tbs, overlays)
        self.tbs = tbs
        memoize_periods()
        self.converter = IncomeConverter(self.tbs, list(Periods.of(period).history))
        self.versions = {"openfisca-france": version("openfisca-france"), "openfisca-core": version("openfisca-core")}
        self.shortcuts.for_month(self, period)
        log.info("OpenFisca-France %s loaded in %.1f s", self.versions["openfisca-france"],
                 time.perf_counter() - started)

    def build(self, households: list[Household], optimised: bool = True):  # noqa: ANN201
        """One simulation for `households` (all of the same month), inputs set, nothing computed yet.

        `optimised=False` gives a plain simulation: no request-independent shortcut, no fast path."""
        from openfisca_core.simulation_builder import SimulationBuilder

        inputs, index, structure = build_inputs(households, self.converter)
        builder = SimulationBuilder()
        builder.create_entities(self.tbs)
        builder.declare_person_entity("individu", structure["person_ids"])
        for key in ("famille", "foyer_fiscal", "menage"):
            membership, roles, size = structure[key]
            entity = builder.declare_entity(key, [f"{key}{i}" for i in range(size)])
            builder.join_with_persons(entity, [f"{key}{i}" for i in membership], roles)
        simulation = builder.build(self.tbs)
        _feed(simulation, inputs)
        if optimised:
            speed_up(simulation, self.shortcuts.for_month(self, households[0].period))
        return simulation, index

    def simulate(self, households: list[Household], optimised: bool = True) -> list[dict]:
        """Every output of OUTPUTS for each household, as plain Python values."""
        with self._lock:
            simulation, index = self.build(households, optimised)
            period = households[0].period
            arrays = {}
            for output in OUTPUTS:
                arrays[output.variable] = simulation.calculate(output.variable, output.period(period))
        return _split(arrays, index, households)


_PERIODS: dict[str, object] = {}


def _period(text: str):  # noqa: ANN202
    """Parsed periods, cached: parsing a period string costs more than setting an input."""
    if text not in _PERIODS:
        from openfisca_core import periods

        _PERIODS[text] = periods.period(text)
    return _PERIODS[text]


def _feed(simulation, inputs: SimulationInputs) -> None:  # noqa: ANN001
    """Write the inputs straight into the holders' storage.

    Same checks and casts as `Simulation.set_input` (length, dtype, enum encoding, period unit),
    done once per array: the same array often serves every month of the history."""
    cast: dict[tuple[str, int], np.ndarray] = {}
    holders: dict = {}
    for (variable_name, period_text), value in inputs.values.items():
        holder = holders.get(variable_name)
        if holder is None:
            holder = holders[variable_name] = simulation.get_holder(variable_name)
        variable = holder.variable
        period = _period("eternity" if holder._eternal else period_text)
        if not holder._eternal and (period.unit != variable.definition_period or period.size != 1):
            raise ValueError(f"{variable_name} cannot be set for {period_text}")
        if variable.end is not None and period.start.date > variable.end:
            continue
        key = (variable_name, id(value))
        array = cast.get(key)
        if array is None:
            array = cast[key] = holder._to_array(value)
        holder._memory_storage._arrays[period] = array


def _split(arrays: dict, index: BatchIndex, households: list[Household]) -> list[dict]:
    values = {}
    for name, array in arrays.items():
        values[name] = array.decode_to_str().tolist() if hasattr(array, "decode_to_str") else array.tolist()
    results = []
    for h_index in range(len(households)):
        result = {}
        persons, foyers = index.persons[h_index], index.foyers[h_index]
        for output in OUTPUTS:
            column = values[output.variable]
            if output.entity == "individu":
                result[output.variable] = [column[i] for i in persons]
            elif output.entity == "foyer_fiscal":
                result[output.variable] = [column[i] for i in foyers]
            else:
                result[output.variable] = column[index.famille[h_index] if output.entity == "famille"
                                                 else index.menage[h_index]]
        results.append(result)
    return results


