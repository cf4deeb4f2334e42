"""`why`: one short French sentence per benefit saying which condition was met or failed.

The sentences are templates in knowledge/benefits.yml (editable by non-developers); this module only
picks the template that applies and fills in the figures.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from api.eligibility.situation import Household, Person
from knowledge.french import de


def euros(amount: float) -> str:
    """1234.5 → « 1 234,50 € »; whole amounts without cents."""
    amount = round(float(amount), 2)
    text = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return text.replace(",", " ").replace(".", ",") + " €"


@dataclass
class Outcome:
    status: str  # eligible, not_eligible, uncertain
    amount: float | None  # certain amount (monthly or yearly), None when uncertain or not eligible (C2S)
    low: float | None = None
    high: float | None = None
    depends: tuple[str, ...] = ()  # labels of the fields the amount depends on
    implicit: tuple[str, ...] = ()  # implicit uncertainties involved: rsdae, alimony, parents
    fields: tuple[str, ...] = ()  # the contract's names of those fields (the response's `depends_on`)


class Explainer:
    def __init__(self, texts: dict, aspa_ceilings: dict[str, float]) -> None:
        self.texts = texts
        self.aspa_ceilings = aspa_ceilings  # yearly ceilings: personnes_seules, couples

    def why(self, benefit_id: str, outcome: Outcome, result: dict, household: Household) -> str:
        templates = self.texts[benefit_id]["why"]
        if outcome.status == "uncertain":
            return self._uncertain(benefit_id, templates, outcome)
        key, values = getattr(self, f"_{benefit_id}")(outcome, result, household)
        return _singular_below_two(templates[key].format(**values).strip())

    # ----- uncertain -----
    def _uncertain(self, benefit_id: str, templates: dict, outcome: Outcome) -> str:
        parts = []
        if "rsdae" in outcome.implicit and benefit_id == "aah":
            parts.append(templates["work_restriction"].strip())
        if "alimony" in outcome.implicit and benefit_id == "allocation_soutien_familial":
            parts.append(templates["alimony_unknown"].strip())
        if "parents" in outcome.implicit:
            parts.append(templates["parents_income"].strip())
        if "foyer" in outcome.implicit:
            parts.append(templates["foyer"].strip())
        if outcome.low is not None and outcome.high is not None and outcome.depends:
            if round(outcome.low) == round(outcome.high):
                # Whether it is due depends on the field, not how much: never « de 0 € à 0 € ».
                first = templates["uncertain"].split(". ")[0].rstrip(".") + "."
                parts.append(depends_sentence(first, outcome.depends))
                per = "par an" if self.texts[benefit_id].get("period") == "year" else "par mois"
                parts.append("Si vous y avez droit, elle est gratuite." if outcome.high == 0 else
                             f"Si vous y avez droit, le montant est de {euros(outcome.low)} {per}.")
            else:
                parts.append(depends_sentence(templates["uncertain"], outcome.depends, low=euros(outcome.low),
                                              high=euros(outcome.high)))
        return " ".join(parts)

    # ----- one method per benefit: (template key, placeholders) -----
    def _rsa(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        guaranteed = result["rsa_socle_majore"] if result["rsa_majore_eligibilite"] else result["rsa_socle"]
        values = {"resources": euros(result["rsa_base_ressources"]), "guaranteed": euros(guaranteed)}
        if outcome.status == "eligible":
            return "eligible", values
        if not result["rsa_eligibilite"]:
            has_child = bool(household.children)
            if any(a.student or a.activity == "etudiant" for a in household.adults) and not has_child:
                return "student", values
            return "too_young", values
        return "income_too_high", values

    def _prime_activite(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        if outcome.status == "eligible":
            return "eligible", {}
        earners = [a for a in household.adults if a.incomes.get("salary", 0) > 0]
        if not earners:
            return "no_work_income", {}
        if all(a.age < 18 for a in earners):
            return "too_young", {}
        students = [i for i, a in enumerate(household.adults) if a.student and a.incomes.get("salary", 0) > 0]
        if students:
            floor = result["ppa_plancher_revenu_activite_apprenant"][students[0]]
            if household.adults[students[0]].incomes["salary"] < floor:
                return "student_low_income", {"floor": euros(floor)}
        return "income_too_high", {}

    def _aide_logement(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        if outcome.status == "eligible":
            kind = next(k for k in ("apl", "alf", "als") if result[k] > 0)
            return "eligible", {"rent": euros(household.rent), "kind": self.texts["aide_logement"]["kinds"][kind]}
        status = household.housing_status
        reason = {"proprietaire": "owner", "accedant": "loan", "heberge": "housed_free",
                  "sans_domicile": "homeless", "foyer": "foyer"}.get(status)
        if reason:
            return reason, {}
        if household.rent <= 0:
            return "no_rent", {}
        return "income_too_high", {"resources": euros(result["aide_logement_base_ressources"])}

    def _complementaire_sante_solidaire(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        values = {"resources": euros(result["css_cmu_base_ressources"])}
        if outcome.status == "eligible" and outcome.amount == 0:
            return "free", {**values, "ceiling": euros(result["cmu_c_plafond"])}
        values["ceiling"] = euros(result["acs_plafond"])
        if outcome.status == "eligible":
            return "participation", {**values, "amount": euros(outcome.amount or 0)}
        return "income_too_high", values

    def _aspa(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        if outcome.status == "eligible":
            return "eligible", {}
        if all(a.age < 65 and not (a.age >= 62 and (a.disability_rate or 0) >= 0.5) for a in household.adults):
            return "too_young", {}
        ceiling = self.aspa_ceilings["couples" if len(household.adults) == 2 else "personnes_seules"] / 12
        return "income_too_high", {"resources": euros(result["asi_aspa_base_ressources"]),
                                   "ceiling": euros(ceiling)}

    def _aah(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        if outcome.status == "eligible":
            return "eligible", {}
        disabled = [(i, a) for i, a in enumerate(household.adults) if (a.disability_rate or 0) >= 0.5]
        if not disabled:
            return "no_disability", {}
        if all(a.age < 20 for _, a in disabled):
            return "too_young", {}
        if all((a.disability_rate or 0) < 0.8 and not a.substantial_work_restriction for _, a in disabled):
            return "work_restriction", {}
        ceiling = result["aah_plafond_ressources_deconjugalise"][disabled[0][0]]
        return "income_too_high", {"ceiling": euros(ceiling)}

    def _cheque_energie(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        rfr = sum(result["rfr"])
        values = {"rfr": euros(rfr), "units": f"{result['cheque_energie_unites_consommation']:g}".replace(".", ",")}
        if outcome.status == "eligible":
            return "eligible", values
        if household.housing_status in ("heberge", "sans_domicile") or not result["cheque_energie_eligibilite_logement"]:
            return "no_housing", values
        return "income_too_high", values

    def _allocations_familiales(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        if outcome.status == "eligible":
            return "eligible", {"children": result["af_nbenf"]}
        return "not_enough_children", {}

    def _allocation_soutien_familial(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        if outcome.status == "eligible":
            return "eligible", {}
        if not household.children:
            return "no_child", {}
        if len(household.adults) == 2:
            return "couple", {}
        return "alimony", {}

    def _complement_familial(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        if outcome.status == "eligible":
            return "eligible", {}
        if sum(1 for c in household.children if 3 <= c.age <= 21) < 3:
            return "not_enough_children", {}
        if result["paje_base"] > 0:
            return "with_paje", {}
        return "income_too_high", {"resources": euros(result["cf_base_ressources"]),
                                   "ceiling": euros(result["cf_plafond"])}

    def _paje_base(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        if outcome.status == "eligible":
            return "eligible", {}
        if not any(c.age < 3 for c in household.children):
            return "no_young_child", {}
        return "income_too_high", {}

    def _allocation_rentree_scolaire(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        pupils = [c for c in household.children if 6 <= c.age <= 18 and c.school not in (None, "aucune", "creche")]
        if outcome.status == "eligible":
            return "eligible", {"children": len(pupils)}
        if not pupils:
            return "no_school_child", {}
        return "income_too_high", {}

    def _contrat_engagement_jeune(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        if outcome.status == "eligible":
            return "eligible", {}
        young = [p for p in household.people if _cej_age(p)]
        if not young:
            return "no_young", {}
        if all(_in_education(p) for p in young):
            return "student", {}
        # Not with the RSA of one's own household, as a dependant excepted (R.5131-24 code du travail).
        if (result["rsa"] > 0 and any(p.adult for p in young)) or result["ppa"] > 0:
            return "other_benefit", {}
        people = household.people
        if not any(result["contrat_engagement_jeune_eligibilite"][people.index(p)] for p in young):
            return "taxable", {}
        return "income_too_high", {}

    def _school_grant(self, outcome: Outcome, result: dict, household: Household, level: str, echelon: str):  # noqa: ANN202
        if outcome.status == "eligible":
            return "eligible", {"level": result[echelon]}
        if not any(c.school == level for c in household.children):
            return "no_child", {}
        return "income_too_high", {}

    def _bourse_college(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        return self._school_grant(outcome, result, household, "college", "bourse_college_echelon")

    def _bourse_lycee(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        return self._school_grant(outcome, result, household, "lycee", "bourse_lycee_echelon")

    def _bourse_enseignement_superieur(self, outcome: Outcome, result: dict, household: Household):  # noqa: ANN202
        students = [i for i, p in enumerate(household.people) if _higher_education(p)]
        if outcome.status == "eligible":
            level = max(result["bourse_criteres_sociaux_echelon"][i] for i in students)
            return "eligible", {"level": level}
        if not students:
            return "no_student", {}
        return "income_too_high", {}


def _singular_below_two(text: str) -> str:
    """French puts a noun in the singular below two: « 1 unité », « 1,5 unité »."""
    return re.sub(r"(?<![\d,])([01](?:,\d+)?) unités\b", r"\1 unité", text)


def depends_sentence(template: str, labels: tuple[str, ...], **values: str) -> str:
    """« Le montant dépend {de the labels} » in good French: « de votre loyer et des revenus de votre
    conjoint », never « de les revenus ». `labels` are plain noun phrases (« les revenus ... »)."""
    if "de {depends}" in template:
        template = template.replace("de {depends}", "{depends}")
        labels = tuple(de(label) for label in labels)
    return template.format(depends=_join(labels), **values).strip()


def _join(labels: tuple[str, ...]) -> str:
    labels = list(dict.fromkeys(labels))
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " et " + labels[-1]


def _cej_age(person: Person) -> bool:
    limit = 29 if (person.disability_rate or 0) >= 0.5 else 25
    return 16 <= person.age <= limit


def _in_education(person: Person) -> bool:
    if person.adult:
        return person.student or person.activity == "etudiant"
    return person.school in ("college", "lycee", "superieur")


def _higher_education(person: Person) -> bool:
    if person.adult:
        return person.student or person.activity == "etudiant"
    return person.school == "superieur"
