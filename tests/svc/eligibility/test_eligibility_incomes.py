"""Net → taxable and gross: OpenFisca's own payroll and CSG formulas, run forward from the gross
amount we derive, give back the net amount the person told us, and our taxable amount, within two
cents (payslip amounts are in cents and contributions are rounded line by line)."""
from __future__ import annotations

import numpy as np
import pytest
from openfisca_core.simulation_builder import SimulationBuilder

from api.eligibility.incomes import EXEMPT, FULL, MEDIAN, REDUCED

MONTH = "2026-11"
NETS = np.array([150.0, 520.0, 900.0, 1234.56, 1800.0, 2400.0, 4100.0, 7300.0])


def forward(tbs, month: str, gross_variable: str, gross: np.ndarray, reference_income: float = 0.0):  # noqa: ANN001, ANN201
    count = len(gross)
    ids = [f"p{i}" for i in range(count)]
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("individu", ids)
    for key, role in (("famille", "demandeur"), ("foyer_fiscal", "declarant_principal"),
                      ("menage", "personne_de_reference")):
        entity = builder.declare_entity(key, ids)
        builder.join_with_persons(entity, ids, [role] * count)
    simulation = builder.build(tbs)
    simulation.set_input(gross_variable, month, gross)
    simulation.set_input("rfr", str(int(month[:4]) - 2), np.full(count, reference_income))
    simulation.set_input("nbptr", str(int(month[:4]) - 2), np.ones(count))
    return simulation


def test_salaries(service) -> None:  # noqa: ANN001
    converter, tbs = service.engine.converter, service.engine.tbs
    taxable, gross = converter.salary(MONTH, NETS)
    simulation = forward(tbs, MONTH, "salaire_de_base", gross)
    assert np.abs(simulation.calculate("salaire_net", MONTH) - NETS).max() <= 0.02
    assert np.abs(simulation.calculate("salaire_imposable", MONTH) - taxable).max() <= 0.02
    assert (gross > taxable).all() and (taxable > NETS).all()


def _income_in(converter, regime: int) -> float:  # noqa: ANN001
    seuils = converter.thresholds(MONTH)
    return {EXEMPT: 0.0, REDUCED: (seuils.seuil_rfr1.seuil_rfr1 + seuils.seuil_rfr2.seuil_rfr2) / 2,
            MEDIAN: (seuils.seuil_rfr2.seuil_rfr2 + seuils.seuil_rfr3.seuil_rfr3) / 2,
            FULL: seuils.seuil_rfr3.seuil_rfr3 * 3}[regime]


@pytest.mark.parametrize("regime", [EXEMPT, REDUCED, MEDIAN, FULL])
def test_pensions_in_every_csg_regime(service, regime: int) -> None:  # noqa: ANN001
    converter, tbs = service.engine.converter, service.engine.tbs
    taxable, gross = converter.pension(MONTH, NETS, np.full(len(NETS), regime))
    simulation = forward(tbs, MONTH, "retraite_brute", gross, _income_in(converter, regime))
    assert np.abs(simulation.calculate("retraite_nette", MONTH) - NETS).max() <= 0.02
    assert np.abs(simulation.calculate("retraite_imposable", MONTH) - taxable).max() <= 0.02


@pytest.mark.parametrize("regime", [EXEMPT, REDUCED, FULL])
def test_unemployment_benefits_in_every_csg_regime(service, regime: int) -> None:  # noqa: ANN001
    converter, tbs = service.engine.converter, service.engine.tbs
    taxable, gross = converter.unemployment(MONTH, NETS, np.full(len(NETS), regime))
    simulation = forward(tbs, MONTH, "chomage_brut", gross, _income_in(converter, regime))
    assert np.abs(simulation.calculate("chomage_net", MONTH) - NETS).max() <= 0.02
    assert np.abs(simulation.calculate("chomage_imposable", MONTH) - taxable).max() <= 0.02


def test_the_csg_regime_follows_openfiscas_thresholds(service) -> None:  # noqa: ANN001
    converter = service.engine.converter
    seuils = converter.thresholds(MONTH)
    first, second = seuils.seuil_rfr1.seuil_rfr1, seuils.seuil_rfr2.seuil_rfr2
    incomes = np.array([first, first + 1, second, second + 1, first + 1])
    parts = np.array([1, 1, 1, 1, 1.5])  # an extra half part raises the thresholds
    assert converter.regime(MONTH, incomes, parts).tolist() == [EXEMPT, REDUCED, REDUCED, MEDIAN, EXEMPT]
