"""Where OpenFisca-France 176.1.8 departs from the law, corrected when the tax-benefit system loads.

Each correction replaces one variable with a formula that follows the legal text, cites it, and has
a reference test (tests/svc/eligibility/test_eligibility_corrections.py) and a minimal upstream test
case (docs/openfisca-upstream/). Remove a correction once OpenFisca-France ships the fix.

- `abat_spe`, the deduction of art. 157 bis of the tax code for people of 65 or more or holding an
  invalidity card. OpenFisca reads the age on 1 January of the tax year instead of 31 December, and
  adds the two spouses' conditions as booleans (numpy: `True + True` is `True`), so a couple where
  both qualify gets the deduction once instead of twice. The reference income (revenu fiscal de
  référence) then comes out too high: modest pensioners lose half or more of the chèque énergie,
  and everything else that reads the reference income (CSG rate, grants) is affected too.
"""
from __future__ import annotations

import numpy as np
from openfisca_core.model_api import YEAR, Reform, Variable, min_
from openfisca_france.entities import FoyerFiscal

AGE = 65  # « âgés de plus de 65 ans au 31 décembre de l'année d'imposition »: 65 reached during the year


class abat_spe(Variable):  # noqa: N801 - OpenFisca's name
    value_type = float
    entity = FoyerFiscal
    label = "Abattements spéciaux (personnes âgées ou invalides, enfants mariés rattachés)"
    reference = [
        "Article 157 bis du code général des impôts",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000047622555",
        "BOFiP, abattement en faveur des personnes âgées ou invalides",
        "https://bofip.impots.gouv.fr/bofip/2036-PGP.html",
    ]
    definition_period = YEAR

    def formula(foyer_fiscal, period, parameters):  # noqa: ANN001, ANN201, N805
        # 65 or more on 31 December of the tax year: born in year Y - 65 or before.
        born_before = np.datetime64(f"{period.start.year - AGE + 1}-01-01")
        declarant_born = foyer_fiscal.declarant_principal("date_naissance", period)
        spouse_born = foyer_fiscal.conjoint("date_naissance", period)
        has_spouse = foyer_fiscal.nb_persons(FoyerFiscal.DECLARANT) > 1
        declarant = (declarant_born < born_before) | foyer_fiscal("caseP", period)
        spouse = has_spouse & ((spouse_born < born_before) | foyer_fiscal("caseF", period))
        # « Ces déductions sont doublées si le conjoint du contribuable remplit également ces conditions. »
        entitled = declarant.astype(int) + spouse.astype(int)
        revenu_net_global = foyer_fiscal("rng", period)
        abattements = parameters(period).impot_revenu.calcul_revenus_imposables.abat_rni
        age_ou_invalidite = entitled * abattements.contribuable_age_invalide.calc(revenu_net_global)
        enfants_maries = foyer_fiscal("nbN", period) * abattements.enfant_marie
        return min_(revenu_net_global, age_ou_invalidite + enfants_maries)


CORRECTED_VARIABLES = (abat_spe,)


def apply_corrections(tax_benefit_system) -> None:  # noqa: ANN001
    """Replace each corrected variable in a loaded tax-benefit system (before any simulation)."""
    for variable in CORRECTED_VARIABLES:
        tax_benefit_system.replace_variable(variable)


class LawCorrections(Reform):
    """The same corrections as an OpenFisca reform, for `openfisca test --reforms`
    (see docs/openfisca-upstream/README.md)."""
    name = "Corrections of OpenFisca-France 176.1.8 applied by the eligibility service"

    def apply(self) -> None:
        apply_corrections(self)
