"""The condition language of local aids (knowledge/territories/README.md), without OpenFisca:
each condition is true, false or unknown, and the aid follows the contract's shape."""
from __future__ import annotations

from pathlib import Path

import pytest

from api.eligibility.local_aids import local_benefit
from api.eligibility.situation import Household, Person
from api.territories import Condition, LocalAid, Territories, Territory, TerritoryError
from tests.svc.territories.territory_files import VALID, write

WHY = {"eligible": "oui", "not_eligible": "non", "uncertain": "peut-être"}
CLAIM = {"who": "Mairie", "where": "À la mairie.", "documents": ["Une pièce d'identité"], "url": "https://example.org"}


def aid(*conditions: tuple[str, object], amount: float | None = None, period: str = "month") -> LocalAid:
    return LocalAid(id="local.test_town.aid", name="aid", title="Aide", summary="Une aide.", period=period,
                    amount=amount, conditions=tuple(Condition(kind, value, 1) for kind, value in conditions),
                    why=WHY, how_to_claim=CLAIM)


def adult(age: int = 40, activity: str = "salarie", **incomes: float) -> Person:
    return Person(age=age, adult=True, activity=activity, incomes={"salary": 0.0, **incomes})


def household(*adults: Person, children: tuple[int, ...] = (), housing: str = "locataire") -> Household:
    return Household(period="2026-11", depcom="54395", housing_status=housing, rent=400.0, charges=0.0,
                     adults=list(adults) or [adult()],
                     children=[Person(age=age, adult=False, activity="enfant") for age in children])


def evaluate(local_aid: LocalAid, home: Household, unknown: set[str] = frozenset(),
             statuses: dict[str, str] | None = None) -> dict:
    town = Territory(id="test_town", name="Test", communes=frozenset(), places={}, phone="", contact="",
                     what_to_bring=[], local_aids=[local_aid])
    return local_benefit(town, local_aid, home, set(unknown), statuses or {})


YOUTH = ("age", {"min": 11, "max": 25, "who": "anyone"})


@pytest.mark.parametrize("home, unknown, expected", [
    (household(adult(40), children=(17,)), set(), "eligible"),
    (household(adult(40), adult(38)), set(), "not_eligible"),
    (household(adult(22)), set(), "eligible"),
    (household(adult(40)), {"adults[0].age"}, "uncertain"),
    (household(adult(40), children=(9,)), {"children[0].age"}, "uncertain"),
    (household(adult(40), children=(17,)), {"adults[0].age"}, "eligible"),   # the child settles it
])
def test_age_of_anyone_in_the_household(home: Household, unknown: set[str], expected: str) -> None:
    assert evaluate(aid(YOUTH), home, unknown)["status"] == expected


def test_age_of_an_adult_or_of_a_child_only() -> None:
    adults_only = aid(("age", {"min": 18, "max": 25, "who": "adult"}))
    assert evaluate(adults_only, household(adult(40), children=(19,)))["status"] == "not_eligible"
    assert evaluate(adults_only, household(adult(19)))["status"] == "eligible"
    children_only = aid(("age", {"max": 17, "who": "child"}))
    assert evaluate(children_only, household(adult(17)))["status"] == "not_eligible"
    assert evaluate(children_only, household(adult(40), children=(3,)))["status"] == "eligible"


def test_household_children_housing_and_activity() -> None:
    single_parent = household(adult(30), children=(4,))
    assert evaluate(aid(("household", ("single_parent",))), single_parent)["status"] == "eligible"
    assert evaluate(aid(("household", ("couple", "single"))), single_parent)["status"] == "not_eligible"
    assert evaluate(aid(("household", ("with_children",))), household(adult(), adult(), children=(1,)))[
        "status"] == "eligible"
    assert evaluate(aid(("household", ("couple_with_children",))), single_parent)["status"] == "not_eligible"
    assert evaluate(aid(("children", {"min": 3})), household(children=(1, 4, 7)))["status"] == "eligible"
    assert evaluate(aid(("children", {"min": 3})), single_parent)["status"] == "not_eligible"
    assert evaluate(aid(("housing", ("locataire", "logement_social"))), household(housing="proprietaire"))[
        "status"] == "not_eligible"
    jobless = aid(("activity", ("chomeur",)))
    assert evaluate(jobless, household(adult(activity="salarie"), adult(activity="chomeur")))["status"] == "eligible"
    assert evaluate(jobless, household(adult(activity="salarie")))["status"] == "not_eligible"
    assert evaluate(jobless, household(adult(activity="salarie")), {"adults[0].activity"})["status"] == "uncertain"


def test_resources_ceiling_with_known_and_unknown_incomes() -> None:
    ceiling = aid(("max_monthly_resources", 1200.0))
    assert evaluate(ceiling, household(adult(salary=900.0, pension=200.0)))["status"] == "eligible"
    assert evaluate(ceiling, household(adult(salary=900.0), adult(salary=400.0)))["status"] == "not_eligible"
    # An unknown income can only add: unknown when the known part is under the ceiling...
    assert evaluate(ceiling, household(adult(salary=900.0)), {"adults[0].incomes.unemployment"})[
        "status"] == "uncertain"
    # ... and still not eligible when the known part is already above it.
    assert evaluate(ceiling, household(adult(salary=1500.0)), {"adults[0].incomes.other"})["status"] == "not_eligible"


