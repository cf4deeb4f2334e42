"""Fidelity, the fast subset (make test): 3 generated personas of each kind of household (39) play the
real conversation through the web chat API; the household the action server sends to the eligibility
service (caught by a recording proxy) must be the household the person described.

The full run is `make fidelity` (tests/fidelity, 500 personas). This module starts its own stack: the
session stack of conftest.py cannot send the action server's requests through the proxy."""
from __future__ import annotations

import json
import time

import pytest

from tests.fidelity.player import play_all
from tests.fidelity.proxy import RecordingProxy
from tests.fidelity.report import commit, model, summarise, table, write_json
from tests.fidelity.truth import generate_balanced
from tests.stack import MODEL, ROOT, start_stack

SEED = 2026
PER_CATEGORY = 3
REPORT = ROOT / "var" / "fidelity" / "e2e-report.json"

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def fidelity() -> dict:
    if not MODEL.exists():
        pytest.skip("no trained model: run `make model`")
    started = time.monotonic()
    meta = {"seed": SEED, "per_category": PER_CATEGORY, "commit": commit(), "model": model()}
    proxy = RecordingProxy().start()
    stack = start_stack(process_env={"actions": {"API_URL": proxy.url}})
    proxy.upstream = stack.api_url
    try:
        played, _ = play_all(generate_balanced(PER_CATEGORY, SEED), stack.api_url, proxy.recorder, concurrency=3)
    finally:
        stack.stop()
        proxy.stop()
    summary = summarise(played)
    meta["duration_s"] = round(time.monotonic() - started, 1)
    write_json(REPORT, meta, summary, played, [])
    return {"played": played, "summary": summary, "table": table(summary, meta, top=8)}


def _failures(fidelity: dict, label: str | None = None, limit: int = 8) -> str:
    lines = []
    for p in fidelity["played"]:
        differences = [d for d in p.differences if label is None or d["label"] == label]
        if (label and differences) or (label is None and p.status != "exact"):
            person = " | ".join(t["text"] for t in p.transcript if t["who"] == "person")
            lines.append(f"- {p.truth.id} ({p.truth.category}, {p.status}, {p.outcome}): "
                         f"{json.dumps(differences, ensure_ascii=False)[:400]}\n    person: {person[:400]}")
    return "\n".join(lines[:limit]) + f"\n(every transcript in {REPORT})"


def test_no_wrong_value(fidelity: dict):
    """Nothing the person said clearly is sent as something else."""
    wrong = fidelity["summary"]["differences"].get("wrong value", 0)
    assert wrong == 0, f"{wrong} wrong values\n{fidelity['table']}\n{_failures(fidelity, 'wrong value')}"


def test_exact_rate(fidelity: dict):
    """At least 95 % of the conversations reach an estimate computed on exactly the described household."""
    rate = fidelity["summary"]["exact_rate"]
    assert rate >= 0.95, f"exact {rate:.0%} < 95 %\n{fidelity['table']}\n{_failures(fidelity)}"
