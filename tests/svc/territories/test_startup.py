"""The API loads the territories at start-up and does not start with a broken file, saying which
file and which line to fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from api.core.config import Settings
from api.main import create_app
from api.territories import TerritoryError
from tests.svc.territories.territory_files import VALID, line_of, write


async def test_the_api_does_not_start_with_a_broken_territory_file(tmp_path: Path) -> None:
    text = VALID.replace("day: mercredi", "day: mardy")
    path = write(tmp_path / "territories", text)
    settings = Settings(territories_dir=path.parent, database_url=f"sqlite:///{tmp_path / 'tzn.db'}",
                        eligibility_load=False)
    app = create_app(settings)
    with pytest.raises(TerritoryError) as raised:
        async with app.router.lifespan_context(app):
            pass
    assert str(raised.value) == (f"{path}, line {line_of(text, 'mardy')}: « mardy » is not a day (lundi ... dimanche)")