@pytest.mark.parametrize("kind, statuses, expected", [
    ("requires", {"rsa": "eligible", "aide_logement": "eligible"}, "eligible"),
    ("requires", {"rsa": "eligible", "aide_logement": "not_eligible"}, "not_eligible"),
    ("requires", {"rsa": "eligible", "aide_logement": "uncertain"}, "uncertain"),
    ("requires_any", {"rsa": "not_eligible", "aide_logement": "eligible"}, "eligible"),
    ("requires_any", {"rsa": "not_eligible", "aide_logement": "not_eligible"}, "not_eligible"),
    ("requires_any", {"rsa": "uncertain", "aide_logement": "not_eligible"}, "uncertain"),
])
def test_national_benefits_required(kind: str, statuses: dict[str, str], expected: str) -> None:
    assert evaluate(aid((kind, ("rsa", "aide_logement"))), household(), statuses=statuses)["status"] == expected


def test_case_by_case_is_at_best_uncertain_and_a_false_condition_wins() -> None:
    fund = aid(("age", {"min": 18, "max": 25, "who": "adult"}), ("case_by_case", True))
    assert evaluate(fund, household(adult(20)))["status"] == "uncertain"
    assert evaluate(fund, household(adult(50)))["status"] == "not_eligible"
    assert evaluate(aid(), household())["status"] == "eligible"      # no condition: every resident


def test_amounts_follow_the_contract() -> None:
    monthly = aid(YOUTH, amount=30.0)
    young, old = household(adult(20)), household(adult(50))
    got = evaluate(monthly, young)
    assert (got["monthly_amount"], got["yearly_amount"], got["range"], got["why"]) == (30.0, None, None, "oui")
    got = evaluate(monthly, old)
    assert (got["monthly_amount"], got["yearly_amount"], got["range"], got["why"]) == (0.0, None, None, "non")
    got = evaluate(monthly, old, {"adults[0].age"})
    assert (got["monthly_amount"], got["yearly_amount"], got["range"], got["why"]) == (None, None, [0.0, 30.0],
                                                                                       "peut-être")
    once = evaluate(aid(YOUTH, amount=150.0, period="once"), young)
    assert (once["monthly_amount"], once["yearly_amount"]) == (None, 150.0)
    service = evaluate(aid(YOUTH, period="year"), old)     # a reduction: no amount at all
    assert (service["monthly_amount"], service["yearly_amount"], service["range"]) == (None, None, None)
    assert set(service) >= {"id", "name", "status", "monthly_amount", "yearly_amount", "range", "why", "how_to_claim"}
    assert service["id"] == "local.test_town.aid" and service["name"] == "Aide"
    assert service["how_to_claim"] == CLAIM and service["how_to_claim"]["documents"] is not CLAIM["documents"]


def test_conditions_read_from_a_file(tmp_path: Path) -> None:
    text = VALID.replace("      age: {min: 11, max: 25}\n", "      age: {max: 17, who: child}\n      household: single_parent\n"
                         "      housing: [locataire, logement_social]\n      requires_any: [rsa]\n"
                         "      max_monthly_resources: 1500.50\n      children: {min: 1}\n      case_by_case: true\n")
    territory = Territories.load(write(tmp_path, text).parent).get("test_town")
    assert {c.kind: c.value for c in territory.local_aids[0].conditions} == {
        "age": {"max": 17, "who": "child"}, "household": ("single_parent",),
        "housing": ("locataire", "logement_social"), "requires_any": ("rsa",), "max_monthly_resources": 1500.5,
        "children": {"min": 1}, "case_by_case": True}


@pytest.mark.parametrize("condition, words", [
    ("household: family", "« family » is not a household kind"),
    ("housing: [locataire, chateau]", "« chateau » is not a housing status"),
    ("activity: [retraité]", "« retraité » is not an activity"),
    ("age: {min: 11, who: parent}", "« parent » is not a kind of person"),
    ("age: {}", "needs a min, a max or both"),
    ("case_by_case: false", "either « true » or absent"),
    ("max_monthly_resources: beaucoup", "should be a number"),
    ("requires: []", "should not be empty"),
])
def test_a_wrong_condition_names_its_line(tmp_path: Path, condition: str, words: str) -> None:
    text = VALID.replace("age: {min: 11, max: 25}", condition)
    path = write(tmp_path, text)
    line = text.splitlines().index(f"      {condition}") + 1
    with pytest.raises(TerritoryError) as raised:
        Territories.load(tmp_path)
    assert str(raised.value).startswith(f"{path}, line {line}: ") and words in str(raised.value), str(raised.value)
