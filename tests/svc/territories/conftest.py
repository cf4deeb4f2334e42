"""Fixtures: the shipped territories, and a small test territory written in a temporary folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from api.core.config import ROOT
from api.territories import Territories
from tests.svc.territories.territory_files import write

SHIPPED = ROOT / "knowledge" / "territories"


@pytest.fixture(scope="session")
def shipped() -> Territories:
    return Territories.load(SHIPPED)


@pytest.fixture
def town(tmp_path: Path) -> Territories:
    return Territories.load(write(tmp_path / "territories").parent)
