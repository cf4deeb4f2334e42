"""The dialogue paths of bot/tests/*.yml (opening, doubts, screening with digressions, restarts,
refusals, anywhere) are predicted exactly by the trained model: `rasa test core`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "bot" / "models" / "current.tar.gz"


@pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model`")
def test_every_test_story_is_predicted(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--stories", str(ROOT / "bot" / "tests"),
         "--model", str(MODEL), "--out", str(tmp_path), "--fail-on-prediction-errors"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"},
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, details
