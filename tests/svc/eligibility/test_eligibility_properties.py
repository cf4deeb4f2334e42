"""Properties over generated households (hypothesis):
- more income never raises the RSA or the housing aid;
- a household outside France's communes is refused;
- the batched path (concurrent requests sharing one simulation) gives what the single path gives.
"""
from __future__ import annotations

import asyncio
import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.eligibility.communes import UNCOVERED_DEPARTEMENTS
from api.eligibility.errors import InvalidHousehold

COMMUNES = ["54395", "75056", "13201", "69123", "59350", "31555", "97411", "2A004", "01001"]
ACTIVITIES = ["salarie", "independant", "chomeur", "etudiant", "retraite", "inactif"]
STATUSES = ["locataire", "locataire_meuble", "logement_social", "proprietaire", "accedant", "heberge",
            "sans_domicile", "foyer"]
SCHOOLS = [None, "creche", "maternelle", "primaire", "college", "lycee", "superieur", "aucune"]
SLOW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)

money = st.integers(min_value=0, max_value=3500).map(float)


@st.composite
def adults(draw, age_min: int = 18):  # noqa: ANN001, ANN201
    activity = draw(st.sampled_from(ACTIVITIES))
    incomes = {
        "salary": draw(money) if activity in ("salarie", "independant", "etudiant") else 0.0,
        "unemployment": draw(money) if activity == "chomeur" else 0.0,
        "pension": draw(money) if activity == "retraite" else 0.0,
        "disability_pension": draw(st.sampled_from([0.0, 0.0, 350.0])),
        "alimony": draw(st.sampled_from([0.0, 0.0, 150.0])),
        "other": draw(st.sampled_from([0.0, 0.0, 200.0])),
    }
    return {"age": draw(st.integers(min_value=age_min, max_value=85)), "activity": activity, "incomes": incomes,
            "disability_rate": draw(st.sampled_from([None, None, None, 0.5, 0.85])),
            "student": activity == "etudiant"}


@st.composite
def households(draw):  # noqa: ANN001, ANN201
    status = draw(st.sampled_from(STATUSES))
    pays = status in ("locataire", "locataire_meuble", "logement_social", "accedant", "foyer")
    grown_ups = draw(st.lists(adults(), min_size=1, max_size=2))
    children = draw(st.lists(st.fixed_dictionaries({"age": st.integers(0, 20), "school": st.sampled_from(SCHOOLS)}),
                             max_size=4))
    children = [{k: v for k, v in child.items() if v is not None} for child in children]
    household = {
        "period": "2026-11", "commune": draw(st.sampled_from(COMMUNES)),
        "housing": {"status": status, "rent": draw(st.integers(150, 1300)) if pays else 0, "charges": 30},
        "adults": grown_ups, "children": children,
        "couple_type": draw(st.sampled_from(["marie", "pacse", "union_libre", None])) if len(grown_ups) == 2 else None,
        "single_parent_recent": draw(st.booleans()) if len(grown_ups) == 1 and children else False,
    }
    return household


def amounts(body: dict) -> dict[str, float | None]:
    return {b["id"]: b["monthly_amount"] for b in body["benefits"]}


async def estimate_together(service, payloads: list[dict]) -> list[dict]:  # noqa: ANN001
    return await asyncio.gather(*(service.estimate(p) for p in payloads))


@SLOW
@given(household=households(), who=st.integers(0, 1), extra=st.integers(50, 1500),
       kind=st.sampled_from(["salary", "pension", "other"]))
def test_more_income_never_raises_rsa_or_housing_aid(service, household, who, extra, kind) -> None:  # noqa: ANN001
    richer = copy.deepcopy(household)
    person = richer["adults"][min(who, len(richer["adults"]) - 1)]
    person["incomes"][kind] += extra
    base, more = asyncio.run(estimate_together(service, [household, richer]))
    for benefit_id in ("rsa", "aide_logement"):
        before, after = amounts(base)[benefit_id], amounts(more)[benefit_id]
        if before is None or after is None:  # uncertain: compare the ranges' bounds
            (low, high), (low2, high2) = _bounds(base, benefit_id), _bounds(more, benefit_id)
            assert low2 <= low + 0.01 and high2 <= high + 0.01, (benefit_id, household, kind, extra)
        else:
            assert after <= before + 0.01, (benefit_id, before, after, household, kind, extra)


def _bounds(body: dict, benefit_id: str) -> tuple[float, float]:
    benefit = next(b for b in body["benefits"] if b["id"] == benefit_id)
    if benefit["range"]:
        return tuple(benefit["range"])
    value = benefit["monthly_amount"] or 0.0
    return value, value


@settings(max_examples=60, deadline=None, derandomize=True)
@given(code=st.from_regex(r"\A(\d{5}|2[AB]\d{3})\Z"), postcode=st.from_regex(r"\A\d{5}\Z"))
def test_a_household_outside_frances_communes_is_refused(service, code, postcode) -> None:  # noqa: ANN001
    known = service.communes.by_code.get(code)
    covered = known is not None and known.departement not in UNCOVERED_DEPARTEMENTS
    payload = {"commune": code, "housing": {"status": "heberge"}, "adults": [{"age": 40}]}
    if covered:
        payload["commune"] = "99999"  # a code that does not exist
    with pytest.raises(InvalidHousehold) as refused:
        service.prepare(payload)
    assert refused.value.errors[0]["field"] == "commune"
    if postcode not in service.communes.by_postcode:
        with pytest.raises(InvalidHousehold) as refused:
            service.prepare({"postcode": postcode, "housing": {"status": "heberge"}, "adults": [{"age": 40}]})
        assert refused.value.errors[0]["field"] == "postcode"


def test_overseas_collectivities_with_their_own_rules_are_refused(service) -> None:  # noqa: ANN001
    codes = [c.code for c in service.communes.by_code.values() if c.departement in UNCOVERED_DEPARTEMENTS]
    assert len(codes) > 50
    for code in codes:
        with pytest.raises(InvalidHousehold):
            service.prepare({"commune": code, "housing": {"status": "heberge"}, "adults": [{"age": 40}]})


@SLOW
@given(group=st.lists(households(), min_size=2, max_size=5))
def test_batched_and_single_paths_give_identical_results(service, group) -> None:  # noqa: ANN001
    batches_before = service.batcher.stats.batches
    together = asyncio.run(estimate_together(service, group))
    assert service.batcher.stats.batches - batches_before < len(group)  # they did share simulations
    alone = [service.estimate_sync(payload) for payload in group]
    assert together == alone
