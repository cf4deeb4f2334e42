"""The engine's speed-ups change nothing: on varied households, the optimised simulation (shortcuts,
fast paths) gives exactly what a plain simulation of the same inputs gives; no formula ever meets
a quasi-circular definition (results would then depend on the order of computation)."""
from __future__ import annotations

from openfisca_core import periods
from openfisca_core.simulations import Simulation

from api.eligibility.shortcuts import probe_households
from api.eligibility.speed import FastSimulation, plain_periods


def test_optimised_and_plain_simulations_agree(service) -> None:  # noqa: ANN001
    households = probe_households("2026-11")
    optimised = service.engine.simulate(households)
    with plain_periods():
        plain = service.engine.simulate(households, optimised=False)
    assert optimised == plain


def test_the_optimised_path_is_the_one_used(service) -> None:  # noqa: ANN001
    simulation, _ = service.engine.build(probe_households("2026-11")[:2])
    assert isinstance(simulation, FastSimulation) and simulation._constants
    plain, _ = service.engine.build(probe_households("2026-11")[:2], optimised=False)
    assert type(plain) is Simulation


def test_no_quasi_circular_definition_is_met(service, monkeypatch) -> None:  # noqa: ANN001
    met: list[str] = []
    original = Simulation.invalidate_spiral_variables

    def spy(self, variable):  # noqa: ANN001, ANN202
        met.append(variable)
        return original(self, variable)

    monkeypatch.setattr(Simulation, "invalidate_spiral_variables", spy)
    for month in ("2026-11", "2026-04"):
        service.engine.simulate(probe_households(month))
    assert met == []


def test_plain_periods_restores_openfisca_core_arithmetic() -> None:
    memoised = periods.Period.__dict__["offset"]
    with plain_periods():
        assert periods.Period.__dict__["offset"] is not memoised
        assert periods.period("2026-11").offset(-1, "month") == periods.period("2026-10")
    assert periods.Period.__dict__["offset"] is memoised
