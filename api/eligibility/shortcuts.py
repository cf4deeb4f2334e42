"""Request-independent values, computed once and set as inputs: what the request cannot change.

About a third of what OpenFisca computes for a household is about incomes the contract never asks
about (capital income, daily sickness allowances, self-employed turnover, overtime, internships,
tax boxes...): inputs nobody sets, which take their default value (zero), and formulas that only
read such inputs, which give the same value for every household. We find them with a traced simulation of varied probe households, at start-up:

- a computed (variable, period) qualifies when nothing the service sets appears anywhere among
  its dependencies;
- and when it takes one single value across all the probes (this rules out what depends only on
  the household's composition, such as the number of parents).

Their values are then written into every batch simulation before it runs, so their formulas never
run again. The reference tests compare the result with plain OpenFisca, without this.
"""
from __future__ import annotations

import logging
import time

import numpy as np

from api.eligibility.situation import Household, Person

log = logging.getLogger("api.eligibility")


def probe_households(period: str) -> list[Household]:
    """Varied households: every composition, housing status, activity and territory the contract allows."""
    def adult(age: int, activity: str = "inactif", student: bool = False, rate: float | None = None,
              restriction: bool = False, pregnant: bool = False, grant: bool = False, turnover: float = 0.0,
              kind: str | None = None, **incomes: float) -> Person:
        return Person(age, True, activity, dict(incomes), rate, student, None, restriction, pregnant, grant, turnover,
                      kind)

    def child(age: int, school: str) -> Person:
        return Person(age, False, "enfant", school=school)

    kids = [child(0, "creche"), child(4, "maternelle"), child(8, "primaire"), child(12, "college"),
            child(16, "lycee"), child(19, "superieur"), child(18, "aucune")]
    return [
        Household(period, "54395", "locataire", 450, 50, [adult(35, "salarie", salary=900)]),
        Household(period, "75056", "proprietaire", 0, 0, [adult(70, "retraite", pension=700),
                                                          adult(68, "retraite", pension=300)], couple_type="marie"),
        Household(period, "69123", "heberge", 0, 0, [adult(45, rate=0.85, disability_pension=300)]),
        Household(period, "69123", "locataire", 500, 0, [adult(45, rate=0.6, restriction=True)]),
        Household(period, "33063", "locataire_meuble", 420, 30, [adult(20, "etudiant", True, salary=400)]),
        Household(period, "13055", "sans_domicile", 0, 0, [adult(19)]),
        Household(period, "59350", "logement_social", 520, 80,
                  [adult(40, "salarie", salary=1500), adult(38, "chomeur", unemployment=900)], kids,
                  couple_type="union_libre"),
        Household(period, "97411", "accedant", 600, 0, [adult(33, "independant", salary=1200, other=200)],
                  [child(5, "maternelle")]),
        Household(period, "97608", "locataire", 300, 0, [adult(30, "salarie", salary=700)], [child(1, "creche")]),
        Household(period, "2A004", "foyer", 350, 0, [adult(23, "chomeur", unemployment=600)]),
        Household(period, "54395", "locataire", 700, 50, [adult(50, "chomeur", unemployment=1900, alimony=300)],
                  [child(10, "primaire"), child(14, "college")], single_parent_recent=True),
        Household(period, "31555", "locataire", 900, 60,
                  [adult(62, "salarie", salary=4200, pension=500), adult(17, "salarie", salary=600)],
                  [child(3, "maternelle")], couple_type="pacse"),
        # The contract's optional facts: a pregnancy, a student's grant, a micro-enterprise, an invalidity card.
        Household(period, "54395", "locataire", 400, 30, [adult(24, pregnant=True)]),
        Household(period, "33063", "locataire_meuble", 380, 20, [adult(21, "etudiant", True, grant=True, salary=300)]),
        Household(period, "69123", "locataire", 650, 50,
                  [adult(45, "independant", turnover=1400, kind="bnc"), adult(47, rate=0.85, disability_pension=200)],
                  [child(6, "primaire")], couple_type="marie"),
        Household(period, "87085", "proprietaire", 0, 0, [adult(67, "retraite", turnover=300, kind="bic_vente",
                                                                pension=900)]),
    ]


class Shortcuts:
    """Per estimated month: {(variable, Period): scalar value} of request-independent computations."""

    def __init__(self) -> None:
        self.by_month: dict[str, dict[tuple[str, str], object]] = {}

    def for_month(self, engine, month: str) -> dict:  # noqa: ANN001
        if month not in self.by_month:
            self.by_month[month] = self._find(engine, month)
        return self.by_month[month]

    @staticmethod
    def _find(engine, month: str) -> dict:  # noqa: ANN001
        from api.eligibility.engine import OUTPUTS
        from api.eligibility.situation import build_inputs

        started = time.perf_counter()
        households = probe_households(month)
        simulation, _ = engine.build(households, optimised=False)
        inputs, _, _ = build_inputs(households, engine.converter)
        set_by_us = {variable for variable, _ in inputs.values}
        simulation.trace = True
        for output in OUTPUTS:
            simulation.calculate(output.variable, output.period(month))
        depends_on_input: dict[tuple[str, str], bool] = {}

        def visit(node) -> bool:  # noqa: ANN001
            key = (node.name, str(node.period))
            if key not in depends_on_input:
                depends_on_input[key] = node.name in set_by_us  # provisional, breaks cycles
                found = node.name in set_by_us
                for child in node.children:
                    found = visit(child) or found
                depends_on_input[key] = found
            return depends_on_input[key]

        for tree in simulation.tracer.trees:
            visit(tree)
        variables = engine.tbs.variables
        tainted = {name for (name, _), depends in depends_on_input.items() if depends}
        constants: dict = {}
        for (name, period), depends in depends_on_input.items():
            variable = variables[name]
            if name in tainted or variable.definition_period == "eternity":
                continue
            array = simulation.get_holder(name).get_array(_parse(period))
            if array is None or len(array) == 0:
                continue
            values = np.asarray(array)
            if not np.all(values == values[0]):
                continue
            constants[(name, _parse(period))] = values[0]
        log.info("%d request-independent values found in %.1f s", len(constants), time.perf_counter() - started)
        return constants


def _parse(period: str):  # noqa: ANN202
    from openfisca_core import periods

    return periods.period(period)
