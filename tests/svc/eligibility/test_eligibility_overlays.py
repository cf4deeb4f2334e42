"""Dated parameter values OpenFisca lags on (knowledge/parameters/*.yml, api/eligibility/overlays.py):
applied when the system loads, said in the answer, and a broken file stops the service with its
file and line."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from api.eligibility.overlays import OverlayError, apply_overlays, read_overlays

C2S_CEILING = "prestations_sociales.solidarite_insertion.minima_sociaux.cs.cmu.plafond_base"
ALONE_NO_INCOME = {"commune": "54395", "housing": {"status": "heberge"},
                   "adults": [{"age": 40, "activity": "inactif", "incomes": {}}]}


async def test_the_c2s_ceiling_of_april_2025_is_applied_and_said(client, service) -> None:  # noqa: ANN001
    ceiling = service.engine.tbs.parameters.prestations_sociales.solidarite_insertion.minima_sociaux.cs.cmu.plafond_base
    assert ceiling("2025-03-31") == 10166 and ceiling("2025-04-01") == 10339  # OpenFisca stops in April 2024
    response = await client.post("/api/eligibility", json=ALONE_NO_INCOME | {"period": "2026-11"})
    body = response.json()
    c2s = next(b for b in body["benefits"] if b["id"] == "complementaire_sante_solidaire")
    assert c2s["status"] == "eligible" and "10 339 €" in c2s["why"]
    overlays = body["computed_with"]["parameter_overlays"]
    assert [(o["parameter"], o["start"], o["value"]) for o in overlays] == [(C2S_CEILING, "2025-04-01", 10339.0)]
    assert overlays[0]["source"]["url"].startswith("https://")
    assert body["computed_with"]["latest_parameters"]["complementaire_sante_solidaire"] == "2025-04-01"
    # Still more than 18 months before November 2026: the answer says which scale it used.
    assert any("C2S" in note and "01/04/2025" in note for note in body["assumptions"])


async def test_before_its_start_an_overlay_changes_nothing(client) -> None:  # noqa: ANN001
    body = (await client.post("/api/eligibility", json=ALONE_NO_INCOME | {"period": "2025-02"})).json()
    c2s = next(b for b in body["benefits"] if b["id"] == "complementaire_sante_solidaire")
    assert "10 166 €" in c2s["why"] and body["computed_with"]["parameter_overlays"] == []


def test_an_overlay_older_than_openfisca_is_ignored(service, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "old.yml").write_text(textwrap.dedent(f"""\
        - parameter: {C2S_CEILING}
          start: 2024-04-01
          value: 1
          source: {{title: a test, url: "https://example.org"}}
        """), encoding="utf-8")
    assert apply_overlays(service.engine.tbs, read_overlays(tmp_path)) == []
    ceiling = service.engine.tbs.parameters.prestations_sociales.solidarite_insertion.minima_sociaux.cs.cmu
    assert ceiling.plafond_base("2024-06-01") == 10166


GOOD = f"""\
- parameter: {C2S_CEILING}
  start: 2030-04-01
  value: 20000
  source: {{title: a test, url: "https://example.org"}}
"""
BROKEN = {
    "not YAML": ("- parameter: x\n  start: 2030-04-01\n   value: 1\n", 3),
    "not a list": ("parameter: x\n", 1),
    "missing source": (GOOD + f"- parameter: {C2S_CEILING}\n  start: 2031-04-01\n  value: 1\n", 5),
    "source without url": (GOOD + f"- parameter: {C2S_CEILING}\n  start: 2031-04-01\n  value: 1\n"
                           "  source: {title: a law}\n", 5),
    "bad date": (GOOD.replace("2030-04-01", "avril 2030"), 1),
    "value is a word": (GOOD.replace("20000", "beaucoup"), 1),
    "unknown field": (GOOD + "  valeur: 3\n", 1),
    "same value twice": (GOOD + GOOD, 5),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_overlay_file_names_its_file_and_line(case: str, tmp_path: Path) -> None:
    text, line = BROKEN[case]
    (tmp_path / "broken.yml").write_text(text, encoding="utf-8")
    with pytest.raises(OverlayError) as raised:
        read_overlays(tmp_path)
    assert f"{tmp_path / 'broken.yml'}:{line}:" in str(raised.value)


@pytest.mark.parametrize(("parameter", "problem"), [
    ("prestations_sociales.solidarite_insertion.minima_sociaux.cs.cmu.plafond_inexistant", "no parameter"),
    ("prestations_sociales.solidarite_insertion.minima_sociaux.cs.cmu", "not a single value"),
])
def test_an_overlay_of_a_parameter_openfisca_has_not_names_its_file_and_line(
        parameter: str, problem: str, tmp_path: Path, service) -> None:  # noqa: ANN001
    (tmp_path / "wrong.yml").write_text(GOOD.replace(C2S_CEILING, parameter), encoding="utf-8")
    with pytest.raises(OverlayError) as raised:
        apply_overlays(service.engine.tbs, read_overlays(tmp_path))
    assert f"{tmp_path / 'wrong.yml'}:1:" in str(raised.value) and problem in str(raised.value)


def test_a_broken_overlay_file_stops_the_service(settings, tmp_path: Path) -> None:  # noqa: ANN001
    from .conftest import FixedDayService

    (tmp_path / "broken.yml").write_text(BROKEN["missing source"][0], encoding="utf-8")
    service = FixedDayService(settings)
    service.parameters_dir = tmp_path
    with pytest.raises(OverlayError, match=r"broken\.yml:5: missing « source »"):
        service.start()
    assert not service.ready and service.simulator is None  # stopped before starting anything


def test_the_shipped_overlays_are_valid() -> None:
    overlays = read_overlays()
    assert overlays and all(o.source_url.startswith("https://") for o in overlays)
