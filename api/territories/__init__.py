"""Territories: the teams' places, weekly openings cut into slots, closures, public holidays and
local aids, read from knowledge/territories/<id>.yml (see the README there).

    from api.territories import Territories, Territory, Place, Slot, TerritoryError
    territories = Territories.load(directory)     # checks every file; raises TerritoryError
"""
from api.territories.model import (
                                   Closure,
                                   Condition,
                                   LocalAid,
                                   Opening,
                                   Place,
                                   Slot,
                                   Territory,
                                   TerritoryError,
)
from api.territories.registry import Territories

__all__ = ["Territories", "Territory", "Place", "Slot", "TerritoryError", "Opening", "Closure", "LocalAid",
           "Condition"]
