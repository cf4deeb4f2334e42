"""Net incomes → the taxable and gross amounts OpenFisca formulas read.

People know what lands on their bank account (net). Benefit formulas also read the taxable
amount (housing aid, income tax, hence the "revenu fiscal de référence") and sometimes the gross
one (ASPA). We never approximate these with a fixed ratio: at start-up, one vectorised OpenFisca
simulation computes net and taxable amounts for a grid of gross amounts, for every month of the
history and every CSG regime; we then invert by linear interpolation (the relation is piecewise
linear; contributions rounded line by line and a gross amount in cents leave at most two cents
of difference on the net amount). Each kind of income is calibrated alone: for someone with both
a salary and unemployment benefit the same month, the unemployment CSG floor is approximate.

Replacement incomes (unemployment, pensions) pay CSG at a rate set by the tax household's
reference income two years before (exempt, reduced, median, full). With incomes stable over the
years, we estimate that reference income from the household's own taxable incomes, with the
standard 10 % deductions, and pick the regime with OpenFisca's own thresholds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# CSG regimes of replacement incomes, in the order of OpenFisca's enums.
EXEMPT, REDUCED, MEDIAN, FULL = 0, 1, 2, 3
REGIMES = (EXEMPT, REDUCED, MEDIAN, FULL)

_GRID = np.unique(np.concatenate([
    np.arange(0.0, 4000.0, 20.0),
    np.arange(4000.0, 20000.0, 50.0),
    np.arange(20000.0, 60001.0, 500.0),
]))
_KINDS = ("salaire_de_base", "chomage_brut", "retraite_brute")  # one income per calibration person


@dataclass(frozen=True, eq=False)
class _MonthTables:
    salary_net: np.ndarray
    salary_taxable: np.ndarray
    unemployment_net: np.ndarray  # [regime, grid]
    unemployment_taxable: np.ndarray
    pension_net: np.ndarray
    pension_taxable: np.ndarray


class IncomeConverter:
    """Built once from the tax-benefit system; converts net monthly amounts for any month calibrated."""

    def __init__(self, tax_benefit_system, months: list[str]) -> None:
        self.tbs = tax_benefit_system
        self.tables: dict[str, _MonthTables] = {}
        self._thresholds: dict[str, object] = {}
        self._deductions: dict[int, object] = {}
        self._micro: dict[int, object] = {}
        self._age_deductions: dict[int, object] = {}
        self.calibrate(months)

    def thresholds(self, month: str):  # noqa: ANN201
        """CSG thresholds of replacement incomes in force that month (cached: parameters are slow)."""
        if month not in self._thresholds:
            node = self.tbs.parameters.prelevements_sociaux.contributions_sociales.csg.remplacement.seuils
            self._thresholds[month] = node(f"{month}-01")
        return self._thresholds[month]

    def deductions(self, year: int):  # noqa: ANN201
        if year not in self._deductions:
            node = self.tbs.parameters.impot_revenu.calcul_revenus_imposables.deductions
            self._deductions[year] = node(f"{year}-01-01")
        return self._deductions[year]

    def micro(self, year: int):  # noqa: ANN201
        if year not in self._micro:
            node = self.tbs.parameters.impot_revenu.calcul_revenus_imposables.rpns.micro.microentreprise
            self._micro[year] = node(f"{year}-01-01")
        return self._micro[year]

    def micro_taxable(self, year: int, turnover: float, kind: str) -> float:
        """Taxable profit of a micro-enterprise (no « versement libératoire »): the turnover minus the
        flat allowance of its kind (art. 50-0 and 102 ter of the tax code), at least the minimum."""
        micro = self.micro(year)
        scheme = {"bic_vente": micro.regime_micro_bic.marchandises, "bic_services": micro.regime_micro_bic.services,
                  "bnc": micro.regime_micro_bnc}[kind]
        allowance = min(turnover, max(scheme.taux * min(scheme.plafond, turnover), micro.montant_minimum))
        return max(0.0, turnover - allowance)

    def age_deduction(self, year: int):  # noqa: ANN201
        """The scale of art. 157 bis of the tax code (65 or more, or an invalidity card) for a tax year."""
        if year not in self._age_deductions:
            node = self.tbs.parameters.impot_revenu.calcul_revenus_imposables.abat_rni.contribuable_age_invalide
            self._age_deductions[year] = node(f"{year}-01-01")
        return self._age_deductions[year]

    # ----- calibration -----
    def calibrate(self, months: list[str]) -> None:
        missing = sorted(set(months) - self.tables.keys())
        if not missing:
            return
        from openfisca_core.simulation_builder import SimulationBuilder

        grid_size = len(_GRID)
        block = grid_size * len(REGIMES)  # persons of one income kind
        count = block * len(_KINDS)
        ids = [f"p{k}" for k in range(count)]
        builder = SimulationBuilder()
        builder.create_entities(self.tbs)
        builder.declare_person_entity("individu", ids)
        for key, role in (("famille", "demandeur"), ("foyer_fiscal", "declarant_principal"),
                          ("menage", "personne_de_reference")):
            entity = builder.declare_entity(key, ids)
            builder.join_with_persons(entity, ids, [role] * count)
        simulation = builder.build(self.tbs)
        regime_of_person = np.tile(np.repeat(np.array(REGIMES), grid_size), len(_KINDS))
        simulation.set_input("date_naissance", "ETERNITY",
                             np.full(count, np.datetime64("1970-01-01"), dtype="datetime64[D]"))
        years = sorted({int(month[:4]) for month in missing})
        for year in years:
            # The CSG regime of year Y depends on the reference income of Y-2: force it.
            rfr = self._reference_income_for_regimes(f"{year}-06")
            simulation.set_input("rfr", str(year - 2), rfr[regime_of_person])
            simulation.set_input("nbptr", str(year - 2), np.ones(count, dtype=np.float32))
        gross_of_kind = {}
        for position, variable in enumerate(_KINDS):
            values = np.zeros(count)
            values[position * block:(position + 1) * block] = np.tile(_GRID, len(REGIMES))
            gross_of_kind[variable] = values
        for month in missing:
            for variable, values in gross_of_kind.items():
                simulation.set_input(variable, month, values)
        previous = None
        for month in missing:
            def by_regime(variable: str, kind: str) -> np.ndarray:
                position = _KINDS.index(kind)
                values = np.asarray(simulation.calculate(variable, month), dtype=np.float64)
                return values[position * block:(position + 1) * block].reshape(len(REGIMES), grid_size)
            tables = _MonthTables(
                salary_net=by_regime("salaire_net", "salaire_de_base")[0],
                salary_taxable=by_regime("salaire_imposable", "salaire_de_base")[0],
                unemployment_net=by_regime("chomage_net", "chomage_brut"),
                unemployment_taxable=by_regime("chomage_imposable", "chomage_brut"),
                pension_net=by_regime("retraite_nette", "retraite_brute"),
                pension_taxable=by_regime("retraite_imposable", "retraite_brute"),
            )
            # Months with the same rates share one table object, so conversions can be reused.
            if previous is not None and _same(previous, tables):
                tables = previous
            self.tables[month] = previous = tables

    def _reference_income_for_regimes(self, month: str) -> np.ndarray:
        """A reference income that falls inside each regime, for a one-part tax household."""
        seuils = self.thresholds(month)
        first, second, third = seuils.seuil_rfr1.seuil_rfr1, seuils.seuil_rfr2.seuil_rfr2, seuils.seuil_rfr3.seuil_rfr3
        return np.array([0.0, (first + second) / 2, (second + third) / 2, third * 2], dtype=np.float32)

    # ----- conversion -----
    def salary(self, month: str, net: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(taxable, gross) for net monthly salaries."""
        tables = self.tables[month]
        return (_invert(net, tables.salary_net, tables.salary_taxable),
                _invert(net, tables.salary_net, _GRID))

    def unemployment(self, month: str, net: np.ndarray, regime: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tables = self.tables[month]
        return self._by_regime(net, regime, tables.unemployment_net, tables.unemployment_taxable)

    def pension(self, month: str, net: np.ndarray, regime: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tables = self.tables[month]
        return self._by_regime(net, regime, tables.pension_net, tables.pension_taxable)

    @staticmethod
    def _by_regime(net, regime, net_table, taxable_table) -> tuple[np.ndarray, np.ndarray]:
        taxable = np.zeros(len(net))
        gross = np.zeros(len(net))
        for value in REGIMES:
            mask = regime == value
            if mask.any():
                taxable[mask] = _invert(net[mask], net_table[value], taxable_table[value])
                gross[mask] = _invert(net[mask], net_table[value], _GRID)
        return taxable, gross

    # ----- CSG regime of replacement incomes -----
    def regime(self, month: str, reference_income: np.ndarray, tax_parts: np.ndarray) -> np.ndarray:
        """OpenFisca's rule (csg_deductible_retraite): thresholds grow with each extra half part."""
        seuils = self.thresholds(month)
        extra_halves = (tax_parts - 1) * 2
        exempt = seuils.seuil_rfr1.seuil_rfr1 + extra_halves * seuils.seuil_rfr1.demi_part_suppl_rfr1
        reduced = seuils.seuil_rfr2.seuil_rfr2 + extra_halves * seuils.seuil_rfr2.demi_part_suppl_rfr2
        median = seuils.seuil_rfr3.seuil_rfr3 + extra_halves * seuils.seuil_rfr3.demi_part_suppl_rfr3
        return np.select([reference_income <= exempt, reference_income <= reduced, reference_income <= median],
                         [EXEMPT, REDUCED, MEDIAN], FULL)

    def estimated_reference_income(self, year: int, earned: np.ndarray, pensions: np.ndarray,
                                   other: np.ndarray, age_deductions: np.ndarray | None = None) -> np.ndarray:
        """Yearly taxable amounts of a tax household → its reference income, with standard deductions.

        `earned` (salaries and unemployment) and `pensions` are arrays of shape [foyer, member]; `other`
        is the rest of the foyer's taxable income (property, micro-enterprise profit). Deductions: 10 %
        with a floor and a ceiling per person for earned income, and per household ceiling for pensions
        (article 158 of the tax code); then, for each person of 65 or more or with an invalidity card
        (`age_deductions` of each foyer), the deduction of article 157 bis.
        """
        deductions = self.deductions(year)
        pro = deductions.abatpro
        earned_deduction = np.where(earned > 0, np.clip(earned * pro.taux, pro.min, pro.max), 0.0)
        earned_deduction = np.minimum(earned_deduction, earned)
        pen = deductions.abatpen
        pension_deduction = np.where(pensions > 0, np.maximum(pensions * pen.taux, pen.min), 0.0)
        pension_deduction = np.minimum(pension_deduction, pensions)
        pension_deduction_total = np.minimum(pension_deduction.sum(axis=1), pen.max)
        net = (earned - earned_deduction).sum(axis=1) + pensions.sum(axis=1) - pension_deduction_total + other
        if age_deductions is None or not np.any(age_deductions):
            return net
        deduction = np.asarray(age_deductions) * self.age_deduction(year).calc(np.maximum(net, 0.0))
        return np.maximum(net - deduction, 0.0)


def _same(first: _MonthTables, second: _MonthTables) -> bool:
    return all(np.array_equal(getattr(first, name), getattr(second, name)) for name in first.__dataclass_fields__)


def _invert(net: np.ndarray, net_table: np.ndarray, target_table: np.ndarray) -> np.ndarray:
    """Interpolate `target` at `net` on a monotonic table; rounded to the cent."""
    order = np.argsort(net_table, kind="stable")
    return np.round(np.interp(np.asarray(net, dtype=np.float64), net_table[order], target_table[order]), 2)
